import { InvokeCommand } from '@aws-sdk/client-lambda';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { ArchiverError } from '../core/errors.ts';
import type { Runtime } from './runtime.ts';

/** What a hand-off carries: itself a valid direct-invoke event (docs/contract.md). */
export interface HandOffPayload {
  readonly jobId: string;
  readonly force?: boolean;
  /** When the wait for a running import began, so the wait stops at MAX_WAIT_MINUTES in all. */
  readonly waitingSince?: string;
}

/**
 * Hands work to a later invocation of this function: through the deliveries queue when the stack
 * has one (its event source mapping bounds how many run at once), otherwise as an asynchronous
 * invocation of itself. `delaySeconds` spaces continuations out (the queue only). `signal` (the
 * caller's deadline, see beforeTheEnd) stops the send and the SDK's retries before the invocation ends.
 */
export async function handOff(rt: Runtime, payload: HandOffPayload, signal: AbortSignal, delaySeconds = 0): Promise<'queue' | 'invoke'> {
  const body = JSON.stringify(payload);
  try {
    if (rt.config.queueUrl) {
      await rt.sqs().send(
        new SendMessageCommand({
          QueueUrl: rt.config.queueUrl,
          MessageBody: body,
          DelaySeconds: Math.min(900, Math.max(0, Math.round(delaySeconds))),
        }),
        { abortSignal: signal },
      );
      return 'queue';
    }
    if (!rt.config.functionName) {
      throw new Error('neither ARCHIVE_QUEUE_URL nor AWS_LAMBDA_FUNCTION_NAME is set');
    }
    const out = await rt
      .lambda()
      .send(new InvokeCommand({ FunctionName: rt.config.functionName, InvocationType: 'Event', Payload: Buffer.from(body) }), {
        abortSignal: signal,
      });
    if (out.StatusCode !== 202) throw new Error(`Invoke answered ${out.StatusCode}`);
    return 'invoke';
  } catch (error) {
    throw new ArchiverError('HandOffFailed', `Could not hand job ${payload.jobId} to a later invocation.`, {
      phase: 'wait',
      retryable: true,
      jobId: payload.jobId,
      cause: error,
    });
  }
}
