export interface RetryPolicy {
  /** Attempts in all, the first included (default 6). */
  readonly maxAttempts: number;
  /** First backoff step before jitter, in ms (default 400). */
  readonly baseMs: number;
  /** Largest backoff step, in ms (default 10 000). */
  readonly capMs: number;
  /** Longest `Retry-After` honoured; a longer one stops retrying here (default 30 000). */
  readonly retryAfterCapMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 6,
  baseMs: 400,
  capMs: 10_000,
  retryAfterCapMs: 30_000,
});

export interface RetryInput {
  /** The attempt that just failed, from 1. */
  readonly attempt: number;
  /** What the server asked for, already parsed (see parseRetryAfter). */
  readonly retryAfterMs?: number | undefined;
  /** Time left for waiting and the next attempt. */
  readonly remainingMs: number;
  /** Source of randomness in [0, 1); injected so tests need no timers. */
  readonly random: () => number;
  readonly policy?: RetryPolicy;
}

/** Time the next attempt needs at the least to be worth starting. */
export const MIN_ATTEMPT_MS = 1_000;

/**
 * How long to wait before the next attempt, or `undefined` when it is time to stop: attempts used
 * up, a Retry-After longer than we honour, or not enough time left to wait and try again.
 * A Retry-After is obeyed (plus a little jitter so a burst of containers does not return in step);
 * otherwise exponential backoff with full jitter.
 */
export function retryDelay(input: RetryInput): number | undefined {
  const policy = input.policy ?? DEFAULT_RETRY_POLICY;
  if (input.attempt >= policy.maxAttempts) return undefined;
  let delay: number;
  if (input.retryAfterMs !== undefined) {
    if (input.retryAfterMs > policy.retryAfterCapMs) return undefined;
    delay = input.retryAfterMs + Math.floor(input.random() * 250);
  } else {
    const step = Math.min(policy.capMs, policy.baseMs * 2 ** (input.attempt - 1));
    delay = Math.floor(input.random() * step);
  }
  return delay + MIN_ATTEMPT_MS <= input.remainingMs ? delay : undefined;
}

/** Parses `Retry-After` as delta-seconds or an HTTP date; `undefined` when absent or unreadable. */
export function parseRetryAfter(header: string | undefined, nowMs: number): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+(?:\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
