import { setTimeout as sleep } from 'node:timers/promises';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { Deadline } from '../../../lambda/core/deadline.ts';
import { secretsManagerSource } from '../../../lambda/isc/secret-source.ts';
import { startServer, type TestServer } from '../../support/test-servers.ts';

const deadline = (ms: number): Deadline => {
  const end = Date.now() + ms;
  return { endsAt: () => end, remainingMs: () => end - Date.now(), sleep: async () => true };
};
const VALUE = JSON.stringify({ baseUrl: 'https://acme.api.identitynow.com', clientId: 'a', clientSecret: 'shh' });

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Secrets Manager that never answers, and whether each request's connection was closed. */
async function silentSecretsManager() {
  const closed: boolean[] = [];
  const server = await startServer(
    (req) => {
      const i = closed.push(false) - 1;
      req.socket.on('close', () => {
        closed[i] = true;
      });
    },
    { early: true },
  );
  servers.push(server);
  const client = new SecretsManagerClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  return { client, closed, seen: server.seen };
}

describe('a Secrets Manager read and the deadline', () => {
  it('cancels the request itself at the deadline, not only the wait for it', async () => {
    const sm = await silentSecretsManager();
    await expect(secretsManagerSource(sm.client, 'isc/creds').get({ deadline: deadline(80) })).rejects.toMatchObject({
      code: 'TimeBudgetExhausted',
      phase: 'secret',
    });
    for (let i = 0; i < 200 && !sm.closed[0]; i++) await sleep(5);
    expect(sm.closed).toEqual([true]);
  });

  it('tells a caller that joined a read the deadline cut off that time ran out, in the secret phase', async () => {
    const sm = await silentSecretsManager();
    const source = secretsManagerSource(sm.client, 'isc/creds');
    const first = source.get({ deadline: deadline(80) }).catch((e: unknown) => e);
    const joined = source.get().catch((e: unknown) => e);
    expect(await first).toMatchObject({ code: 'TimeBudgetExhausted', phase: 'secret' });
    expect(await joined).toMatchObject({ code: 'TimeBudgetExhausted', phase: 'secret', retryable: true });
    expect(sm.seen).toHaveLength(1);
  });

  it('reads nothing when the deadline has no time left, and says so in the secret phase', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).resolves({ SecretString: VALUE });
    try {
      await expect(
        secretsManagerSource(new SecretsManagerClient({ region: 'us-east-1' }), 'isc/creds').get({ deadline: deadline(0) }),
      ).rejects.toMatchObject({ code: 'TimeBudgetExhausted', phase: 'secret' });
      expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    } finally {
      sm.restore();
    }
  });

  it('heeds the caller signal as well as the deadline', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).resolves({ SecretString: VALUE });
    try {
      const stopped = new AbortController();
      stopped.abort();
      await expect(
        secretsManagerSource(new SecretsManagerClient({ region: 'us-east-1' }), 'isc/creds').get({
          deadline: deadline(10_000),
          signal: stopped.signal,
        }),
      ).rejects.toMatchObject({ code: 'TimeBudgetExhausted', phase: 'secret' });
    } finally {
      sm.restore();
    }
  });
});
