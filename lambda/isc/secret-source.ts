import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigurationError, ArchiverError } from '../core/errors.ts';
import { parseCredentials, type IscCredentials } from './credentials.ts';

export interface CredentialSource {
  /** The credentials, cached; `refresh` forces a new read (after ISC rejected the cached ones). */
  get(options?: { refresh?: boolean }): Promise<IscCredentials>;
}

/** A rotated secret is picked up within this time without a cold start. */
export const SECRET_TTL_MS = 5 * 60_000;

/** Reads the secret once per container and again after the TTL; concurrent callers share one read. */
export function secretsManagerSource(
  client: SecretsManagerClient,
  secretId: string,
  now: () => number = Date.now,
): CredentialSource {
  let cached: { value: IscCredentials; readAt: number } | undefined;
  let pending: Promise<IscCredentials> | undefined;

  const read = async (): Promise<IscCredentials> => {
    let secretString: string | undefined;
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      secretString = out.SecretString;
    } catch (error) {
      const name = (error as { name?: string }).name ?? 'Error';
      const permanent = ['ResourceNotFoundException', 'AccessDeniedException', 'InvalidParameterException', 'DecryptionFailure'].includes(name);
      const message = `Could not read the ISC credentials from Secrets Manager secret ${secretId} (${name}).`;
      throw permanent ? new ConfigurationError(message, 'secret', error) : new ArchiverError('SecretUnavailable', message, { phase: 'secret', retryable: true, cause: error });
    }
    const value = parseCredentials(secretString, `secret ${secretId}`);
    cached = { value, readAt: now() };
    return value;
  };

  return {
    get(options) {
      if (!options?.refresh && cached && now() - cached.readAt < SECRET_TTL_MS) return Promise.resolve(cached.value);
      pending ??= read().finally(() => {
        pending = undefined;
      });
      return pending;
    },
  };
}

/** Credentials from `SAIL_BASE_URL`, `SAIL_CLIENT_ID`, `SAIL_CLIENT_SECRET` (the SailPoint CLI and SDK convention). */
export function environmentSource(env: Readonly<Record<string, string | undefined>>): CredentialSource {
  const value = parseCredentials(
    JSON.stringify({
      baseUrl: env.SAIL_BASE_URL,
      clientId: env.SAIL_CLIENT_ID,
      clientSecret: env.SAIL_CLIENT_SECRET,
      tokenUrl: env.SAIL_TOKEN_URL,
      tenant: env.SAIL_TENANT,
    }),
    'the SAIL_* environment variables',
  );
  return { get: () => Promise.resolve(value) };
}
