import { apiFormatOf, parseEvent, type ArchiverRequest } from './invocation/event-parser.ts';
import { archiveJob, type ArchiveResult } from './archive/archive-job.ts';
import { createRuntime, log, logger, metrics, type Runtime } from './invocation/runtime.ts';
import { deadlineFrom, type InvocationClock } from './core/deadline.ts';
import { errorResponse, errorToResponse, htmlResponse, jsonResponse, type ApiResponse } from './invocation/api-response.ts';
import { ArchiverError, ImportStillRunningError, TimeBudgetError } from './core/errors.ts';
import { invokeAsync } from './invocation/self-invoker.ts';
import { archiveKeys } from './contract/archive-keys.ts';
import { archivedEventDetail, publishArchived } from './telemetry/archived-event.ts';
import { parseManifest, type Manifest } from './archive/manifest.ts';

export interface LambdaContext extends InvocationClock {
  readonly awsRequestId?: string;
}

/** API Gateway gives up at 29 s; answer well before that. */
const API_BUDGET_MS = 25_000;

let runtime: Runtime | undefined;
let runtimeError: unknown;
try {
  runtime = createRuntime(process.env);
} catch (error) {
  runtimeError = error;
}

/** Parse the event, archive the job, shape the response (see CONTRACT.md). */
export async function handler(event: unknown, context: LambdaContext): Promise<unknown> {
  const requestId = context.awsRequestId ?? 'local';
  logger.addContext(context as never);
  const api = apiFormatOf(event) !== undefined;
  try {
    const request = parseEvent(event);
    logger.appendKeys({ jobId: request.jobId });
    if (!runtime) throw runtimeError;
    return request.source === 'api' ? await answerApi(request, runtime, context) : await archiveAsync(request, runtime, context);
  } catch (error) {
    metrics.failed(error);
    const fields = error instanceof ArchiverError ? error.toLog() : { errorName: (error as Error)?.name, errorMessage: (error as Error)?.message };
    // A long import is expected, not broken: Lambda's retry resumes the wait.
    if (error instanceof ImportStillRunningError) log.warn('Import still running; Lambda will retry', fields);
    else log.error('Archive failed', fields);
    if (api) return errorToResponse(error, requestId);
    throw error;
  } finally {
    metrics.flush();
    logger.removeKeys(['jobId']);
  }
}

/** Direct and EventBridge invocations: wait for the job, archive it, or throw so Lambda retries. */
async function archiveAsync(request: ArchiverRequest, rt: Runtime, context: LambdaContext) {
  const result = await archive(request, rt, deadlineFrom(context), true, context.awsRequestId);
  if (result.outcome === 'RUNNING') throw new ArchiverError('Unexpected', 'The job was still running after waiting.', { phase: 'wait', retryable: true });
  return resultBody(result);
}

async function answerApi(request: Extract<ArchiverRequest, { source: 'api' }>, rt: Runtime, context: LambdaContext): Promise<ApiResponse> {
  const requestId = context.awsRequestId ?? 'local';
  if (request.action !== 'archive') {
    const tenant = (await rt.credentials.get()).tenant;
    const keys = archiveKeys(rt.config.prefix, tenant, request.jobId);
    const stored = await rt.store.get(request.action === 'report' ? keys.report : keys.manifest);
    if (!stored) return errorResponse(404, `Import ${request.jobId} has not been archived.`, requestId.replace(/-/g, ''));
    return request.action === 'report' ? htmlResponse(stored.body.toString('utf8')) : jsonResponse(200, parseManifest(stored.body, keys.manifest));
  }
  try {
    const result = await archive(request, rt, deadlineFrom(context, { capMs: API_BUDGET_MS }), false, requestId);
    if (result.outcome !== 'RUNNING') return jsonResponse(200, resultBody(result));
    await handOff(request, rt);
    return jsonResponse(202, { jobId: request.jobId, status: result.job.status, message: 'The import is still running; it will be archived when it finishes.', job: result.job });
  } catch (error) {
    // A big archive may outlast the API's timeout: finish it in the background instead.
    if (!(error instanceof TimeBudgetError)) throw error;
    await handOff(request, rt);
    return jsonResponse(202, { jobId: request.jobId, status: 'ARCHIVING', message: 'Archiving takes longer than the API can wait; it continues in the background.' });
  }
}

async function handOff(request: ArchiverRequest, rt: Runtime): Promise<void> {
  await invokeAsync(rt.lambda(), rt.config.functionName, { jobId: request.jobId, force: request.force });
  metrics.accepted();
  log.info('Handed to a background invocation', { jobId: request.jobId });
}

async function archive(request: ArchiverRequest, rt: Runtime, deadline: ReturnType<typeof deadlineFrom>, wait: boolean, owner: string | undefined): Promise<ArchiveResult> {
  const started = Date.now();
  const bus = rt.config.eventBus;
  const announce = bus ? (manifest: Manifest, key: string) => publishArchived(rt.events(), bus, archivedEventDetail(manifest, rt.store.bucket, key), log) : undefined;
  const result = await archiveJob({ jobId: request.jobId, force: request.force, wait }, { ...rt, log, owner, announce }, deadline);
  if (result.outcome === 'RUNNING') return result;
  const bytes = result.manifest.objects.reduce((sum, o) => sum + o.bytes, 0);
  metrics.archived(result.outcome, result.manifest.summary, result.outcome === 'ALREADY_ARCHIVED' ? 0 : bytes, Date.now() - started);
  log.info('Archive done', { jobId: request.jobId, outcome: result.outcome, status: result.manifest.status, manifestKey: result.manifestKey, bytes, iscRequests: rt.isc.requestCount() });
  return result;
}

function resultBody(result: Exclude<ArchiveResult, { outcome: 'RUNNING' }>) {
  return {
    outcome: result.outcome,
    jobId: result.manifest.jobId,
    status: result.manifest.status,
    exportJobId: result.manifest.exportJobId,
    bucket: result.bucket,
    manifestKey: result.manifestKey,
    summary: result.manifest.summary,
  };
}
