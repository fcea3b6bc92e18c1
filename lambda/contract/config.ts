import { ConfigurationError } from '../core/errors.ts';
import { API_VERSIONS, type ApiVersion, DEFAULTS, prefixProblem } from './constants.ts';

export interface ArchiverConfig {
  /** Bucket the archive is written to (`ARCHIVE_BUCKET`, required). */
  readonly bucket: string;
  /** Key prefix, empty or ending in `/` (`ARCHIVE_PREFIX`, default `sp-config/`). */
  readonly prefix: string;
  /** Secrets Manager id or ARN of the ISC credentials (`ISC_SECRET_ID`); unset means credentials from `SAIL_*`. */
  readonly secretId: string | undefined;
  /** ISC API family (`ISC_API_VERSION`, default `beta`). */
  readonly apiVersion: ApiVersion;
  /** Whether the pre-import backup is archived too (`ARCHIVE_BACKUP`, default `true`). */
  readonly archiveBackup: boolean;
  /** Whether the after-state is exported and the changes recorded (`ARCHIVE_CHANGES`, default `true`). */
  readonly archiveChanges: boolean;
  /** How long, across invocations, a running import is waited for (`MAX_WAIT_MINUTES`, default 360). */
  readonly maxWaitMinutes: number;
  /** Queue for hand-offs and continuations (`ARCHIVE_QUEUE_URL`); unset: invoke this function asynchronously. */
  readonly queueUrl: string | undefined;
  /** This function's name, for handing running jobs to an asynchronous invocation (`AWS_LAMBDA_FUNCTION_NAME`). */
  readonly functionName: string | undefined;
  /** Bus for the `SP-Config Import Archived` event (`ARCHIVE_EVENT_BUS`); unset means no event. */
  readonly eventBus: string | undefined;
  /** Whether the S3 endpoint is overridden, which means path-style addressing (`AWS_ENDPOINT_URL_S3`). */
  readonly s3EndpointOverridden: boolean;
}

export const DEFAULT_PREFIX = DEFAULTS.prefix;

// A bucket name per S3's rules; anything else is a typo that would fail later and less clearly.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Reads the contract's environment once, at cold start. Throws naming the variable that is wrong. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): ArchiverConfig {
  const bucket = env.ARCHIVE_BUCKET?.trim();
  if (!bucket) throw new ConfigurationError('ARCHIVE_BUCKET is not set: name the bucket to archive to.');
  if (!BUCKET.test(bucket)) throw new ConfigurationError('ARCHIVE_BUCKET is not a valid S3 bucket name.');

  const prefix = env.ARCHIVE_PREFIX ?? DEFAULT_PREFIX;
  const problem = prefixProblem(prefix);
  if (problem) throw new ConfigurationError(`ARCHIVE_PREFIX ${problem}.`);

  const apiVersion = (env.ISC_API_VERSION?.trim() || DEFAULTS.apiVersion) as ApiVersion;
  if (!API_VERSIONS.includes(apiVersion)) {
    throw new ConfigurationError(`ISC_API_VERSION must be one of ${API_VERSIONS.join(', ')}.`);
  }

  const archiveBackup = flag(env, 'ARCHIVE_BACKUP', DEFAULTS.archiveBackup);
  const archiveChanges = flag(env, 'ARCHIVE_CHANGES', DEFAULTS.archiveChanges);
  const maxWait = env.MAX_WAIT_MINUTES?.trim() || String(DEFAULTS.maxWaitMinutes);
  if (!/^\d{1,5}$/.test(maxWait) || Number(maxWait) < 1 || Number(maxWait) > 10_080) {
    throw new ConfigurationError('MAX_WAIT_MINUTES must be a whole number of minutes from 1 to 10080 (a week).');
  }
  const queueUrl = env.ARCHIVE_QUEUE_URL?.trim() || undefined;
  if (queueUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(queueUrl))
    throw new ConfigurationError('ARCHIVE_QUEUE_URL must be an SQS queue URL.');

  const secretId = env.ISC_SECRET_ID?.trim() || undefined;
  if (!secretId && !env.SAIL_BASE_URL && env.AWS_LAMBDA_FUNCTION_NAME) {
    throw new ConfigurationError('ISC_SECRET_ID is not set: name the Secrets Manager secret with the ISC credentials.');
  }

  return Object.freeze({
    bucket,
    prefix,
    secretId,
    apiVersion,
    archiveBackup,
    archiveChanges,
    maxWaitMinutes: Number(maxWait),
    queueUrl,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME?.trim() || undefined,
    eventBus: env.ARCHIVE_EVENT_BUS?.trim() || undefined,
    s3EndpointOverridden: Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL),
  });
}

function flag(env: Readonly<Record<string, string | undefined>>, name: string, fallback: boolean): boolean {
  const value = (env[name]?.trim() || String(fallback)).toLowerCase();
  if (value !== 'true' && value !== 'false') throw new ConfigurationError(`${name} must be "true" or "false".`);
  return value === 'true';
}
