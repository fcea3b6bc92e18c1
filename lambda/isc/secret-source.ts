import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Deadline } from '../core/deadline.ts';
import { ArchiverError, ConfigurationError, TimeBudgetError } from '../core/errors.ts';
import { type IscCredentials, parseCredentials } from './credentials.ts';
import { deadlineSignal, untilAborted } from './time-limit.ts';

export interface CredentialReadOptions {
  /** Read the secret again (after ISC rejected the cached credentials). */
  readonly refresh?: boolean | undefined;
  /** A read of Secrets Manager ends before this deadline (TimeBudgetError otherwise). */
  readonly deadline?: Deadline | undefined;
  /** Or before this signal aborts. */
  readonly signal?: AbortSignal | undefined;
}

export interface CredentialSource {
  /** The credentials, cached; see CredentialReadOptions. */
  get(options?: CredentialReadOptions): Promise<IscCredentials>;
}

/** A rotated secret is picked up within this time without a cold start. */
export const SECRET_TTL_MS = 5 * 60_000;

/** Reads the secret once per container and again after the TTL; concurrent callers share one read. */
export function secretsManagerSource(client: SecretsManagerClient, secretId: string, now: () => number = Date.now): CredentialSource {
  let cached: { value: IscCredentials; readAt: number } | undefined;
  let pending: Promise<IscCredentials> | undefined;

  const read = async (signal: AbortSignal | undefined): Promise<IscCredentials> => {
    let secretString: string | undefined;
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }), { abortSignal: signal });
      secretString = out.SecretString;
    } catch (error) {
      if (signal?.aborted)
        throw new TimeBudgetError(`The invocation ran out of time reading Secrets Manager secret ${secretId}.`, 'secret');
      const name = (error as { name?: string }).name ?? 'Error';
      const permanent = ['ResourceNotFoundException', 'AccessDeniedException', 'InvalidParameterException', 'DecryptionFailure'].includes(
        name,
      );
      const message = `Could not read the ISC credentials from Secrets Manager secret ${secretId} (${name}).`;
      throw permanent
        ? new ConfigurationError(message, 'secret', error)
        : new ArchiverError('SecretUnavailable', message, { phase: 'secret', retryable: true, cause: error });
    }
    const value = parseCredentials(secretString, `secret ${secretId}`);
    cached = { value, readAt: now() };
    return value;
  };

  return {
    async get(options = {}) {
      if (!options.refresh && cached && now() - cached.readAt < SECRET_TTL_MS) return cached.value;
      const signal = boundedBy(options);
      pending ??= read(signal).finally(() => {
        pending = undefined;
      });
      return untilAborted(pending, signal).catch((error: unknown) => {
        throw signal?.aborted && !(error instanceof ArchiverError)
          ? new TimeBudgetError(`The invocation ran out of time waiting for Secrets Manager secret ${secretId}.`, 'secret')
          : error;
      });
    },
  };
}

function boundedBy(options: CredentialReadOptions): AbortSignal | undefined {
  const fromDeadline = options.deadline ? deadlineSignal(options.deadline, 'secret', 'read the ISC credentials') : undefined;
  const signals = [fromDeadline, options.signal].filter((s): s is AbortSignal => s !== undefined);
  return signals.length > 1 ? AbortSignal.any(signals) : signals[0];
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
