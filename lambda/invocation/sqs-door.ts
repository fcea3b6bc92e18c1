import type { InvocationClock } from '../core/deadline.ts';
import { ArchiverError } from '../core/errors.ts';
import { archiveInBackground } from './archive-door.ts';
import type { SqsBatch } from './requests.ts';
import { runRestoreInBackground } from './restore-door.ts';
import { log, metrics, type Runtime } from './runtime.ts';

/**
 * Deliveries through the queue (EventBridge events, the API's hand-offs, continuations): each
 * record is one request. Every record that failed is named in `batchItemFailures`, so the queue
 * retries it and, after its receive limit, moves it to the failed-jobs queue, where an operator
 * sees it: nothing is lost, permanent failures included. The others are deleted as done.
 */
export async function answerBatch(batch: SqsBatch, rt: Runtime, context: InvocationClock, requestId: string) {
  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const record of batch.records) {
    if ('invalid' in record.request) {
      metrics.failed(record.request.invalid);
      log.error('A queue message is not a request', { messageId: record.messageId, errorMessage: record.request.invalid.message });
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    const { work } = record.request;
    try {
      // This receive of the message, not the message, names the delivery in the claim: a standard
      // queue may hand one message to two invocations at once, and the claim must keep one of them
      // out. A redelivery after a crash comes once the crashed holder's deadline has passed (the
      // visibility timeout outlasts the function's), so it takes the claim over all the same.
      const holder = `sqs:${record.messageId}:${requestId}`;
      if (work.action === 'archive') await archiveInBackground(work, rt, context, holder);
      else await runRestoreInBackground(work, rt, context, holder);
    } catch (error) {
      metrics.failed(error);
      const fields =
        error instanceof ArchiverError ? error.toLog() : { errorName: (error as Error)?.name, errorMessage: (error as Error)?.message };
      log.error('Archive failed', { messageId: record.messageId, ...fields });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
