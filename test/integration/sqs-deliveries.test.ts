import { describe, expect, it } from 'vitest';
import { completeResults } from '../../local/import-results.ts';
import { hex, useArtifactHarness } from '../support/artifact-harness.ts';
import { eventBridgeEvent, sqsEvent } from '../support/events.ts';

// Deliveries through the queue: a batch of records whose bodies are EventBridge events or
// direct-invoke events, answered with the records to retry and only those (docs/contract.md).

const h = useArtifactHarness();

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    const value = await probe();
    if (value !== undefined) return value;
  }
  throw new Error('timed out');
}

describe('SQS batches', () => {
  it('archives each record and names only the failing ones in batchItemFailures', async () => {
    const [fromEvent, direct, unknown] = [hex(), hex(), hex()];
    h.stack.isc.addJob(fromEvent, { status: 'COMPLETE', results: completeResults() });
    h.stack.isc.addJob(direct, { status: 'COMPLETE', results: completeResults() });

    const result = await h.lambda.invoke(
      sqsEvent([
        { messageId: 'm-event', body: eventBridgeEvent({ jobId: fromEvent }) },
        { messageId: 'm-unknown', body: { jobId: unknown } },
        { messageId: 'm-direct', body: { jobId: direct } },
        { messageId: 'm-not-json', body: 'archive ef38f94347e94562b5bb8424a56397d8 please' },
        { messageId: 'm-bad-id', body: { jobId: '../x' } },
      ]),
    );

    expect(result).toMatchObject({
      ok: true,
      value: { batchItemFailures: [{ itemIdentifier: 'm-unknown' }, { itemIdentifier: 'm-not-json' }, { itemIdentifier: 'm-bad-id' }] },
    });
    expect((result as any).value.batchItemFailures).toHaveLength(3);
    for (const jobId of [fromEvent, direct]) {
      const manifest = await h.manifestOf(jobId);
      expect(manifest).toMatchObject({ jobId, status: 'COMPLETE' });
      await h.expectManifestHonest(manifest);
    }
    expect(h.stack.isc.requestsFor(unknown)).toHaveLength(1);
  });

  it('a message handed to two invocations at once is archived by one; the other waits for its manifest', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    const batch = sqsEvent([{ messageId: 'm-twice', body: { jobId } }]);
    const first = await h.front();
    const stall = first.front.stall(`${jobId}/download`);
    const [a, b] = await Promise.all([h.container(first.env), h.container(h.stack.env())]);
    const answerA = a.invoke(batch, 60_000);
    await stall.reached;
    const claim = await until(() => h.claimOf(jobId));
    expect(claim.requestId).toMatch(/^sqs:m-twice:/);

    // The same message, a second receive, while the first still holds the claim: it must not take it.
    const answerB = b.invoke(batch, 60_000);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await h.claimOf(jobId)).toEqual(claim);
    stall.release();
    expect(await answerA).toMatchObject({ ok: true, value: { batchItemFailures: [] } });
    expect(await answerB).toMatchObject({ ok: true, value: { batchItemFailures: [] } });
    expect(b.jsonLines().map((l) => l.message)).not.toContain('Taking over the claim: a retry of this request');
    await h.expectManifestHonest(await h.manifestOf(jobId));
  });

  it('a redelivery after a crash takes the claim over once the crashed delivery’s deadline has passed', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    const { front, env } = await h.front();
    const stall = front.stall(`${jobId}/download`);
    const crashing = await h.container(env);
    const batch = sqsEvent([{ messageId: 'm-claim', body: { jobId } }]);
    // A short invocation: its claim names a deadline four seconds away.
    void crashing.invoke(batch, 4_000);
    await stall.reached;
    const claim = await until(() => h.claimOf(jobId));
    await crashing.kill();

    const redelivered = await h.lambda.invoke(batch, 60_000);
    expect(redelivered).toMatchObject({ ok: true, value: { batchItemFailures: [] } });
    // Not before the crashed holder's deadline: until then it might still be writing.
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(claim.deadline));
    await h.expectManifestHonest(await h.manifestOf(jobId));
  });

  it('ignores detail.force in an EventBridge body', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    await h.lambda.invoke({ jobId });
    const before = h.stack.isc.requests.length;
    const result = await h.lambda.invoke(sqsEvent([{ messageId: 'm-force', body: eventBridgeEvent({ jobId, force: true }) }]));
    expect(result).toMatchObject({ ok: true, value: { batchItemFailures: [] } });
    expect(h.stack.isc.requests.length).toBe(before);
  });
});
