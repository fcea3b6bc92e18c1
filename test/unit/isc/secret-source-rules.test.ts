import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SECRET_TTL_MS, secretsManagerSource } from '../../../lambda/isc/secret-source.ts';

const sm = mockClient(SecretsManagerClient);
const client = () => new SecretsManagerClient({ region: 'us-east-1' });
const value = (clientId: string) => JSON.stringify({ baseUrl: 'https://acme.api.identitynow.com', clientId, clientSecret: 'shh' });
const failing = (name: string) => Object.assign(new Error(`failed: ${name}`), { name });

beforeEach(() => sm.reset());

describe('secretsManagerSource failures', () => {
  it('keeps five minutes as the TTL', () => {
    expect(SECRET_TTL_MS).toBe(300_000);
  });

  it('reads again exactly at the TTL', async () => {
    let now = 1_000;
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: value('old') })
      .resolves({ SecretString: value('new') });
    const source = secretsManagerSource(client(), 'isc/creds', () => now);
    await source.get();
    now = 1_000 + SECRET_TTL_MS;
    expect((await source.get()).clientId).toBe('new');
  });

  it.each(['ResourceNotFoundException', 'AccessDeniedException', 'InvalidParameterException', 'DecryptionFailure'])(
    'calls %s a permanent configuration error naming the secret and the failure',
    async (name) => {
      sm.on(GetSecretValueCommand).rejects(failing(name));
      await expect(secretsManagerSource(client(), 'isc/creds').get()).rejects.toMatchObject({
        name: 'Permanent.Configuration',
        phase: 'secret',
        retryable: false,
        message: `Could not read the ISC credentials from Secrets Manager secret isc/creds (${name}).`,
      });
    },
  );

  it.each(['ThrottlingException', 'InternalServiceError'])('calls %s a retryable SecretUnavailable', async (name) => {
    sm.on(GetSecretValueCommand).rejects(failing(name));
    const error = await secretsManagerSource(client(), 'isc/creds')
      .get()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'SecretUnavailable',
      code: 'SecretUnavailable',
      phase: 'secret',
      retryable: true,
      message: `Could not read the ISC credentials from Secrets Manager secret isc/creds (${name}).`,
    });
    expect((error as Error).cause).toMatchObject({ name, message: `failed: ${name}` });
  });

  it('reads again after a failed read', async () => {
    sm.on(GetSecretValueCommand)
      .rejectsOnce(failing('ThrottlingException'))
      .resolves({ SecretString: value('b') });
    const source = secretsManagerSource(client(), 'isc/creds');
    await expect(source.get()).rejects.toMatchObject({ name: 'SecretUnavailable' });
    expect((await source.get()).clientId).toBe('b');
  });

  it('checks the secret it read, naming the secret', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"baseUrl":"https://a.example.com"}' });
    await expect(secretsManagerSource(client(), 'isc/creds').get()).rejects.toMatchObject({
      name: 'Permanent.Configuration',
      message: 'The ISC credentials in secret isc/creds lack "clientId".',
    });
    sm.on(GetSecretValueCommand).resolves({});
    await expect(secretsManagerSource(client(), 'isc/creds').get()).rejects.toMatchObject({
      message: 'The ISC credentials in secret isc/creds are empty.',
    });
  });

  it('is out of time when its signal aborted before the read', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: value('a') });
    const controller = new AbortController();
    controller.abort();
    await expect(secretsManagerSource(client(), 'isc/creds').get({ signal: controller.signal })).rejects.toMatchObject({
      name: 'TimeBudgetExhausted',
      phase: 'secret',
      message: expect.stringMatching(/^The invocation ran out of time (reading|waiting for) Secrets Manager secret isc\/creds\.$/),
    });
  });

  it('serves the cached value even to a caller whose signal has aborted', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: value('a') });
    const source = secretsManagerSource(client(), 'isc/creds');
    await source.get();
    const controller = new AbortController();
    controller.abort();
    expect((await source.get({ signal: controller.signal })).clientId).toBe('a');
  });
});
