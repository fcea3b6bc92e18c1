import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, vi } from 'vitest';
import { metrics } from '../../lambda/invocation/runtime.ts';
import { captureOutput } from './invocation-runtime.ts';
import { type LocalS3Store, useLocalS3Store } from './local-s3-store.ts';

/**
 * What the door tests share: the real local S3 (handed to `started` once it runs), the Lambda,
 * SQS and EventBridge clients mocked to accept a hand-off, a queued message and an event, and the
 * module's log and metric lines captured per test (metrics flushed after each).
 */
export function useDoorTestBed(started: (store: LocalS3Store) => void) {
  const lambda = mockClient(LambdaClient);
  const sqs = mockClient(SQSClient);
  const events = mockClient(EventBridgeClient);
  let printed: () => Record<string, any>[] = () => [];
  useLocalS3Store(started);
  beforeEach(() => {
    lambda.reset();
    sqs.reset();
    events.reset();
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
    printed = captureOutput();
  });
  afterEach(() => {
    metrics.flush();
    vi.restoreAllMocks();
  });
  return { lambda, sqs, events, output: () => printed() };
}
