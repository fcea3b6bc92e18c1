import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_BACKUP_JOB_ID, DEMO_JOBS, DEMO_OBJECTS, seedDemoTenant } from '../../local/demo-tenant.ts';
import { LambdaContainer } from '../support/lambda-container.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';

// Rolling an import back through the built bundle, against the ISC double, whose tenant the demo
// import really changed: preview, archive the preview, apply, archive the restore; and every way a
// restore is refused, with nothing reaching ISC.

const COMPLETE = DEMO_JOBS[0]!.jobId;
const FAILED = DEMO_JOBS[1]!.jobId;
const CANCELLED = DEMO_JOBS[3]!.jobId;
const folder = (jobId: string) => `sp-config/acme/imports/${jobId}/`;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let stack: TestStack;
let lambda: LambdaContainer;

beforeAll(async () => {
  stack = await startTestStack({ behaviour: { exportDelayMs: 20, importDelayMs: 20 } });
  seedDemoTenant(stack.isc);
  lambda = await LambdaContainer.start(stack.env());
  for (const jobId of [COMPLETE, CANCELLED]) expect(await lambda.invoke({ jobId })).toMatchObject({ ok: true });
});

afterAll(async () => {
  await lambda?.stop();
  await stack?.stop();
});

function api(method: string, path: string, jobId: string, body?: unknown) {
  return {
    httpMethod: method,
    path,
    resource: '/x',
    pathParameters: { jobId },
    requestContext: { stage: 'v1' },
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
  };
}

async function call(method: string, path: string, jobId: string, body?: unknown) {
  const result = await lambda.invoke(api(method, path, jobId, body));
  if (!result.ok) throw new Error(result.error.message);
  return { status: result.value.statusCode as number, body: JSON.parse(result.value.body) };
}

/** The hand-offs the function made (archives of the restore jobs), run as Lambda would run them. */
async function runHandOffs(from: number) {
  for (const invocation of stack.dev.lambda.invocations.slice(from)) {
    expect(await lambda.invoke(invocation.payload)).toMatchObject({ ok: true });
  }
}

async function manifestOf(jobId: string) {
  const stored = await stack.getObject(`${folder(jobId)}manifest.json`);
  return stored && JSON.parse(stored.body.toString());
}

