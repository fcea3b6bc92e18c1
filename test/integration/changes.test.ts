import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_JOBS, DEMO_OBJECTS, seedDemoTenant } from '../../local/demo-tenant.ts';
import { LambdaContainer } from '../support/lambda-container.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';

// What an import changed, through the built bundle against the ISC double: the double runs the demo
// import for real (its backup is the state before, its tenant the state after), and serves the
// after-state export the function asks for.

const COMPLETE = DEMO_JOBS[0]!.jobId;
const folder = (jobId: string, prefix = 'sp-config/') => `${prefix}acme/imports/${jobId}/`;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let stack: TestStack;
let lambda: LambdaContainer;
let noChanges: LambdaContainer;

beforeAll(async () => {
  stack = await startTestStack({ behaviour: { exportDelayMs: 50 } });
  seedDemoTenant(stack.isc);
  lambda = await LambdaContainer.start(stack.env());
  noChanges = await LambdaContainer.start(stack.env({ ARCHIVE_CHANGES: 'false' }));
});

afterAll(async () => {
  await Promise.all([lambda?.stop(), noChanges?.stop()]);
  await stack?.stop();
});

beforeEach(() => {
  stack.isc.behaviour.exports = 'complete';
});

async function json(key: string) {
  const stored = await stack.getObject(key);
  return stored && JSON.parse(stored.body.toString());
}

/** A first archive of the demo import: under a prefix of its own, no earlier archive to keep changes from. */
let prefixes = 0;
async function firstArchive(env: Record<string, string>, event: object, timeoutMs?: number) {
  const prefix = `first-${++prefixes}/`;
  const container = await LambdaContainer.start(stack.env({ ARCHIVE_PREFIX: prefix, ...env }));
  try {
    const result = await container.invoke(event, timeoutMs);
    return { result, manifest: await json(`${folder(COMPLETE, prefix)}manifest.json`) };
  } finally {
    await container.stop();
  }
}

