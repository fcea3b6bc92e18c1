import type { Deadline } from '../core/deadline.ts';
import type { Log } from '../core/log.ts';
import { type ImportStatus, isRunning } from '../isc/job-status.ts';

/** Poll timing: about 2 s at first, growing to 15 s, as peer tools poll ISC. */
export const POLL = { firstMs: 2_000, factor: 1.5, capMs: 15_000 } as const;

/** The wait before poll `n` (from 0). */
export function pollInterval(n: number): number {
  return Math.min(POLL.capMs, Math.round(POLL.firstMs * POLL.factor ** n));
}

/**
 * Polls a running import until it ends or this invocation's time runs low. Returns the last status
 * either way: a still-running one means the caller hands the wait on (a continuation, or a 202).
 */
export async function waitForImport(
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
    if (!(await deadline.sleep(wait))) return current;
    current = await poll();
  }
  return current;
}
