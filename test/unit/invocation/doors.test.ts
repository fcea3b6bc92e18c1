import { randomBytes } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { archiveKeys } from '../../../lambda/contract/archive-keys.ts';
import { loadConfig } from '../../../lambda/contract/config.ts';
import { archiveInBackground } from '../../../lambda/invocation/archive-door.ts';
import { handOff } from '../../../lambda/invocation/hand-off.ts';
import type { Runtime } from '../../../lambda/invocation/runtime.ts';
import { answerBatch } from '../../../lambda/invocation/sqs-door.ts';
import { completeResults } from '../../../local/import-results.ts';
import { type FakeIscJob, fakeIsc } from '../../support/archive-fakes.ts';
import { useDoorTestBed } from '../../support/door-test-bed.ts';
import type { LocalS3Store } from '../../support/local-s3-store.ts';

// The doors of asynchronous deliveries (direct invoke, EventBridge, the queue) with the real local
// S3 and mocked Lambda, SQS and EventBridge clients: hand-offs, continuations, batch answers.

let s3: LocalS3Store;
const { lambda, sqs, events } = useDoorTestBed((store) => (s3 = store));

const hex = () => randomBytes(16).toString('hex');
const clock = (ms: number) => ({ getRemainingTimeInMillis: () => ms });

function runtime(jobId: string, job: FakeIscJob, env: Record<string, string> = {}): Runtime {
  return {
    config: loadConfig({ ARCHIVE_BUCKET: s3.bucket, AWS_LAMBDA_FUNCTION_NAME: 'isc-import-archiver', ISC_SECRET_ID: 'x', ...env }),
    credentials: {
      get: async () => ({
        baseUrl: 'https://acme.api.identitynow.com',
        tokenUrl: 'https://acme.api.identitynow.com/oauth/token',
        tenant: 'acme',
        clientId: 'id',
        clientSecret: 's',
      }),
    },
    isc: fakeIsc(jobId, job),
    store: s3.store,
    lambda: () => new LambdaClient({ region: 'us-east-1' }),
    events: () => new EventBridgeClient({ region: 'us-east-1' }),
    sqs: () => new SQSClient({ region: 'us-east-1' }),
  };
}

describe('handOff', () => {
  it('invokes the function itself asynchronously with the payload when there is no queue', async () => {
    const rt = runtime(hex(), { statuses: ['COMPLETE'] });
    const signal = AbortSignal.timeout(5_000);
    expect(await handOff(rt, { jobId: 'j', force: true, waitingSince: '2026-12-01T10:00:00.000Z' }, signal)).toBe('invoke');
    // The caller's deadline goes with the call: the SDK stops the request and its retries on it.
    expect((lambda.commandCalls(InvokeCommand)[0]!.args as unknown[])[1]).toMatchObject({ abortSignal: signal });
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'isc-import-archiver', InvocationType: 'Event' });
    expect(JSON.parse(Buffer.from(input.Payload as Uint8Array).toString())).toEqual({
      jobId: 'j',
      force: true,
      waitingSince: '2026-12-01T10:00:00.000Z',
    });
  });

  it.each([
    [0, 0],
    [12.4, 12],
    [-5, 0],
    [5_000, 900],
  ])('sends to the queue when there is one, delay %d s as %d s (SQS allows 0 to 900)', async (asked, sent) => {
    const rt = runtime(
      hex(),
      { statuses: ['COMPLETE'] },
      { ARCHIVE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/deliveries' },
    );
    const signal = AbortSignal.timeout(5_000);
    expect(await handOff(rt, { jobId: 'j' }, signal, asked)).toBe('queue');
    expect((sqs.commandCalls(SendMessageCommand)[0]!.args as unknown[])[1]).toMatchObject({ abortSignal: signal });
    expect(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/deliveries',
      MessageBody: '{"jobId":"j"}',
      DelaySeconds: sent,
    });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it.each([
    ['Lambda answers other than 202', () => lambda.on(InvokeCommand).resolves({ StatusCode: 200 }), {}],
    ['Lambda refuses', () => lambda.on(InvokeCommand).rejects(new Error('TooManyRequestsException')), {}],
    ['there is neither a queue nor a function name', () => {}, { AWS_LAMBDA_FUNCTION_NAME: '' }],
  ])('fails retryably, naming the job, when %s', async (_when, arrange, env) => {
    arrange();
    const rt = runtime(hex(), { statuses: ['COMPLETE'] }, env);
    await expect(handOff(rt, { jobId: 'j-1' }, AbortSignal.timeout(5_000))).rejects.toMatchObject({
      name: 'HandOffFailed',
      retryable: true,
      phase: 'wait',
      jobId: 'j-1',
      message: 'Could not hand job j-1 to a later invocation.',
    });
  });
});