describe('what an import changed', () => {
  it('exports exactly the touched objects and records a changed, a created and an unchanged object', async () => {
    const before = stack.isc.exportRequests.length;
    const result = await lambda.invoke({ jobId: COMPLETE, force: true });
    expect(result).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED' } });

    const asked = stack.isc.exportRequests.slice(before);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.payload).toMatchObject({
      includeTypes: ['RULE', 'SOURCE', 'TRANSFORM'],
      objectOptions: {
        RULE: { includedIds: [DEMO_OBJECTS.unchanged.id] },
        SOURCE: { includedIds: [DEMO_OBJECTS.created.id] },
        TRANSFORM: { includedIds: [DEMO_OBJECTS.changed.id] },
      },
    });

    const manifest = await json(`${folder(COMPLETE)}manifest.json`);
    expect(manifest.changes).toMatchObject({
      state: 'COMPUTED',
      afterExportJobId: asked[0]!.jobId,
      counts: { created: 1, changed: 1, unchanged: 1, unknown: 0 },
    });
    expect(manifest.changes.afterExportedAt).toEqual(expect.any(String));
    const changes = await json(`${folder(COMPLETE)}changes.json`);
    const byType = Object.fromEntries(changes.objects.map((o: any) => [o.type, o]));
    expect(byType.TRANSFORM).toMatchObject({ change: 'CHANGED', id: DEMO_OBJECTS.changed.id });
    expect(byType.TRANSFORM.fields).toEqual([
      { path: '/attributes/input/attributes/attributeName', before: 'email', after: 'mail' },
      { path: '/attributes/input/attributes/sourceName', before: 'Workday HR', after: 'Active Directory' },
    ]);
    expect(byType.SOURCE).toMatchObject({ change: 'CREATED', fields: [] });
    expect(byType.RULE).toMatchObject({ change: 'UNCHANGED', fields: [] });
    expect(changes.before).toEqual({ exportJobId: manifest.exportJobId, key: `${folder(COMPLETE)}exports/${manifest.exportJobId}.json` });

    // The after-state and changes.json are archived objects like the others: named, sized, hashed.
    for (const role of ['after', 'changes']) {
      const object = manifest.objects.find((o: any) => o.role === role);
      const stored = await stack.getObject(object.key);
      expect(stored!.body.length).toBe(object.bytes);
      expect(sha(stored!.body)).toBe(object.sha256);
    }
    const report = (await stack.getObject(`${folder(COMPLETE)}report.html`))!.body.toString();
    expect(report).toContain('What changed');
    expect(report).toContain('/attributes/input/attributes/sourceName');
  });

  it('asks for no export and says DISABLED when ARCHIVE_CHANGES is false', async () => {
    const before = stack.isc.exportRequests.length;
    const { result, manifest } = await firstArchive({ ARCHIVE_CHANGES: 'false' }, { jobId: COMPLETE });
    expect(result).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED' } });
    expect(stack.isc.exportRequests.length).toBe(before);
    expect(manifest.changes).toMatchObject({ state: 'DISABLED', afterExportJobId: null });
    expect(manifest.objects.map((o: any) => o.role)).toEqual(['results', 'backup', 'report']);
  });

  it.each([
    ['refused (403 without sp:config:read)', 'refuse', /403|scope/],
    ['failed', 'fail', /ended FAILED/],
  ] as const)('completes the archive with changes UNAVAILABLE when the export is %s', async (_what, exports, reason) => {
    stack.isc.behaviour.exports = exports;
    const { result, manifest } = await firstArchive({}, { jobId: COMPLETE });
    expect(result).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED' } });
    expect(manifest.changes.state).toBe('UNAVAILABLE');
    expect(manifest.changes.reason).toMatch(reason);
    expect(manifest.backup.state).toBe('ARCHIVED');
  });

  it('completes the archive with changes UNAVAILABLE when the export outlasts the invocation', async () => {
    stack.isc.behaviour.exports = 'stall';
    const { result, manifest } = await firstArchive({}, { jobId: COMPLETE }, 8_000);
    expect(result).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED' } });
    expect(manifest.changes).toMatchObject({ state: 'UNAVAILABLE', reason: expect.stringMatching(/time ran low/) });
  });

  it('keeps the changes computed before when a forced re-archive cannot compute them (never worse), saying why', async () => {
    expect(await lambda.invoke({ jobId: COMPLETE, force: true })).toMatchObject({ ok: true });
    const before = await json(`${folder(COMPLETE)}manifest.json`);
    expect(before.changes.state).toBe('COMPUTED');
    stack.isc.behaviour.exports = 'refuse';
    expect(await lambda.invoke({ jobId: COMPLETE, force: true })).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED' } });
    const after = await json(`${folder(COMPLETE)}manifest.json`);
    expect(after.archivedAt).not.toBe(before.archivedAt);
    expect(after.changes).toMatchObject({ ...before.changes, reason: expect.stringMatching(/^Kept from the archive of .*403|scope/) });
    const kept = (m: any) => m.objects.filter((o: any) => o.role === 'after' || o.role === 'changes');
    expect(kept(after)).toEqual(kept(before));
    // The report shows them too: the changed object is there, before and after.
    const report = (await stack.getObject(`${folder(COMPLETE)}report.html`))!.body.toString();
    expect(report).toContain(DEMO_OBJECTS.changed.id);
  });

  it('still compares with the backup kept from before when ISC no longer serves it', async () => {
    expect(await lambda.invoke({ jobId: COMPLETE, force: true })).toMatchObject({ ok: true });
    const before = await json(`${folder(COMPLETE)}manifest.json`);
    stack.isc.addFaults({ on: 'export-download', status: 404 });
    expect(await lambda.invoke({ jobId: COMPLETE, force: true })).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED' } });
    const after = await json(`${folder(COMPLETE)}manifest.json`);
    expect(after.backup).toMatchObject({ state: 'ARCHIVED', reason: expect.stringMatching(/^Kept from the archive of/) });
    expect(after.changes.state).toBe('COMPUTED');
    expect(after.changes.counts).toEqual(before.changes.counts);
    expect(after.changes.afterExportJobId).not.toBe(before.changes.afterExportJobId);
  });

  it('says NONE for a cancelled import, without asking ISC for an export', async () => {
    const before = stack.isc.exportRequests.length;
    const cancelled = DEMO_JOBS[3]!.jobId;
    expect(await lambda.invoke({ jobId: cancelled, force: true })).toMatchObject({ ok: true, value: { outcome: 'CANCELLED' } });
    expect(stack.isc.exportRequests.length).toBe(before);
    expect((await json(`${folder(cancelled)}manifest.json`)).changes).toMatchObject({ state: 'NONE' });
  });

  it('counts the changes in the metrics of the invocation', async () => {
    const start = lambda.jsonLines().length;
    await lambda.invoke({ jobId: COMPLETE, force: true });
    const emf = lambda
      .jsonLines()
      .slice(start)
      .find((l) => l._aws?.CloudWatchMetrics && 'ObjectsChanged' in l);
    expect(emf).toMatchObject({ ObjectsChanged: 1, ObjectsCreated: 1 });
  });
});
