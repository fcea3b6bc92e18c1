import type { ArchiveResult } from '../archive/archive-types.ts';
import { awaitOtherDelivery } from '../archive/await-other-delivery.ts';
import { beforeTheEnd, type Deadline, deadlineFrom, type InvocationClock } from '../core/deadline.ts';
import { ImportStillRunningError } from '../core/errors.ts';
import { handOff } from './hand-off.ts';
import type { ArchiveAction } from './requests.ts';
import { resultBody, waitingBody } from './result-body.ts';
import { runArchive } from './run-archive.ts';
import { log, metrics, type Runtime } from './runtime.ts';

/**
 * A direct invoke, an EventBridge event or a queued hand-off: archive the job, waiting while it
 * runs. When this invocation's time runs low the wait continues in a new invocation (WAITING),
 * up to MAX_WAIT_MINUTES in all; a job another delivery is archiving is watched, and taken over
 * once that delivery's deadline has passed. Throws on failure, so Lambda's (or the queue's)
 * retries and the failed-jobs queue apply.
 */
export async function archiveInBackground(work: ArchiveAction, rt: Runtime, context: InvocationClock, requestId: string) {
  const deadline = deadlineFrom(context);
  const waitingSince = work.waitingSince ?? new Date().toISOString();
  // A wait already past MAX_WAIT_MINUTES looks once more (the import may have ended) but waits no longer.
  const overdue = Date.now() - Date.parse(waitingSince) >= rt.config.maxWaitMinutes * 60_000;
  let result = await runArchive(work, rt, requestId, deadline, !overdue);
  if (result.outcome === 'BUSY') result = await afterOtherDelivery(work, rt, requestId, deadline, result.holder);
  if (result.outcome === 'RUNNING' || result.outcome === 'BUSY') return continueLater(work, rt, waitingSince, result, deadline);
  return resultBody(result);
}

async function afterOtherDelivery(
  work: ArchiveAction,
  rt: Runtime,
  requestId: string,
  deadline: Deadline,
  holder: { requestId: string; deadline: string },
): Promise<ArchiveResult> {
  const manifest = await awaitOtherDelivery({ ...rt, log }, work.jobId, holder, deadline);
  if (manifest) return runArchive({ ...work, force: false }, rt, requestId, deadline, true);
  // The holder is out of time (crashed or stopped): its claim can be taken over now.
  if (Date.now() > Date.parse(holder.deadline)) return runArchive(work, rt, requestId, deadline, true);
  return { outcome: 'BUSY', holder };
}

async function continueLater(
  work: ArchiveAction,
  rt: Runtime,
  waitingSince: string,
  result: Extract<ArchiveResult, { outcome: 'RUNNING' | 'BUSY' }>,
  deadline: Deadline,
) {
  const waitedMinutes = Math.floor((Date.now() - Date.parse(waitingSince)) / 60_000);
  const status = result.outcome === 'RUNNING' ? result.job.status : 'BEING_ARCHIVED';
  if (waitedMinutes >= rt.config.maxWaitMinutes) throw new ImportStillRunningError(work.jobId, status, waitedMinutes);
  // Another delivery's claim lasts until its deadline: come back then, not sooner.
  const delaySeconds = result.outcome === 'BUSY' ? (Date.parse(result.holder.deadline) - Date.now()) / 1_000 + 1 : 0;
  const via = await handOff(rt, { jobId: work.jobId, force: work.force, waitingSince }, beforeTheEnd(deadline), delaySeconds);
  metrics.continued();
  log.info('Still waiting; continuing in a new invocation', { jobId: work.jobId, status, waitingSince, waitedMinutes, via });
  return waitingBody(work.jobId, status, waitingSince);
}
