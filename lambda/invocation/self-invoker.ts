import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { ArchiverError } from '../core/errors.ts';

/** Hands a job to an asynchronous invocation of this same function, so the API can answer now. */
export async function invokeAsync(lambda: LambdaClient, functionName: string | undefined, payload: { jobId: string; force: boolean }): Promise<void> {
  if (!functionName) {
    throw new ArchiverError('NoSelfInvoke', 'AWS_LAMBDA_FUNCTION_NAME is not set, so a running job cannot be handed to a background invocation.', {
      phase: 'wait', retryable: false, jobId: payload.jobId,
    });
  }
  try {
    const out = await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(payload)) }));
    if (out.StatusCode !== 202) throw new Error(`Invoke answered ${out.StatusCode}`);
  } catch (error) {
    throw new ArchiverError('HandOffFailed', `Could not hand job ${payload.jobId} to a background invocation.`, {
      phase: 'wait', retryable: true, jobId: payload.jobId, cause: error,
    });
  }
}
