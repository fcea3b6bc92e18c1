import { setTimeout as sleep } from 'node:timers/promises';

/** The part of Lambda's context the archiver uses. */
export interface InvocationClock {
  getRemainingTimeInMillis(): number;
}

export interface Deadline {
  /** Time left for work, with the margin to finish cleanly already taken off. */
  remainingMs(): number;
  /** When the invocation itself ends (epoch ms): what a claim names as its holder's deadline. */
  endsAt(): number;
  /** Sleeps, unless that would eat into the margin; returns whether it slept. */
  sleep(ms: number): Promise<boolean>;
}

/** Time kept back to log, write the manifest and answer before Lambda stops the invocation. */
export function marginFor(totalMs: number): number {
  return Math.min(10_000, Math.max(1_500, Math.floor(totalMs * 0.1)));
}

export function deadlineFrom(clock: InvocationClock, options: { capMs?: number } = {}): Deadline {
  const started = Date.now();
  const total = Math.min(clock.getRemainingTimeInMillis(), options.capMs ?? Number.POSITIVE_INFINITY);
  const margin = marginFor(total);
  const remainingMs = () => Math.min(clock.getRemainingTimeInMillis(), total - (Date.now() - started)) - margin;
  const endsAt = started + total;
  return {
    remainingMs,
    endsAt: () => endsAt,
    async sleep(ms) {
      if (ms > remainingMs()) return false;
      await sleep(ms);
      return true;
    },
  };
}

/**
 * A signal for the writes kept for the margin (the report, the manifest, the claim's removal): they
 * may use it, but must still end half a second before Lambda stops the invocation.
 */
export function beforeTheEnd(deadline: Deadline): AbortSignal {
  return AbortSignal.timeout(Math.max(1, deadline.endsAt() - Date.now() - 500));
}
