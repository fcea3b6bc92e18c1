import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SECRET_TTL_MS, secretsManagerSource } from '../../../lambda/isc/secret-source.ts';

const sm = mockClient(SecretsManagerClient);
const value = (clientId: string) => JSON.stringify({ baseUrl: 'https://acme.api.identitynow.com', clientId, clientSecret: 'shh' });

beforeEach(() => sm.reset());

describe('secretsManagerSource', () => {
  it('reads the secret once for concurrent callers and caches it', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: value('a') });
    const source = secretsManagerSource(new SecretsManagerClient({ region: 'us-east-1' }), 'isc/creds');
    const all = await Promise.all([source.get(), source.get(), source.get()]);
    await source.get();
    expect(all.map((c) => c.clientId)).toEqual(['a', 'a', 'a']);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: 'isc/creds' });
  });

  it('picks up a rotated secret after the TTL, or at once when asked to refresh', async () => {
    let now = 0;
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: value('old') })
      .resolves({ SecretString: value('new') });
    const source = secretsManagerSource(new SecretsManagerClient({ region: 'us-east-1' }), 'isc/creds', () => now);
    expect((await source.get()).clientId).toBe('old');
    now = SECRET_TTL_MS - 1;
    expect((await source.get()).clientId).toBe('old');
    now = SECRET_TTL_MS + 1;
    expect((await source.get()).clientId).toBe('new');
    expect((await source.get({ refresh: true })).clientId).toBe('new');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(3);
  });

  it('treats a missing secret as configuration and a throttled read as retryable', async () => {
    const client = new SecretsManagerClient({ region: 'us-east-1' });
    sm.on(GetSecretValueCommand).rejectsOnce(Object.assign(new Error('nope'), { name: 'ResourceNotFoundException' }));
    await expect(secretsManagerSource(client, 'gone').get()).rejects.toMatchObject({ name: 'Permanent.Configuration', phase: 'secret' });
    sm.on(GetSecretValueCommand).rejectsOnce(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(secretsManagerSource(client, 'busy').get()).rejects.toMatchObject({ name: 'SecretUnavailable', retryable: true });
  });
});
