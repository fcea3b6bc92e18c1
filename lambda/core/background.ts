import type { Log } from './log.ts';

/**
 * Starts work whose result is awaited later (the claim while the download begins, the after-state
 * export while the backup streams). Awaiting the returned promise still throws; a failure that
 * happens before anyone awaits it is logged here instead of becoming an unhandled rejection that
 * would crash the container.
 */
export function startEarly<T>(work: Promise<T>, log: Log, what: string): Promise<T> {
  work.catch((error: unknown) =>
    log.debug(`${what} failed; the step that awaits it reports the failure`, { errorName: (error as Error)?.name }),
  );
  return work;
}

/** Runs cleanup whose failure must not hide the outcome (removing a claim); logs what it swallows. */
export async function bestEffort(
  work: () => Promise<unknown>,
  log: Log,
  what: string,
  fields: Record<string, unknown> = {},
): Promise<void> {
  try {
    await work();
  } catch (error) {
    log.warn(`${what} failed`, { ...fields, errorName: (error as Error)?.name, errorMessage: (error as Error)?.message });
  }
}

/**
 * Marks a promise whose failure another promise already reports (the caller awaits that one), so
 * leaving it unawaited is not an unhandled rejection. Say at the call which promise reports it.
 */
export function handledElsewhere(promise: Promise<unknown>): void {
  promise.catch(() => undefined);
}
