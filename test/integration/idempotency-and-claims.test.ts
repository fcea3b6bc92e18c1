import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { completeResults } from '../../local/import-results.ts';
import { hex, keysOf, sha, useArtifactHarness } from '../support/artifact-harness.ts';
import { eventBridgeEvent, httpEvent, routeEvent } from '../support/events.ts';
import type { LambdaContainer } from '../support/lambda-container.ts';

// One complete archive per job whatever the deliveries do: duplicates, races, force, and crashes
// (docs/contract.md, "S3 layout" and "Trust": the claim names its holder and the holder's deadline).

const h = useArtifactHarness();

/** The same results with `n` trailing spaces: still the same JSON, but other bytes and another hash. */
const variant = (n: number) => (body: Buffer) => Buffer.concat([body, Buffer.from(' '.repeat(n))]);

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A container whose results download for `jobId` holds mid-body once it holds the claim. */
async function holderStalledMidArchive(jobId: string, timeoutMs: number, requestId: string, rewrite?: (b: Buffer) => Buffer) {
  const { front, env } = await h.front();
  if (rewrite) front.rewrite(`${jobId}/download`, rewrite);
  const stall = front.stall(`${jobId}/download`);
  const holder = await h.container(env);
  const invokedAt = Date.now();
  const result = holder.invoke({ jobId }, timeoutMs, requestId);
  await stall.reached;
  const claim = await until('the claim', () => h.claimOf(jobId));
  return { holder, invokedAt, result, claim, release: stall.release };
}

async function expectResultsAre(jobId: string, bytes: string) {
  const manifest = await h.manifestOf(jobId);
  await h.expectManifestHonest(manifest);
  expect((await h.stack.getObject(keysOf(jobId).results))!.body.toString()).toBe(bytes);
  // A written manifest releases the claim by itself: any claim left was taken before it was archived.
  const claim = await h.claimOf(jobId);
  if (claim) expect(claim.claimedAt <= manifest.archivedAt).toBe(true);
}

