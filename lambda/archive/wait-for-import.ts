import type { Deadline } from '../core/deadline.ts';
import type { Log } from '../core/log.ts';
import { type ImportStatus, isRunning } from '../isc/job-status.ts';

/** Poll timing: about 2 s at first, growing to 15 s, as peer tools poll ISC. */
export const POLL = { firstMs: 2_000, factor: 1.5, capMs: 15_000 } as const;

/**
 * Time kept for the archive once the import ends: a third of what the wait started with, and at
 * least 10 s. An import that ends just before the invocation's time runs out must still be
 * archivable in it; otherwise the wait is handed on (WAITING), which is not a failure.
 */
export const ARCHIVE_RESERVE = { share: 1 / 3, minMs: 10_000 } as const;

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
  const reserveMs = Math.max(ARCHIVE_RESERVE.minMs, deadline.remainingMs() * ARCHIVE_RESERVE.share);
  for (let n = 0; isRunning(current.status); n++) {
    const wait = pollInterval(n);
    if (deadline.remainingMs() - wait < reserveMs) return current;
    log.info('Import still running; waiting', { jobId: current.jobId, status: current.status, waitMs: wait });
    if (!(await deadline.sleep(wait))) return current;
    current = await poll();
  }
  return current;
}
