import { ImportStillRunningError } from '../core/errors.ts';
import { isRunning, type ImportStatus } from './job-status.ts';
import type { Deadline } from '../core/deadline.ts';
import type { Log } from '../core/log.ts';

export const POLL = { firstMs: 2_000, factor: 1.5, capMs: 15_000 } as const;

/** The wait before poll `n` (from 0): about 2 s, growing to 15 s, as peer tools poll. */
export function pollInterval(n: number): number {
  return Math.min(POLL.capMs, Math.round(POLL.firstMs * POLL.factor ** n));
}

/** Polls until the import is terminal; throws a retryable ImportStillRunning when time runs out. */
export async function waitForJob(
  first: ImportStatus,
  poll: () => Promise<ImportStatus>,
  deadline: Deadline,
  log: Log,
): Promise<ImportStatus> {
  let current = first;
  for (let n = 0; isRunning(current.status); n++) {
    const wait = pollInterval(n);
    log.info('Import still running; waiting', { jobId: current.jobId, status: current.status, waitMs: wait });
    // Keep room for the poll itself and the archive after it.
    if (!(await deadline.sleep(wait))) throw new ImportStillRunningError(current.jobId, current.status);
    current = await poll();
  }
  return current;
}
