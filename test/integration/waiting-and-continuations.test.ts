import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLL } from '../../lambda/archive/wait-for-import.ts';
import { DEFAULTS } from '../../lambda/contract/constants.ts';
import { completeResults } from '../../local/import-results.ts';
import { folder, hex, useArtifactHarness } from '../support/artifact-harness.ts';
import { sqsEvent } from '../support/events.ts';
import { SqsEndpoint } from '../support/sqs-endpoint.ts';

// A running import is waited for, across invocations when it outlasts one (a continuation), up to
// MAX_WAIT_MINUTES; waiting is never a failure (docs/contract.md, "What it does" step 3).

const h = useArtifactHarness();
let sqs: SqsEndpoint;
beforeAll(async () => {
  sqs = await SqsEndpoint.start();
});
afterAll(async () => {
  await sqs?.close();
});

const statusReads = (jobId: string) => h.stack.isc.requestsFor(`/import/${jobId}`).filter((r) => !r.path.endsWith('/download'));
const metricLines = (lines: Record<string, any>[]) => lines.filter((l) => l._aws?.CloudWatchMetrics);

describe('waiting for a running import', () => {
  it('polls an IN_PROGRESS import at growing intervals and archives it once it completes', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', runningPolls: 2, results: completeResults() });
    const result = await h.lambda.invoke({ jobId });
    expect(result).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED', status: 'COMPLETE' } });
    const reads = statusReads(jobId);
    expect(reads.map((r) => r.status)).toEqual([200, 200, 200]);
    // About 2 s, then 1.5 times that: neither a busy loop nor a fixed period.
    const gaps = [reads[1]!.at - reads[0]!.at, reads[2]!.at - reads[1]!.at];
    expect(gaps[0]).toBeGreaterThanOrEqual(POLL.firstMs - 50);
    expect(gaps[0]).toBeLessThan(POLL.firstMs + 1_000);
    expect(gaps[1]).toBeGreaterThanOrEqual(POLL.firstMs * POLL.factor - 50);
    expect(gaps[1]).toBeLessThan(POLL.firstMs * POLL.factor + 1_000);
  });

  it('hands a wait that outlasts the invocation to a new invocation (WAITING), without failing', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', runningForMs: 60_000, results: completeResults() });
    const before = h.stack.dev.lambda.invocations.length;
    const mark = h.lambda.mark();
    const started = Date.now();
    const result = await h.lambda.invoke({ jobId }, 6_000);
    expect(result).toMatchObject({
      ok: true,
      value: { outcome: 'WAITING', jobId, status: expect.stringMatching(/^(NOT_STARTED|IN_PROGRESS)$/), waitingSince: expect.any(String) },
    });
    const waitingSince = (result as { value: { waitingSince: string } }).value.waitingSince;
    expect(Date.parse(waitingSince)).toBeGreaterThanOrEqual(started - 1_000);
    const handed = h.stack.dev.lambda.invocations.slice(before);
    expect(handed).toEqual([{ functionName: 'isc-import-archiver', payload: { jobId, force: false, waitingSince } }]);
    expect(await h.stack.keys(folder(jobId))).toEqual([]);
    // Busy, not broken: counted as a continuation, never as a failure.
    const metrics = metricLines(h.lambda.jsonLines(mark));
    expect(metrics.find((m) => m.ContinuedWaiting !== undefined)).toMatchObject({ ContinuedWaiting: 1 });
    expect(metrics.filter((m) => m.Failures !== undefined)).toEqual([]);
  });

  it('continues the wait from the handed-off payload itself, carrying when the wait began', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', runningForMs: 60_000, results: completeResults() });
    const waitingSince = new Date(Date.now() - 30 * 60_000).toISOString();
    const before = h.stack.dev.lambda.invocations.length;
    const result = await h.lambda.invoke({ jobId, force: false, waitingSince }, 5_000);
    expect(result).toMatchObject({ ok: true, value: { outcome: 'WAITING', waitingSince } });
    expect(h.stack.dev.lambda.invocations.slice(before)).toEqual([
      { functionName: 'isc-import-archiver', payload: { jobId, force: false, waitingSince } },
    ]);
  });

  it(`fails with ImportStillRunning naming how long it waited once MAX_WAIT_MINUTES (default ${DEFAULTS.maxWaitMinutes}) have passed`, async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', runningForMs: 60_000, results: completeResults() });
    const before = h.stack.dev.lambda.invocations.length;
    const waitingSince = new Date(Date.now() - (DEFAULTS.maxWaitMinutes + 1) * 60_000).toISOString();
    const late = await h.lambda.invoke({ jobId, waitingSince }, 6_000);
    expect(late).toMatchObject({ ok: false, error: { name: 'Permanent.ImportStillRunning', jobId } });
    expect((late as any).error.message).toMatch(new RegExp(`after ${DEFAULTS.maxWaitMinutes + 1} minutes of waiting`));
    expect(h.stack.dev.lambda.invocations.length).toBe(before);
  });

  it('honours MAX_WAIT_MINUTES from the environment', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', runningForMs: 60_000, results: completeResults() });
    const short = await h.container({ MAX_WAIT_MINUTES: '5' });
    const within = await short.invoke({ jobId, waitingSince: new Date(Date.now() - 4 * 60_000).toISOString() }, 4_000);
    expect(within).toMatchObject({ ok: true, value: { outcome: 'WAITING' } });
    const past = await short.invoke({ jobId, waitingSince: new Date(Date.now() - 6 * 60_000).toISOString() }, 4_000);
    expect(past).toMatchObject({ ok: false, error: { name: 'Permanent.ImportStillRunning' } });
    expect((past as any).error.message).toMatch(/after 6 minutes of waiting/);
  });
});

describe('continuations through the deliveries queue (ARCHIVE_QUEUE_URL)', () => {
  it('sends the continuation to the queue as a direct-invoke body instead of invoking itself', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', runningForMs: 60_000, results: completeResults() });
    const queued = await h.container({ ARCHIVE_QUEUE_URL: sqs.queueUrl });
    const invocationsBefore = h.stack.dev.lambda.invocations.length;
    const sentBefore = sqs.sent.length;

    const result = await queued.invoke({ jobId }, 5_000);

    expect(result).toMatchObject({ ok: true, value: { outcome: 'WAITING', jobId } });
    const { waitingSince } = (result as { value: { waitingSince: string } }).value;
    const sent = sqs.sent.slice(sentBefore);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ QueueUrl: sqs.queueUrl, DelaySeconds: 0 });
    expect(JSON.parse(sent[0]!.MessageBody)).toEqual({ jobId, force: false, waitingSince });
    expect(h.stack.dev.lambda.invocations.length).toBe(invocationsBefore);

    // The queue delivers that body in a batch: the wait goes on, and the record is not a failure.
    const batch = await queued.invoke(sqsEvent([{ messageId: 'm-continue', body: sent[0]!.MessageBody }]), 5_000);
    expect(batch).toEqual({ ok: true, value: { batchItemFailures: [] }, id: expect.any(Number) });
    expect(JSON.parse(sqs.sent.at(-1)!.MessageBody)).toEqual({ jobId, force: false, waitingSince });
  });
});
