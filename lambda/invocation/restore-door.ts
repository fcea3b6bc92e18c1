import { API_BUDGET_MS } from '../contract/constants.ts';
import { beforeTheEnd, type Deadline, deadlineFrom, type InvocationClock } from '../core/deadline.ts';
import { type RestoreStarted, startRestore as submitRestore } from '../restore/restore-job.ts';
import { type ApiResponse, jsonResponse } from './api-response.ts';
import { handOff } from './hand-off.ts';
import type { RestoreApplyAction, RestorePreviewAction } from './requests.ts';
import { log, metrics, type Runtime } from './runtime.ts';

type RestoreAction = RestorePreviewAction | RestoreApplyAction;

/** POST .../restore/preview and .../restore/apply: 202 with the restore job ISC runs. */
export async function startRestore(work: RestoreAction, rt: Runtime, deadline: Deadline, requestId: string): Promise<ApiResponse> {
  return jsonResponse(202, await restoreAndArchiveLater(work, rt, deadline, requestId));
}

/** The same actions by direct invoke: the same answer, or a throw (409s are permanent). */
export async function runRestoreInBackground(
  work: RestoreAction,
  rt: Runtime,
  context: InvocationClock,
  requestId: string,
): Promise<RestoreStarted> {
  return restoreAndArchiveLater(work, rt, deadlineFrom(context, { capMs: API_BUDGET_MS }), requestId);
}

/**
 * Submits the restore, then hands the restore job's archive to a later invocation: a restore job
 * is an import like any other, archived with its results, report and (for an apply) its own
 * pre-import backup, and linked back to the original.
 */
async function restoreAndArchiveLater(work: RestoreAction, rt: Runtime, deadline: Deadline, requestId: string): Promise<RestoreStarted> {
  const previewJobId = work.action === 'restore-apply' ? work.previewJobId : undefined;
  const started = await submitRestore({ jobId: work.jobId, types: work.types, previewJobId, requestId }, { ...rt, log }, deadline);
  await handOff(rt, { jobId: started.jobId, force: false, waitingSince: new Date().toISOString() }, beforeTheEnd(deadline));
  metrics.restoreStarted(started.preview);
  return started;
}