describe('rolling an import back', () => {
  it('previews, then applies, a restore of the objects the import touched; each is archived and linked', async () => {
    const backup = (await stack.getObject(`${folder(COMPLETE)}exports/${DEMO_BACKUP_JOB_ID}.json`))!.body;
    const handOffs = stack.dev.lambda.invocations.length;
    const imports = stack.isc.importRequests.length;

    const preview = await call('POST', `/imports/${COMPLETE}/restore/preview`, COMPLETE);
    expect(preview.status).toBe(202);
    expect(preview.body).toMatchObject({
      restoreOf: COMPLETE,
      preview: true,
      selection: {
        includeTypes: ['RULE', 'TRANSFORM'],
        objectOptions: { RULE: { includedIds: [DEMO_OBJECTS.unchanged.id] }, TRANSFORM: { includedIds: [DEMO_OBJECTS.changed.id] } },
      },
      notRestorable: [{ type: 'SOURCE', id: DEMO_OBJECTS.created.id, reason: expect.stringMatching(/restore cannot delete/) }],
    });
    // What reached ISC: the backup's exact bytes, narrowed by options, as a preview.
    const sent = stack.isc.importRequests.slice(imports);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      preview: true,
      complete: true,
      dataBytes: backup.length,
      dataSha256: sha(backup),
      options: { includeTypes: ['RULE', 'TRANSFORM'] },
    });

    // The preview job is archived like any import, and links back to the original.
    await runHandOffs(handOffs);
    const previewManifest = await manifestOf(preview.body.jobId);
    expect(previewManifest).toMatchObject({ status: 'COMPLETE', restore: { of: COMPLETE, preview: true, previewJobId: null } });
    const previewResults = JSON.parse((await stack.getObject(`${folder(preview.body.jobId)}results.json`))!.body.toString());
    expect(JSON.stringify(previewResults)).toContain('IMPORT_PREVIEW');
    expect(stack.isc.state.get('TRANSFORM', DEMO_OBJECTS.changed.id)).toMatchObject({
      object: { attributes: { input: { attributes: { sourceName: 'Active Directory' } } } },
    });

    // Apply, twice: one import reaches ISC, and both answers name it.
    const applied = stack.dev.lambda.invocations.length;
    const first = await call('POST', `/imports/${COMPLETE}/restore/apply`, COMPLETE, { previewJobId: preview.body.jobId });
    const second = await call('POST', `/imports/${COMPLETE}/restore/apply`, COMPLETE, { previewJobId: preview.body.jobId });
    expect(first).toMatchObject({ status: 202, body: { preview: false, restoreOf: COMPLETE, previewJobId: preview.body.jobId } });
    expect(second.body.jobId).toBe(first.body.jobId);
    expect(stack.isc.importRequests.slice(imports).filter((r) => !r.preview)).toHaveLength(1);

    // The restore job is archived with its own pre-import backup and its changes: the rollback.
    await runHandOffs(applied);
    const restored = await manifestOf(first.body.jobId);
    expect(restored).toMatchObject({
      status: 'COMPLETE',
      restore: { of: COMPLETE, preview: false, previewJobId: preview.body.jobId },
      backup: { state: 'ARCHIVED' },
    });
    expect(restored.changes).toMatchObject({ state: 'COMPUTED', counts: { changed: 1, unchanged: 1 } });
    expect(stack.isc.state.get('TRANSFORM', DEMO_OBJECTS.changed.id)).toMatchObject({
      object: { attributes: { input: { attributes: { sourceName: 'Workday HR' } } } },
    });

    // GET of the original lists both restores, newest first; the restore's report links back.
    const original = await call('GET', `/imports/${COMPLETE}`, COMPLETE);
    expect(original.body.restores.map((r: any) => [r.jobId, r.preview])).toEqual([
      [first.body.jobId, false],
      [preview.body.jobId, true],
    ]);
    const report = (await stack.getObject(`${folder(first.body.jobId)}report.html`))!.body.toString();
    expect(report).toContain(`../${COMPLETE}/report.html`);
    // ...and the original's report links to its restores, its manifest vouching for the new bytes.
    const originalReport = (await stack.getObject(`${folder(COMPLETE)}report.html`))!.body;
    expect(originalReport.toString()).toContain(`../${first.body.jobId}/report.html`);
    expect(originalReport.toString()).toContain(`../${preview.body.jobId}/report.html`);
    const named = (await manifestOf(COMPLETE)).objects.find((o: any) => o.role === 'report');
    expect(named).toMatchObject({ bytes: originalReport.length, sha256: sha(originalReport) });
  });

  it('applies a preview narrowed by types with its previewJobId alone, narrowed the same (the apply is the same submission)', async () => {
    const handOffs = stack.dev.lambda.invocations.length;
    const imports = stack.isc.importRequests.length;
    const preview = await call('POST', `/imports/${COMPLETE}/restore/preview`, COMPLETE, { types: ['TRANSFORM'] });
    expect(preview).toMatchObject({ status: 202, body: { selection: { includeTypes: ['TRANSFORM'] } } });
    await runHandOffs(handOffs);

    const apply = await call('POST', `/imports/${COMPLETE}/restore/apply`, COMPLETE, { previewJobId: preview.body.jobId });
    expect(apply).toMatchObject({ status: 202, body: { preview: false, previewJobId: preview.body.jobId } });
    expect(apply.body.selection).toEqual(preview.body.selection);
    const applied = stack.isc.importRequests.slice(imports).filter((r) => !r.preview);
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({ options: { includeTypes: ['TRANSFORM'] } });
  });

  type Request = readonly [method: string, path: string, jobId: string, body: unknown];
  it.each<[string, () => Request, RegExp]>([
    ['a job that is not archived', () => ['POST', `/imports/${FAILED}/restore/preview`, FAILED, undefined], /has not been archived/],
    [
      'a job whose import had no backup',
      () => ['POST', `/imports/${CANCELLED}/restore/preview`, CANCELLED, undefined],
      /no archived backup \(NONE/,
    ],
    [
      'an apply whose preview is not archived',
      () => ['POST', `/imports/${COMPLETE}/restore/apply`, COMPLETE, { previewJobId: '0'.repeat(32) }],
      /has not been archived yet/,
    ],
    [
      'an apply with an ordinary import as its preview',
      () => ['POST', `/imports/${COMPLETE}/restore/apply`, COMPLETE, { previewJobId: CANCELLED }],
      /not a restore preview/,
    ],
  ])('answers 409 for %s, and nothing reaches ISC', async (_what, request, reason) => {
    const imports = stack.isc.importRequests.length;
    const [method, path, jobId, body] = request();
    const answer = await call(method, path, jobId, body);
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ detailCode: '409 Conflict', messages: [{ text: expect.stringMatching(reason) }] });
    expect(stack.isc.importRequests.length).toBe(imports);
  });

  it('answers 400 for a type import does not support, and nothing reaches ISC', async () => {
    const imports = stack.isc.importRequests.length;
    const answer = await call('POST', `/imports/${COMPLETE}/restore/preview`, COMPLETE, { types: ['ACCESS_PROFILE'] });
    expect(answer.status).toBe(400);
    expect(stack.isc.importRequests.length).toBe(imports);
  });

  it('stops before ISC receives a whole request when the archived backup no longer matches the manifest', async () => {
    const key = `${folder(COMPLETE)}exports/${DEMO_BACKUP_JOB_ID}.json`;
    const original = (await stack.getObject(key))!.body;
    const tampered = Buffer.from(original);
    tampered[tampered.length - 20] = tampered[tampered.length - 20] === 0x20 ? 0x09 : 0x20;
    await stack.putObject(key, tampered);
    try {
      const imports = stack.isc.importRequests.length;
      const answer = await call('POST', `/imports/${COMPLETE}/restore/preview`, COMPLETE);
      expect(answer.status).toBe(409);
      expect(answer.body.messages[0].text).toContain(key);
      expect(stack.isc.importRequests.slice(imports).every((r) => !r.complete)).toBe(true);
    } finally {
      await stack.putObject(key, original);
    }
  });
});
