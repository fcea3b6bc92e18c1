import { setTimeout as sleep } from 'node:timers/promises';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import got from 'got';
import { afterEach, describe, expect, it } from 'vitest';
import { type Deadline, deadlineFrom } from '../../../lambda/core/deadline.ts';
import { silentLog } from '../../../lambda/core/log.ts';
import { createIscClient } from '../../../lambda/isc/isc-client.ts';
import { type CredentialSource, secretsManagerSource } from '../../../lambda/isc/secret-source.ts';
import { startServer, type TestServer, tokenAnswer } from '../../support/test-servers.ts';

/** Lambda's clock, running for real: `ms` left when the invocation starts. */
const invocation = (ms: number) => {
  const end = Date.now() + ms;
  return { getRemainingTimeInMillis: () => end - Date.now() };
};
/** A deadline with no margin, for tests that look at one wait. */
const plainDeadline = (ms: number): Deadline => {
  const end = Date.now() + ms;
  return { endsAt: () => Date.now() + 60_000, remainingMs: () => end - Date.now(), sleep: async (d) => (await sleep(d), true) };
};

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function server(...args: Parameters<typeof startServer>) {
  const started = await startServer(...args);
  servers.push(started);
  return started;
}

/** ISC whose token endpoint answers after `tokenMs` and whose API never answers. */
async function slowIsc(tokenMs: number) {
  const api = await server(async (req, res) => {
    if (req.url !== '/oauth/token') return; // never answers
    await sleep(tokenMs);
    tokenAnswer(res);
  });
  const credentials: CredentialSource = {
    get: async () => ({ baseUrl: api.url, tokenUrl: `${api.url}/oauth/token`, tenant: 'acme', clientId: 'id', clientSecret: 's' }),
  };
  return createIscClient({ http: got, credentials, log: silentLog, random: () => 0 });
}

describe('every ISC wait ends before the deadline', () => {
  it('a 2 s invocation with a 1 s token response and a silent ISC comes back before 2 s, out of time', async () => {
    const client = await slowIsc(1_000);
    const started = Date.now();
    const error = await client
      .getJson('/beta/sp-config/import/x', { phase: 'status', jobId: 'x', deadline: deadlineFrom(invocation(2_000)) })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TimeBudgetExhausted', retryable: true });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reads the time left after the token, so the call itself ends at the deadline, not a token later', async () => {
    const client = await slowIsc(600);
    const started = Date.now();
    const error = await client
      .download('/beta/sp-config/import/x/download', { phase: 'download', deadline: plainDeadline(1_200) }, async () => 'never')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TimeBudgetExhausted' });
    // Before the fix the call got the whole 1.2 s after a 0.6 s token: about 1.8 s in all.
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('bounds the Secrets Manager read by the deadline', async () => {
    const silent = await server(() => {});
    const client = new SecretsManagerClient({
      endpoint: silent.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const source = secretsManagerSource(client, 'isc/creds');
    const started = Date.now();
    await expect(source.get({ deadline: plainDeadline(1_000) })).rejects.toMatchObject({ code: 'TimeBudgetExhausted', phase: 'secret' });
    expect(Date.now() - started).toBeLessThan(1_600);
    expect(silent.seen).toHaveLength(1);
  });

  it('bounds the secret read the token request makes on behalf of an ISC call', async () => {
    const silent = await server(() => {});
    const source = secretsManagerSource(
      new SecretsManagerClient({ endpoint: silent.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
      'isc/creds',
    );
    const client = createIscClient({ http: got, credentials: source, log: silentLog });
    const started = Date.now();
    await expect(client.getJson('/beta/sp-config/import/x', { phase: 'status', deadline: plainDeadline(1_000) })).rejects.toMatchObject({
      code: 'TimeBudgetExhausted',
    });
    expect(Date.now() - started).toBeLessThan(1_600);
  });

  it('sends nothing when no time is left', async () => {
    const client = await slowIsc(0);
    await expect(client.getJson('/x', { phase: 'status', deadline: plainDeadline(0) })).rejects.toMatchObject({
      code: 'TimeBudgetExhausted',
    });
    expect(servers[0]!.seen).toHaveLength(0);
  });
});