describe('duplicates and force', () => {
  it('answers a duplicate delivery from the manifest without calling ISC', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    await h.lambda.invoke({ jobId });
    const before = h.stack.isc.requests.length;
    const again = await h.lambda.invoke({ jobId });
    expect(again).toMatchObject({ ok: true, value: { outcome: 'ALREADY_ARCHIVED', jobId, status: 'COMPLETE' } });
    expect(h.stack.isc.requests.length).toBe(before);
    // Only the archive that did the work announces it.
    expect(h.stack.dev.events.events.filter((e) => e.Detail?.includes(jobId))).toHaveLength(1);
  });

  it('archives again when forced by a direct invoke, replacing the manifest with one naming the new bytes', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    await h.lambda.invoke({ jobId });
    const first = await h.manifestOf(jobId);
    const { front, env } = await h.front();
    front.rewrite(`${jobId}/download`, variant(3));
    const forced = await (await h.container(env)).invoke({ jobId, force: true });
    expect(forced).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED' } });
    const second = await h.manifestOf(jobId);
    expect(Date.parse(second.archivedAt)).toBeGreaterThan(Date.parse(first.archivedAt));
    const hashes = (m: any) => Object.fromEntries(m.objects.map((o: any) => [o.role, o.sha256]));
    expect(hashes(second).results).toBe(sha(`${completeResults()}   `));
    expect(hashes(second).results).not.toBe(hashes(first).results);
    expect(hashes(second).report).not.toBe(hashes(first).report);
    await expectResultsAre(jobId, `${completeResults()}   `);
    expect(h.stack.isc.requestsFor(`${jobId}/download`)).toHaveLength(2);
  });

  it('forces through the rearchive route only: POST .../archive?force=true and an EventBridge detail.force do not', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    await h.lambda.invoke({ jobId });
    const first = await h.manifestOf(jobId);
    const requests = h.stack.isc.requests.length;
    const mark = h.lambda.mark();

    const rest = await h.lambda.invoke(routeEvent('archive', jobId, { force: 'true' }));
    const http = await h.lambda.invoke(httpEvent('POST', `/imports/${jobId}/archive`, jobId, 'force=true'));
    const event = await h.lambda.invoke(eventBridgeEvent({ jobId, force: true }));

    for (const answer of [rest, http]) {
      expect(answer).toMatchObject({ ok: true, value: { statusCode: 200 } });
      expect(JSON.parse((answer as any).value.body)).toMatchObject({ outcome: 'ALREADY_ARCHIVED' });
    }
    expect(event).toMatchObject({ ok: true, value: { outcome: 'ALREADY_ARCHIVED' } });
    expect(h.stack.isc.requests.length).toBe(requests);
    expect((await h.manifestOf(jobId)).archivedAt).toBe(first.archivedAt);
    expect(h.lambda.jsonLines(mark).find((l) => l.message?.startsWith('Ignoring detail.force'))).toMatchObject({ level: 'WARN', jobId });

    const rearchive = await h.lambda.invoke(routeEvent('rearchive', jobId));
    expect(rearchive).toMatchObject({ ok: true, value: { statusCode: 200 } });
    expect(JSON.parse((rearchive as any).value.body)).toMatchObject({ outcome: 'ARCHIVED', jobId });
    expect(Date.parse((await h.manifestOf(jobId)).archivedAt)).toBeGreaterThan(Date.parse(first.archivedAt));
  });

  it('keeps the archived backup when a forced re-archive finds ISC no longer serves it', async () => {
    const jobId = hex();
    const exportJobId = hex();
    const document = '{"version":1,"objects":[{"version":1,"self":{"type":"SOURCE","id":"s1","name":"S"},"object":{}}]}';
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults(exportJobId), backup: { exportJobId, document } });
    await h.lambda.invoke({ jobId });
    const first = await h.manifestOf(jobId);
    expect(first.backup.state).toBe('ARCHIVED');
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults(exportJobId), backup: { exportJobId, document: 'gone' } });

    const forced = await h.lambda.invoke({ jobId, force: true });

    expect(forced).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED' } });
    const second = await h.manifestOf(jobId);
    expect(Date.parse(second.archivedAt)).toBeGreaterThan(Date.parse(first.archivedAt));
    expect(second.backup.state).toBe('ARCHIVED');
    expect(second.backup.reason).toMatch(/kept/i);
    expect(second.backup.reason).toContain(first.archivedAt);
    const backupOf = (m: any) => m.objects.find((o: any) => o.role === 'backup');
    expect(backupOf(second)).toEqual(backupOf(first));
    expect((await h.stack.getObject(keysOf(jobId).backup(exportJobId)))!.body.toString()).toBe(document);
    await h.expectManifestHonest(second);
  });

  // Issue 10.6(c): on a bucket without versions, a forced run that fails part-way must not leave
  // the earlier manifest naming bytes it has since overwritten.
  // On a versioned bucket (the stack's) the earlier manifest names the versions it vouches for, so a
  // failed re-archive leaves it true. The local S3 keeps no versions: what it shows is what the README
  // says an unversioned bucket can promise, a manifest never replaced by a failed run, and results
  // replaced only by whole, valid ones.
  it('writes no manifest when a forced re-archive fails part-way, and replaces results only with whole ones', async () => {
    const jobId = hex();
    const exportJobId = hex();
    const document = '{"version":1,"objects":[]}';
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults(exportJobId), backup: { exportJobId, document } });
    await h.lambda.invoke({ jobId });
    const first = await h.manifestOf(jobId);
    const faults = Array.from({ length: 8 }, () => ({ on: 'backup' as const, status: 502 }));
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults(exportJobId), backup: { exportJobId, document }, faults });
    const { front, env } = await h.front();
    front.rewrite(`${jobId}/download`, variant(5));

    const forced = await (await h.container(env)).invoke({ jobId, force: true }, 8_000);

    expect(forced).toMatchObject({ ok: false, error: { retryable: true } });
    expect(await h.manifestOf(jobId)).toEqual(first);
    const results = (await h.stack.getObject(keysOf(jobId).results))!.body.toString();
    expect([completeResults(exportJobId), variant(5)(Buffer.from(completeResults(exportJobId))).toString()]).toContain(results);
    expect(() => JSON.parse(results)).not.toThrow();
  });
});

describe('a forced re-archive meeting a crashed forced run', () => {
  it('waits out the crashed holder and archives anew, never answering with the manifest from before', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    await h.lambda.invoke({ jobId });
    const before = await h.manifestOf(jobId);
    const { front, env } = await h.front();
    const stall = front.stall(`${jobId}/download`);
    const crashing = await h.container(env);
    void crashing.invoke({ jobId, force: true }, 6_000, randomUUID());
    await stall.reached;
    const claim = await until('the forced run’s claim', async () => {
      const current = await h.claimOf(jobId);
      return current && current.claimedAt > before.archivedAt ? current : undefined;
    });
    await crashing.kill();

    const again = await (await h.container()).invoke({ jobId, force: true }, 60_000, randomUUID());
    expect(again).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED' } });
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(claim.deadline));
    expect((await h.manifestOf(jobId)).archivedAt > claim.claimedAt).toBe(true);
    await expectResultsAre(jobId, completeResults());
  });
});

