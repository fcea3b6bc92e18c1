import type { Deadline } from '../core/deadline.ts';
import { type Phase, TimeBudgetError } from '../core/errors.ts';

/**
 * A signal that aborts when the deadline's time is spent, so a request (or a wait on one) ends
 * before the invocation does. With no time left at all it throws at once: nothing is sent.
 */
export function deadlineSignal(deadline: Deadline, phase: Phase, what: string, jobId?: string): AbortSignal {
  const remaining = deadline.remainingMs();
  if (remaining <= 0) throw new TimeBudgetError(`No time left to ${what}.`, phase, jobId);
  return AbortSignal.timeout(remaining);
}

/**
 * Settles as `promise` does, or rejects with the signal's reason as soon as it aborts: a caller
 * that joins a shared request (one token or secret read for many callers) still leaves on time.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}
