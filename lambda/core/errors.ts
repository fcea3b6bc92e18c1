/** Where in the archive flow a failure happened; operators filter logs and alarms on it. */
export type Phase = 'input' | 'config' | 'secret' | 'token' | 'status' | 'download' | 'backup' | 'changes' | 'archive' | 'wait' | 'restore';

export interface ArchiverErrorDetails {
  readonly phase: Phase;
  readonly retryable: boolean;
  readonly jobId?: string | undefined;
  readonly httpStatus?: number | undefined;
  readonly trackingId?: string | undefined;
  readonly detailCode?: string | undefined;
  readonly attempts?: number | undefined;
  readonly cause?: unknown;
}

/**
 * The one error family of the archiver. `name` is what Lambda reports as the error type, so a
 * permanent failure says so there (`Permanent.<Code>`): retrying it cannot help. Only fields an
 * operator needs are enumerable; a cause is reduced to its name, code and message so a wrapped
 * HTTP error never drags request options (and their Authorization header) into a log line.
 */
export class ArchiverError extends Error {
  readonly code: string;
  readonly phase: Phase;
  readonly retryable: boolean;
  readonly jobId: string | undefined;
  readonly httpStatus: number | undefined;
  readonly trackingId: string | undefined;
  readonly detailCode: string | undefined;
  readonly attempts: number | undefined;

  constructor(code: string, message: string, details: ArchiverErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: summarizeCause(details.cause) });
    this.code = code;
    this.name = details.retryable ? code : `Permanent.${code}`;
    this.phase = details.phase;
    this.retryable = details.retryable;
    this.jobId = details.jobId;
    this.httpStatus = details.httpStatus;
    this.trackingId = details.trackingId;
    this.detailCode = details.detailCode;
    this.attempts = details.attempts;
  }

  /** The fields worth a log line, with nothing that could hold a credential. */
  toLog(): Record<string, unknown> {
    // `message` is reserved in Powertools' log lines (it would be dropped): name the fields apart.
    return {
      errorName: this.name,
      errorCode: this.code,
      errorMessage: this.message,
      phase: this.phase,
      retryable: this.retryable,
      jobId: this.jobId,
      httpStatus: this.httpStatus,
      trackingId: this.trackingId,
      detailCode: this.detailCode,
      attempts: this.attempts,
    };
  }
}

function summarizeCause(cause: unknown): Error {
  if (cause instanceof ArchiverError) return cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    const summary = new Error(typeof code === 'string' ? `${code}: ${cause.message}` : cause.message);
    summary.name = cause.name;
    return summary;
  }
  return new Error(String(cause));
}

/** The event or job id is unusable; refused before any network call. */
export class InvalidInputError extends ArchiverError {
  constructor(message: string, jobId?: string) {
    super('InvalidInput', message, { phase: 'input', retryable: false, jobId });
  }
}

/** The deployment is misconfigured (environment or secret); names the field, never a value. */
export class ConfigurationError extends ArchiverError {
  constructor(message: string, phase: Phase = 'config', cause?: unknown) {
    super('Configuration', message, { phase, retryable: false, cause });
  }
}

/** ISC answered with an error, or could not be reached after every retry. */
export class IscError extends ArchiverError {}

/**
 * The import was still running after MAX_WAIT_MINUTES of waiting across invocations. Waiting
 * longer is what the setting forbids, so it is permanent: the job goes to the failed-jobs queue,
 * where an operator can re-drive it once the import ends.
 */
export class ImportStillRunningError extends ArchiverError {
  readonly status: string;
  readonly waitedMinutes: number;
  constructor(jobId: string, status: string, waitedMinutes: number) {
    super(
      'ImportStillRunning',
      `Import ${jobId} is still ${status} after ${waitedMinutes} minutes of waiting (MAX_WAIT_MINUTES); it was not archived.`,
      {
        phase: 'wait',
        retryable: false,
        jobId,
      },
    );
    this.status = status;
    this.waitedMinutes = waitedMinutes;
  }
}

/**
 * A restore may not run (docs/contract.md, "Restore"): no archived backup, a preview that does not
 * allow the apply, a backup whose bytes no longer match the manifest. Nothing reached ISC.
 */
export class RestoreRefusedError extends ArchiverError {
  constructor(message: string, jobId: string) {
    super('RestoreRefused', message, { phase: 'restore', retryable: false, jobId });
  }
}

/** Not enough invocation time is left to finish a step cleanly. */
export class TimeBudgetError extends ArchiverError {
  constructor(message: string, phase: Phase, jobId?: string) {
    super('TimeBudgetExhausted', message, { phase, retryable: true, jobId });
  }
}

/** S3 refused or failed a read or a write. */
export class StorageError extends ArchiverError {
  constructor(message: string, details: Omit<ArchiverErrorDetails, 'phase'> & { phase?: Phase }) {
    super('Storage', message, { phase: 'archive', ...details });
  }
}

export function isRetryable(error: unknown): boolean {
  return error instanceof ArchiverError ? error.retryable : true;
}