describe('racing deliveries', () => {
  it('ends two simultaneous deliveries with one complete archive', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    const other = await h.container();
    const results = await Promise.all([h.lambda.invoke({ jobId }), other.invoke({ jobId })]);
    const outcomes = results.map((r) => (r.ok ? r.value.outcome : r.error.name)).sort();
    expect(outcomes).toEqual(['ALREADY_ARCHIVED', 'ARCHIVED']);
    expect(results.every((r) => r.ok && r.value.manifestKey === keysOf(jobId).manifest)).toBe(true);
    await expectResultsAre(jobId, completeResults());
  });

  it('keeps a second delivery from writing while the first holds the claim, so their bytes never mix', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    const first = await holderStalledMidArchive(jobId, 30_000, randomUUID(), variant(1));
    const { front, env } = await h.front();
    front.rewrite(`${jobId}/download`, variant(2));
    const second = (await h.container(env)).invoke({ jobId }, 30_000);
    // The second delivery reads the claim and watches S3 for the first one's manifest meanwhile.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await h.manifestOf(jobId)).toBeUndefined();
    first.release();
    expect(await first.result).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED' } });
    expect(await second).toMatchObject({ ok: true, value: { outcome: 'ALREADY_ARCHIVED' } });
    await expectResultsAre(jobId, `${completeResults()} `);
  });

  it.each([
    ['before any archive', false],
    ['over an archive', true],
  ])('never leaves a mix when a normal and a forced delivery race %s', async (_when, archivedFirst) => {
    for (let round = 0; round < 3; round++) {
      const jobId = hex();
      h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
      if (archivedFirst) await h.lambda.invoke({ jobId });
      const [a, b] = await Promise.all([h.front(), h.front()]);
      a.front.rewrite(`${jobId}/download`, variant(1));
      b.front.rewrite(`${jobId}/download`, variant(2));
      const [normal, forced] = await Promise.all([h.container(a.env), h.container(b.env)]);
      const answers = await Promise.all([normal.invoke({ jobId }), forced.invoke({ jobId, force: true })]);
      expect(answers.map((r) => r.ok)).toEqual([true, true]);
      const manifest = await h.manifestOf(jobId);
      await h.expectManifestHonest(manifest);
      const stored = (await h.stack.getObject(keysOf(jobId).results))!.body.toString();
      expect([completeResults(), `${completeResults()} `, `${completeResults()}  `]).toContain(stored);
      if (archivedFirst) expect(stored).toBe(`${completeResults()}  `);
      await Promise.all([normal.stop(), forced.stop()]);
    }
  });
});

describe('a delivery killed mid-archive (SIGKILL)', () => {
  it('leaves a claim naming its request id and its deadline', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    const requestId = randomUUID();
    const { holder, invokedAt, claim } = await holderStalledMidArchive(jobId, 45_000, requestId);
    await holder.kill();
    expect(claim).toEqual({ requestId, deadline: expect.any(String), claimedAt: expect.any(String) });
    expect(Date.parse(claim.deadline)).toBeGreaterThanOrEqual(invokedAt + 45_000 - 1_000);
    expect(Date.parse(claim.deadline)).toBeLessThanOrEqual(invokedAt + 45_000 + 1_000);
    expect(await h.manifestOf(jobId)).toBeUndefined();
    expect(await h.stack.keys(keysOf(jobId).folder)).toEqual([keysOf(jobId).lease]);
  });

  it("lets Lambda's retry of the same request take the claim back at once and archive", async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    const requestId = randomUUID();
    const { holder } = await holderStalledMidArchive(jobId, 60_000, requestId);
    await holder.kill();

    const retry = await h.container();
    const started = Date.now();
    const result = await retry.invoke({ jobId }, 60_000, requestId);

    expect(result).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED' } });
    // At once: nowhere near the dead holder's deadline, a minute away.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(retry.jsonLines().some((l) => l.message === 'Taking over the claim: a retry of this request')).toBe(true);
    await expectResultsAre(jobId, completeResults());
  });

  it('answers an API POST with 202 at once while the dead holder could still be running, and a later delivery takes over after its deadline', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    const { holder, claim } = await holderStalledMidArchive(jobId, 12_000, randomUUID());
    await holder.kill();
    const holderDeadline = Date.parse(claim.deadline);

    const posted = Date.now();
    const handOffs = h.stack.dev.lambda.invocations.length;
    const api = await h.lambda.invoke(routeEvent('archive', jobId));
    expect(Date.now() - posted).toBeLessThan(5_000);
    expect(api).toMatchObject({ ok: true, value: { statusCode: 202 } });
    expect(JSON.parse((api as any).value.body)).toMatchObject({ jobId, status: 'ARCHIVING' });
    expect(Date.now()).toBeLessThan(holderDeadline);
    expect(await h.manifestOf(jobId)).toBeUndefined();

    // The API handed the job to a background delivery, which takes over once the dead holder's deadline passes.
    const handedOff = h.stack.dev.lambda.invocations.slice(handOffs);
    expect(handedOff).toEqual([expect.objectContaining({ payload: { jobId, force: false, waitingSince: expect.any(String) } })]);
    const later: LambdaContainer = await h.container();
    const result = await later.invoke(handedOff[0]!.payload, 40_000, randomUUID());
    expect(result).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED' } });
    expect(Date.now()).toBeGreaterThanOrEqual(holderDeadline);
    const lines = later.jsonLines().map((l) => l.message);
    expect(lines).toContain('Another delivery is archiving this job; watching for its manifest');
    expect(lines).toContain('Taking over the claim: its holder has run out of time');
    await expectResultsAre(jobId, completeResults());
  });
});
