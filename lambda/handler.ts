import type { InvocationClock } from './core/deadline.ts';
import { ArchiverError } from './core/errors.ts';
import { answerApi } from './invocation/api-door.ts';
import { type ApiResponse, errorToResponse } from './invocation/api-response.ts';
import { archiveInBackground } from './invocation/archive-door.ts';
import { apiFormatOf, parseEvent } from './invocation/event-parser.ts';
import { runRestoreInBackground } from './invocation/restore-door.ts';
import { createRuntime, log, logger, metrics, type Runtime } from './invocation/runtime.ts';
import { answerBatch } from './invocation/sqs-door.ts';

export interface LambdaContext extends InvocationClock {
  readonly awsRequestId?: string;
}

// Clients are built once per container; a configuration error is kept and reported by each
// invocation, where it can be read, instead of crashing the container at init.
let runtime: Runtime | undefined;
let runtimeError: unknown;
try {
  runtime = createRuntime(process.env);
} catch (error) {
  runtimeError = error;
}

/**
 * The function (docs/contract.md): parse the event, run what it asks for, shape the answer. The
 * API gets HTTP responses; a direct invoke or an EventBridge event gets the result or a throw, so
 * Lambda's retries apply; a queue batch gets the records to retry.
 */
export async function handler(event: unknown, context: LambdaContext): Promise<unknown> {
  const requestId = context.awsRequestId ?? 'local';
  logger.addContext(context as never);
  const api = apiFormatOf(event) !== undefined;
  try {
    const request = parseEvent(event, log);
    if (!runtime) throw runtimeError;
    if (request.source === 'sqs') return await answerBatch(request, runtime, context, requestId);
    logger.appendKeys({ jobId: request.work.jobId });
    if (request.source === 'api') return await answerApi(request, runtime, context, requestId);
    const { work } = request;
    return work.action === 'archive'
      ? await archiveInBackground(work, runtime, context, requestId)
      : await runRestoreInBackground(work, runtime, context, requestId);
  } catch (error) {
    metrics.failed(error);
    log.error(
      'Request failed',
      error instanceof ArchiverError ? error.toLog() : { errorName: (error as Error)?.name, errorMessage: (error as Error)?.message },
    );
    if (api) return errorToResponse(error, requestId) satisfies ApiResponse;
    throw error;
  } finally {
    metrics.flush();
    logger.removeKeys(['jobId']);
  }
}
