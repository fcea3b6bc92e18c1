import type { S3Client } from '@aws-sdk/client-s3';
import type { Deadline } from '../core/deadline.ts';
import { StorageError, TimeBudgetError } from '../core/errors.ts';

/** Bounds one store call, the SDK's own retries and their back-off sleeps included. */
export interface StoreCall {
  /** The call ends before this deadline's time is spent (TimeBudgetError otherwise). */
  readonly deadline?: Deadline | undefined;
  /** Or when this signal aborts (for a write kept for the deadline's margin, such as the manifest). */
  readonly signal?: AbortSignal | undefined;
}

/** Time a clean-up (aborting a multipart upload, removing an object that failed its check) may take. */
export const CLEANUP_MS = 1_000;

/** The signal bounding a call; with no time left at all, a TimeBudgetError before anything is sent. */
export function callSignal(call: StoreCall | undefined, what: string): AbortSignal | undefined {
  const signals: AbortSignal[] = [];
  if (call?.deadline) {
    const remaining = call.deadline.remainingMs();
    if (remaining <= 0) throw new TimeBudgetError(`No time left to ${what}.`, 'archive');
    signals.push(AbortSignal.timeout(remaining));
  }
  if (call?.signal) signals.push(call.signal);
  return signals.length > 1 ? AbortSignal.any(signals) : signals[0];
}

/**
 * Sends with the signal. The SDK checks it before each attempt, stops a request in flight, and
 * (in the SDK version locked here, tested in store-deadline.test.ts) ends its retry back-off too.
 */
export function sendWithin<T>(s3: S3Client, command: object, signal: AbortSignal | undefined): Promise<T> {
  // send()'s overloads tie each command to its output type; callers name the output instead.
  const send = s3.send as (command: object, options: { abortSignal?: AbortSignal | undefined }) => Promise<T>;
  return send.call(s3, command, { abortSignal: signal });
}

/** The HTTP status of an S3 failure, when S3 answered at all. */
export function httpStatusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** An S3 failure as the archiver reports it; a call stopped by its signal is out of time, not S3's fault. */
export function storageFailure(
  bucket: string,
  action: string,
  key: string,
  error: unknown,
  signal: AbortSignal | undefined,
): StorageError | TimeBudgetError {
  if (signal?.aborted)
    return new TimeBudgetError(`The invocation ran out of time during the S3 ${action} of s3://${bucket}/${key}.`, 'archive');
  const status = httpStatusOf(error);
  const name = (error as { name?: string }).name ?? 'Error';
  return new StorageError(`S3 ${action} of s3://${bucket}/${key} failed (${name}${status ? ` ${status}` : ''}).`, {
    retryable: status === undefined || status >= 500 || status === 429 || name === 'SlowDown',
    httpStatus: status,
    cause: error,
  });
}
