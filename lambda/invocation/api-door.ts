import { parseManifest } from '../archive/manifest.ts';
import { archiveKeys } from '../contract/archive-keys.ts';
import { API_BUDGET_MS } from '../contract/constants.ts';
import { beforeTheEnd, type Deadline, deadlineFrom, type InvocationClock } from '../core/deadline.ts';
import { TimeBudgetError } from '../core/errors.ts';
import { listRestores } from '../restore/restore-records.ts';
import { type ApiResponse, errorResponse, htmlResponse, jsonResponse } from './api-response.ts';
import { handOff } from './hand-off.ts';
import type { ApiRequest, ArchiveAction } from './requests.ts';
import { startRestore } from './restore-door.ts';
import { resultBody } from './result-body.ts';
import { runArchive } from './run-archive.ts';
import { log, metrics, type Runtime } from './runtime.ts';

/** API Gateway: answers within API_BUDGET_MS, handing longer work to a later invocation. */
export async function answerApi(request: ApiRequest, rt: Runtime, context: InvocationClock, requestId: string): Promise<ApiResponse> {
  const { work } = request;
  const trackingId = requestId.replace(/-/g, '');
  // Every route answers within the API's budget: API Gateway gives up at 29 s.
  const deadline = deadlineFrom(context, { capMs: API_BUDGET_MS });
  switch (work.action) {
    case 'status':
    case 'report':
      return readArchive(work.action, work.jobId, rt, trackingId, deadline);
    case 'archive':
      return archiveNow(work, rt, deadline, requestId);
    default:
      return startRestore(work, rt, deadline, requestId);
  }
}

/** POST .../archive and .../rearchive: archive within the API's budget, or answer 202 and hand off. */
async function archiveNow(work: ArchiveAction, rt: Runtime, deadline: Deadline, requestId: string): Promise<ApiResponse> {
  try {
    const result = await runArchive(work, rt, requestId, deadline, false);
    if (result.outcome === 'BUSY') {
      // The holder may have crashed (an API invocation is never retried): a background delivery
      // watches for its manifest and takes the job over once the holder's deadline has passed.
      await handOffLogged(work, rt, deadline);
      return jsonResponse(202, {
        jobId: work.jobId,
        status: 'ARCHIVING',
        message: 'Another delivery is archiving this job now; its manifest will follow.',
      });
    }
    if (result.outcome !== 'RUNNING') return jsonResponse(200, resultBody(result));
    await handOffLogged(work, rt, deadline);
    return jsonResponse(202, {
      jobId: work.jobId,
      status: result.job.status,
      message: 'The import is still running; it will be archived when it finishes.',
      job: result.job,
    });
  } catch (error) {
    // A big archive may outlast the API's timeout: finish it in the background instead.
    if (!(error instanceof TimeBudgetError)) throw error;
    await handOffLogged(work, rt, deadline);
    return jsonResponse(202, {
      jobId: work.jobId,
      status: 'ARCHIVING',
      message: 'Archiving takes longer than the API can wait; it continues in the background.',
    });
  }
}

/** Hands the archive on within the margin the API's deadline keeps back (the archive may have spent the rest). */
async function handOffLogged(work: ArchiveAction, rt: Runtime, deadline: Deadline): Promise<void> {
  const waitingSince = new Date().toISOString();
  const via = await handOff(rt, { jobId: work.jobId, force: work.force, waitingSince }, beforeTheEnd(deadline));
  metrics.accepted();
  log.info('Handed to a background invocation', { jobId: work.jobId, via });
}

/** GET .../{jobId} (the manifest and the restores started from it) and GET .../report: 404 until archived. */
async function readArchive(
  action: 'status' | 'report',
  jobId: string,
  rt: Runtime,
  trackingId: string,
  deadline: Deadline,
): Promise<ApiResponse> {
  const { tenant } = await rt.credentials.get({ deadline });
  const keys = archiveKeys(rt.config.prefix, tenant, jobId);
  const stored = await rt.store.get(keys.manifest, { deadline });
  if (!stored) return errorResponse(404, `Import ${jobId} has not been archived.`, trackingId);
  const manifest = parseManifest(stored.body, keys.manifest);
  if (action === 'status') return jsonResponse(200, { ...manifest, restores: await listRestores(rt.store, keys, { deadline }) });
  // The report the manifest vouches for, not one a later, unfinished run may have written since.
  const named = manifest.objects.find((o) => o.role === 'report');
  const report = named ? await rt.store.get(named.key, { versionId: named.versionId, deadline }) : undefined;
  if (!report) return errorResponse(404, `The report of import ${jobId} is missing from the archive.`, trackingId);
  return htmlResponse(report.body.toString('utf8'));
}
