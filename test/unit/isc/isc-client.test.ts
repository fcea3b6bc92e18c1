import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import got from 'got';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLog } from '../../../lambda/core/log.ts';
import { createIscClient } from '../../../lambda/isc/isc-client.ts';
import { iscPaths } from '../../../lambda/isc/isc-paths.ts';
import type { CredentialSource } from '../../../lambda/isc/secret-source.ts';
import { completeResults } from '../../../local/import-results.ts';
import { DEMO_CLIENT, IscDouble } from '../../../local/isc-double.ts';

const deadline = (ms = 30_000) => {
  const end = Date.now() + ms;
  return {
    endsAt: () => Date.now() + 60_000,
    remainingMs: () => end - Date.now(),
    sleep: async (d: number) => (await new Promise((r) => setTimeout(r, d)), true),
  };
};

function credentialsFor(baseUrl: string, secret = DEMO_CLIENT.clientSecret): CredentialSource & { reads: number } {
  const source = {
    reads: 0,
    get: async () => {
      source.reads++;
      return { baseUrl, tokenUrl: `${baseUrl}/oauth/token`, tenant: 'acme', clientId: DEMO_CLIENT.clientId, clientSecret: secret };
    },
  };
  return source;
}

let isc: IscDouble;
beforeEach(async () => {
  isc = await IscDouble.start();
});
afterEach(async () => {
  await isc.close();
});

describe('IscClient', () => {
  it('shares one token among concurrent calls', async () => {
    const jobs = ['a', 'b', 'c', 'd'].map((c) => c.repeat(32));
    for (const id of jobs) isc.addJob(id, { status: 'COMPLETE', results: completeResults() });
    const client = createIscClient({
      http: got.extend({ retry: { limit: 0 }, headers: { 'user-agent': 'isc-import-archiver/0.1.0' } }),
      credentials: credentialsFor(isc.url),
      log: silentLog,
    });
    const statuses = await Promise.all(
      jobs.map((id) => client.getJson(iscPaths('v2025').importStatus(id), { phase: 'status', jobId: id, deadline: deadline() })),
    );
    expect(statuses.map((s) => (s as { status: string }).status)).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE', 'COMPLETE']);
    expect(isc.requestsFor('/oauth/token')).toHaveLength(1);
    expect(isc.requestsFor('/v2025/sp-config/import/')).toHaveLength(4);
    expect(client.requestCount()).toBe(5);
  });

  it('says the client credentials were refused, without retrying and without the secret', async () => {
    const client = createIscClient({ http: got, credentials: credentialsFor(isc.url, 'wrong-secret-value'), log: silentLog });
    const error = await client
      .getJson(`/beta/sp-config/import/${'a'.repeat(32)}`, { phase: 'status', deadline: deadline() })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'Permanent.IscCredentialsRejected', httpStatus: 401 });
    expect(String((error as Error).message)).not.toContain('wrong-secret-value');
    // the first refusal re-reads the secret once in case it was rotated
    expect(isc.requestsFor('/oauth/token')).toHaveLength(2);
  });

  it('gives up on 429 when the deadline leaves no room for the Retry-After', async () => {
    const id = 'e'.repeat(32);
    isc.addJob(id, { status: 'COMPLETE', faults: [{ on: 'status', status: 429, retryAfter: '20' }] });
    const client = createIscClient({ http: got, credentials: credentialsFor(isc.url), log: silentLog });
    const started = Date.now();
    await expect(
      client.getJson(iscPaths('beta').importStatus(id), { phase: 'status', jobId: id, deadline: deadline(5_000) }),
    ).rejects.toMatchObject({ name: 'IscRateLimited', retryable: true, httpStatus: 429 });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('times out a request that never answers and reports it as retryable', async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const tokenOnly = {
      get: async () => ({
        baseUrl: url,
        tokenUrl: `${isc.url}/oauth/token`,
        tenant: 'acme',
        clientId: DEMO_CLIENT.clientId,
        clientSecret: DEMO_CLIENT.clientSecret,
      }),
    };
    const client = createIscClient({ http: got, credentials: tokenOnly, log: silentLog, random: () => 0 });
    try {
      const error = await client
        .getJson(`/beta/sp-config/import/${'f'.repeat(32)}`, { phase: 'status', deadline: deadline(600) })
        .catch((e: unknown) => e);
      // The deadline ends the silent request: out of time, which the next delivery may retry.
      expect(error).toMatchObject({ code: 'TimeBudgetExhausted', retryable: true, phase: 'status' });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
