import { describe, expect, it } from 'vitest';
import { completeResults } from '../../local/import-results.ts';
import { hex, useArtifactHarness } from '../support/artifact-harness.ts';
import { eventBridgeEvent, sqsEvent } from '../support/events.ts';

// Deliveries through the queue: a batch of records whose bodies are EventBridge events or
// direct-invoke events, answered with the records to retry and only those (docs/contract.md).

const h = useArtifactHarness();

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

  it('names the message in the claim, so a redelivery of the same message after a crash takes it back at once', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    const { front, env } = await h.front();
    const stall = front.stall(`${jobId}/download`);
    const crashing = await h.container(env);
    const batch = sqsEvent([{ messageId: 'm-claim', body: { jobId } }]);
    void crashing.invoke(batch, 60_000);
    await stall.reached;
    let claim: any;
    for (let i = 0; i < 100 && !claim; i++) {
      claim = await h.claimOf(jobId);
      if (!claim) await new Promise((r) => setTimeout(r, 50));
    }
    expect(claim).toMatchObject({ requestId: 'sqs:m-claim' });
    await crashing.kill();

    const started = Date.now();
    const redelivered = await h.lambda.invoke(batch, 60_000);
    expect(redelivered).toMatchObject({ ok: true, value: { batchItemFailures: [] } });
    expect(Date.now() - started).toBeLessThan(10_000);
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