describe('archiveInBackground', () => {
  it('answers an archived job with the result body and publishes the archived event', async () => {
    const jobId = hex();
    const rt = runtime(jobId, { statuses: ['COMPLETE'], results: completeResults() }, { ARCHIVE_EVENT_BUS: 'audit' });
    const answer = await archiveInBackground({ action: 'archive', jobId, force: false }, rt, clock(60_000), 'req-1');
    expect(answer).toEqual({
      outcome: 'ARCHIVED',
      jobId,
      status: 'COMPLETE',
      exportJobId: null,
      bucket: s3.bucket,
      manifestKey: archiveKeys('sp-config/', 'acme', jobId).manifest,
      summary: { byType: expect.any(Object), totals: { infos: 5, warnings: 1, errors: 0, importedObjects: 5 } },
    });
    expect(events.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]).toMatchObject({
      EventBusName: 'audit',
      DetailType: 'SP-Config Import Archived',
    });
    // Already archived: no second event.
    await archiveInBackground({ action: 'archive', jobId, force: false }, rt, clock(60_000), 'req-2');
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(1);
  });

  it('publishes no event without ARCHIVE_EVENT_BUS', async () => {
    const jobId = hex();
    await archiveInBackground(
      { action: 'archive', jobId, force: false },
      runtime(jobId, { statuses: ['COMPLETE'], results: completeResults() }),
      clock(60_000),
      'r',
    );
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('continues the wait of a running import in a new invocation, carrying when it began', async () => {
    const jobId = hex();
    const waitingSince = new Date(Date.now() - 10 * 60_000).toISOString();
    const answer = await archiveInBackground(
      { action: 'archive', jobId, force: true, waitingSince },
      runtime(jobId, { statuses: ['IN_PROGRESS'] }),
      clock(2_000),
      'r',
    );
    expect(answer).toEqual({
      outcome: 'WAITING',
      jobId,
      status: 'IN_PROGRESS',
      waitingSince,
      exportJobId: null,
      bucket: null,
      manifestKey: null,
      summary: null,
    });
    expect(JSON.parse(Buffer.from(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array).toString())).toEqual({
      jobId,
      force: true,
      waitingSince,
    });
  });

  it('starts the wait now when the delivery is not a continuation', async () => {
    const jobId = hex();
    const before = Date.now();
    const answer = (await archiveInBackground(
      { action: 'archive', jobId, force: false },
      runtime(jobId, { statuses: ['NOT_STARTED'] }),
      clock(2_000),
      'r',
    )) as { waitingSince: string };
    expect(Date.parse(answer.waitingSince)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(answer.waitingSince)).toBeLessThanOrEqual(Date.now());
  });

  it('fails with ImportStillRunning once MAX_WAIT_MINUTES have passed, and hands nothing on', async () => {
    const jobId = hex();
    const rt = runtime(jobId, { statuses: ['IN_PROGRESS'] }, { MAX_WAIT_MINUTES: '30' });
    const at = (minutes: number) => new Date(Date.now() - minutes * 60_000 - 1_000).toISOString();
    await expect(
      archiveInBackground({ action: 'archive', jobId, force: false, waitingSince: at(30) }, rt, clock(2_000), 'r'),
    ).rejects.toMatchObject({
      name: 'Permanent.ImportStillRunning',
      jobId,
      message: `Import ${jobId} is still IN_PROGRESS after 30 minutes of waiting (MAX_WAIT_MINUTES); it was not archived.`,
    });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(
      await archiveInBackground({ action: 'archive', jobId, force: false, waitingSince: at(29) }, rt, clock(2_000), 'r'),
    ).toMatchObject({ outcome: 'WAITING' });
  });

  it('comes back after a live holder’s deadline through the queue, without taking its claim', async () => {
    const jobId = hex();
    const lease = archiveKeys('sp-config/', 'acme', jobId).lease;
    const holderDeadline = Date.now() + 120_000;
    await s3.write(lease, JSON.stringify({ requestId: 'req-live', deadline: new Date(holderDeadline).toISOString() }));
    const rt = runtime(
      jobId,
      { statuses: ['COMPLETE'], results: completeResults() },
      { ARCHIVE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/deliveries' },
    );
    const answer = await archiveInBackground({ action: 'archive', jobId, force: false }, rt, clock(2_000), 'req-me');
    expect(answer).toMatchObject({ outcome: 'WAITING', jobId, status: 'BEING_ARCHIVED' });
    const delay = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.DelaySeconds!;
    expect(delay).toBeGreaterThanOrEqual(119);
    expect(delay).toBeLessThanOrEqual(122);
    expect(JSON.parse((await s3.read(lease))!.toString()).requestId).toBe('req-live');
  });
});

describe('answerBatch', () => {
  it('names each failing or unreadable record and no other', async () => {
    const good = hex();
    const rt = runtime(good, { statuses: ['COMPLETE'], results: completeResults() });
    const answer = await answerBatch(
      {
        source: 'sqs',
        records: [
          { messageId: 'ok', request: { source: 'direct', work: { action: 'archive', jobId: good, force: false } } },
          { messageId: 'unknown', request: { source: 'direct', work: { action: 'archive', jobId: hex(), force: false } } },
          { messageId: 'unreadable', request: { invalid: new Error('not JSON') } },
        ],
      },
      rt,
      clock(60_000),
      'batch-request',
    );
    // The fake ISC knows only `good`: the other job is a permanent 404, named all the same.
    expect(answer.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['unknown', 'unreadable']);
  });
});
