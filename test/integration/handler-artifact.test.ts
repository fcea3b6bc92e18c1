import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { LambdaContainer } from '../support/lambda-container.ts';
import { completeResults, failedResults } from '../../local/import-results.ts';
import { DEMO_CLIENT } from '../../local/isc-double.ts';

// Drives the built artifact, dist/lambda/handler.mjs, in a child Node 24 process with only the
// contract's environment, against s3rver, a Secrets Manager endpoint and the ISC double over HTTP.

const hex = () => randomBytes(16).toString('hex');
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const folder = (jobId: string) => `sp-config/acme/imports/${jobId}/`;

let stack: TestStack;
let lambda: LambdaContainer;

beforeAll(async () => {
  stack = await startTestStack();
  lambda = await LambdaContainer.start(stack.env());
});

afterAll(async () => {
  await lambda?.stop();
  await stack?.stop();
});

async function manifestOf(jobId: string) {
  const stored = await stack.getObject(`${folder(jobId)}manifest.json`);
  return stored && JSON.parse(stored.body.toString());
}

/** Every object the manifest names is there, with the bytes and hash it claims. */
async function expectManifestHonest(manifest: any) {
  for (const object of manifest.objects) {
    const stored = await stack.getObject(object.key);
    expect(stored, object.key).toBeDefined();
    expect(stored!.body.length).toBe(object.bytes);
    expect(sha(stored!.body)).toBe(object.sha256);
  }
}

describe('archiving through the built handler', () => {
  it('archives a COMPLETE import with its pre-import backup, bytes exactly as ISC sent them', async () => {
    const jobId = hex();
    const exportJobId = randomUUID();
    const results = completeResults(exportJobId);
    const backup = JSON.stringify({ version: 1, timestamp: '2026-11-20T09:14:03Z', tenant: 'acme', description: 'backup', options: {}, objects: [{ version: 1, self: { type: 'RULE', id: 'r1', name: 'R' }, object: { id: 'r1' }, jwsHeader: 'eyJ', jwsSignature: 'c2ln' }] }, null, 3);
    stack.isc.addJob(jobId, { status: 'COMPLETE', results, backup: { exportJobId, document: backup } });

    const result = await lambda.invoke({ jobId });

    expect(result).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED', jobId, status: 'COMPLETE', exportJobId, bucket: stack.bucket, manifestKey: `${folder(jobId)}manifest.json` } });
    const storedResults = await stack.getObject(`${folder(jobId)}results.json`);
    expect(storedResults!.body.equals(Buffer.from(results))).toBe(true);
    expect(storedResults!.contentType).toBe('application/json');
    const storedBackup = await stack.getObject(`${folder(jobId)}exports/${exportJobId}.json`);
    expect(storedBackup!.body.toString()).toBe(backup);
    const manifest = await manifestOf(jobId);
    expect(manifest).toMatchObject({
      schemaVersion: 1, tenant: 'acme', jobId, status: 'COMPLETE', exportJobId,
      archiver: { name: 'isc-import-archiver', version: '0.1.0' },
      backup: { state: 'ARCHIVED' },
      summary: {
        byType: { SOURCE: { infos: 1, warnings: 0, errors: 0, importedObjects: 1 }, RULE: { infos: 1, warnings: 1, errors: 0, importedObjects: 1 } },
        totals: { infos: 5, warnings: 1, errors: 0, importedObjects: 5 },
      },
    });
    expect(manifest.objects.map((o: any) => o.role)).toEqual(['results', 'backup', 'after', 'changes', 'report']);
    await expectManifestHonest(manifest);
    expect(result.ok && result.value.summary).toEqual(manifest.summary);
    for (const request of stack.isc.requestsFor(jobId)) expect(request.userAgent).toMatch(/^isc-import-archiver\/0\.1\.0 /);
    const report = await stack.getObject(`${folder(jobId)}report.html`);
    expect(report!.contentType).toBe('text/html; charset=utf-8');
    expect(report!.body.toString()).toContain('Build Account Map');
    const published = stack.dev.events.events.filter((e) => e.Detail?.includes(jobId));
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ EventBusName: 'default', Source: 'isc-import-archiver', DetailType: 'SP-Config Import Archived' });
    expect(JSON.parse(published[0]!.Detail!)).toMatchObject({ jobId, status: 'COMPLETE', totals: manifest.summary.totals, manifest: { bucket: stack.bucket, key: `${folder(jobId)}manifest.json` } });
  });

  it('archives a COMPLETE import that ISC took no backup for', async () => {
    const jobId = randomUUID();
    stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    const result = await lambda.invoke({ jobId });
    expect(result).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED', exportJobId: null } });
    const manifest = await manifestOf(jobId);
    expect(manifest.backup.state).toBe('NONE');
    expect(manifest.objects.map((o: any) => o.role)).toEqual(['results', 'after', 'changes', 'report']);
    expect(await stack.keys(`${folder(jobId)}exports/`)).toEqual([]);
  });

  it('archives FAILED imports with their results and counts the errors', async () => {
    const jobId = hex();
    const exportJobId = hex();
    stack.isc.addJob(jobId, { status: 'FAILED', results: failedResults(exportJobId), backup: { exportJobId, document: '{"version":1,"objects":[]}' } });
    const result = await lambda.invoke({ detail: { jobId }, 'detail-type': 'SP-Config Import Submitted', source: 'sailpoint.sp-config', version: '0', id: randomUUID(), time: new Date().toISOString(), region: 'us-east-1', resources: [], account: '000000000000' });
    expect(result).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED', status: 'FAILED', summary: { totals: { errors: 2, warnings: 1 } } } });
    const manifest = await manifestOf(jobId);
    expect(manifest.message).toBe('Import halted because of errors. Download results for error details.');
    expect((await stack.getObject(`${folder(jobId)}results.json`))!.body.toString()).toBe(failedResults(exportJobId));
    await expectManifestHonest(manifest);
  });

  it('writes a manifest and report but no results for a CANCELLED import', async () => {
    const jobId = hex();
    stack.isc.addJob(jobId, { status: 'CANCELLED' });
    const result = await lambda.invoke({ jobId });
    expect(result).toMatchObject({ ok: true, value: { outcome: 'CANCELLED', status: 'CANCELLED', exportJobId: null } });
    // The claim stays once the manifest is written (the manifest says the claim is done).
    expect(await stack.keys(folder(jobId))).toEqual([`${folder(jobId)}.archiving`, `${folder(jobId)}manifest.json`, `${folder(jobId)}report.html`]);
    expect(stack.isc.requestsFor(`${jobId}/download`)).toHaveLength(0);
  });

  it('waits for an IN_PROGRESS import and archives it once it completes', async () => {
    const jobId = hex();
    stack.isc.addJob(jobId, { status: 'COMPLETE', runningPolls: 2, results: completeResults() });
    const result = await lambda.invoke({ jobId });
    expect(result).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED', status: 'COMPLETE' } });
    expect(stack.isc.requestsFor(`/import/${jobId}`).filter((r) => !r.path.endsWith('/download')).map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it('hands a wait that outlasts the invocation to a new invocation (WAITING), without failing', async () => {
    const jobId = hex();
    stack.isc.addJob(jobId, { status: 'COMPLETE', runningForMs: 60_000, results: completeResults() });
    const before = stack.dev.lambda.invocations.length;
    const result = await lambda.invoke({ jobId }, 6_000);
    expect(result).toMatchObject({ ok: true, value: { outcome: 'WAITING', jobId, status: expect.stringMatching(/^(NOT_STARTED|IN_PROGRESS)$/) } });
    const handed = stack.dev.lambda.invocations.slice(before);
    expect(handed).toEqual([{ functionName: 'isc-import-archiver', payload: { jobId, force: false, waitingSince: expect.any(String) } }]);
    expect(await stack.keys(folder(jobId))).toEqual([]);
    // The continuation carries when the wait began: once MAX_WAIT_MINUTES have passed it fails, naming how long it waited.
    const waitingSince = new Date(Date.now() - 361 * 60_000).toISOString();
    const late = await lambda.invoke({ jobId, waitingSince }, 6_000);
    expect(late).toMatchObject({ ok: false, error: { name: 'Permanent.ImportStillRunning', jobId } });
    expect((late as any).error.message).toMatch(/after 361 minutes of waiting/);
    expect(stack.dev.lambda.invocations.length).toBe(before + 1);
  });

  it.each([
    ['seconds', () => '1'],
    ['an HTTP date', () => new Date(Date.now() + 2500).toUTCString()],
  ])('honours 429 with Retry-After in %s', async (_kind, header) => {
    const jobId = hex();
    const retryAfter = header();
    stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults(), faults: [{ on: 'results', status: 429, retryAfter }] });
    const started = Date.now();
    const result = await lambda.invoke({ jobId });
    expect(result).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED' } });
    const downloads = stack.isc.requestsFor(`${jobId}/download`);
    expect(downloads.map((r) => r.status)).toEqual([429, 200]);
    expect(downloads[1]!.at - downloads[0]!.at).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('fetches a new token once when ISC says the token expired mid-job', async () => {
    const jobId = hex();
    stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults(), faults: [{ on: 'results', expireToken: true }] });
    const tokensBefore = stack.isc.requestsFor('/oauth/token').length;
    const result = await lambda.invoke({ jobId });
    expect(result).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED' } });
    expect(stack.isc.requestsFor(`${jobId}/download`).map((r) => r.status)).toEqual([401, 200]);
    expect(stack.isc.requestsFor('/oauth/token').length).toBe(tokensBefore + 1);
  });

  it('retries 5xx answers and succeeds', async () => {
    const jobId = hex();
    stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults(), faults: [{ on: 'status', status: 503 }, { on: 'results', status: 500 }] });
    const result = await lambda.invoke({ jobId });
    expect(result).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED' } });
    expect(stack.isc.requestsFor(`${jobId}/download`).map((r) => r.status)).toEqual([500, 200]);
  });

  it('downloads again from the start when the connection resets mid-body, and stores whole bytes', async () => {
    const jobId = hex();
    const results = completeResults();
    stack.isc.addJob(jobId, { status: 'COMPLETE', results, faults: [{ on: 'results', reset: 'mid-body' }] });
    const result = await lambda.invoke({ jobId });
    expect(result).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED' } });
    expect(stack.isc.requestsFor(`${jobId}/download`)).toHaveLength(2);
    expect((await stack.getObject(`${folder(jobId)}results.json`))!.body.toString()).toBe(results);
    expect(lambda.output).toContain('ISC call failed; retrying');
  });

  it('refuses results that are not JSON and leaves no manifest', async () => {
    const jobId = hex();
    stack.isc.addJob(jobId, { status: 'COMPLETE', results: '<html>Gateway error</html>' });
    const result = await lambda.invoke({ jobId }, 20_000);
    expect(result).toMatchObject({ ok: false, error: { name: 'IscInvalidBody', retryable: true, jobId } });
    expect(await stack.keys(folder(jobId))).toEqual([]);
  });

  it('reports 403 as a permanent failure naming the scope and the ISC trackingId', async () => {
    const jobId = hex();
    stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults(), faults: [{ on: 'status', status: 403 }] });
    const result = await lambda.invoke({ jobId });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ name: 'Permanent.IscForbidden', httpStatus: 403, retryable: false });
    expect(result.error.message).toContain('sp:config:manage');
    expect(result.error.message).toContain('ORG_ADMIN');
    expect(result.error.trackingId).toMatch(/^[0-9a-f]{32}$/);
    expect(stack.isc.requestsFor(`/import/${jobId}`)).toHaveLength(1);
  });

  it('reports an unknown job as a permanent 404 without retrying', async () => {
    const jobId = hex();
    const result = await lambda.invoke({ jobId });
    expect(result).toMatchObject({ ok: false, error: { name: 'Permanent.IscNotFound', httpStatus: 404 } });
    expect(stack.isc.requestsFor(jobId)).toHaveLength(1);
  });

  it('records a backup ISC no longer serves as UNAVAILABLE and archives the rest', async () => {
    const jobId = hex();
    const exportJobId = hex();
    stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults(exportJobId), backup: { exportJobId, document: 'gone' } });
    const result = await lambda.invoke({ jobId });
    expect(result).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED', exportJobId } });
    const manifest = await manifestOf(jobId);
    expect(manifest.backup.state).toBe('UNAVAILABLE');
    expect(manifest.backup.reason).toContain('404');
    expect(manifest.objects.map((o: any) => o.role)).toEqual(['results', 'after', 'changes', 'report']);
  });

  it('fails (so Lambda retries) when the backup download fails transiently, leaving no manifest', async () => {
    const jobId = hex();
    const exportJobId = hex();
    const faults = Array.from({ length: 8 }, () => ({ on: 'backup' as const, status: 502 }));
    stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults(exportJobId), backup: { exportJobId, document: '{}' }, faults });
    const result = await lambda.invoke({ jobId }, 8_000);
    expect(result).toMatchObject({ ok: false, error: { retryable: true } });
    expect(await manifestOf(jobId)).toBeUndefined();
  });

  it('streams a 50 MB backup into S3 with the same bytes ISC served', async () => {
    const jobId = hex();
    const exportJobId = hex();
    stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults(exportJobId), backup: { exportJobId, document: { generateExport: 50 * 1024 * 1024 } } });
    const result = await lambda.invoke({ jobId }, 120_000);
    expect(result).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED' } });
    const served = stack.isc.served.get(`/beta/sp-config/export/${exportJobId}/download`)!;
    expect(served.bytes).toBeGreaterThanOrEqual(50 * 1024 * 1024);
    const manifest = await manifestOf(jobId);
    const backup = manifest.objects.find((o: any) => o.role === 'backup');
    expect(backup).toMatchObject({ bytes: served.bytes, sha256: served.sha256 });
    await expectManifestHonest(manifest);
  });

  it('archives a 50 MB results document holding only bounded lists in memory', async () => {
    const jobId = hex();
    stack.isc.addJob(jobId, { status: 'FAILED', results: { generateResults: 50 * 1024 * 1024 } });
    const fresh = await LambdaContainer.start(stack.env());
    try {
      const before = await fresh.peakRssMb();
      const result = await fresh.invoke({ jobId }, 120_000);
      expect(result).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED', status: 'FAILED' } });
      const served = stack.isc.served.get(`/beta/sp-config/import/${jobId}/download`)!;
      expect(served.bytes).toBeGreaterThan(50 * 1_000_000);
      const manifest = await manifestOf(jobId);
      expect(manifest.objects.find((o: any) => o.role === 'results')).toMatchObject({ bytes: served.bytes, sha256: served.sha256 });
      const t = manifest.summary.totals;
      expect(Object.keys(manifest.summary.byType)).toHaveLength(6);
      expect(t.errors).toBeGreaterThan(10_000);
      expect([t.warnings, t.infos, t.importedObjects]).toEqual([t.errors, t.errors, t.errors]);
      const report = (await stack.getObject(`${folder(jobId)}report.html`))!.body.toString();
      expect(report).toContain(`${t.errors - 300} more not listed here; see results.json.`);
      expect(report.length).toBeLessThan(1_000_000);
      // Buffering and parsing the document would take several times its 50 MB.
      const grown = (await fresh.peakRssMb()) - before;
      expect(grown).toBeLessThan(100);
    } finally {
      await fresh.stop();
    }
  });

  it('answers a duplicate delivery from the manifest without calling ISC', async () => {
    const jobId = hex();
    stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    await lambda.invoke({ jobId });
    const before = stack.isc.requests.length;
    const again = await lambda.invoke({ jobId });
    expect(again).toMatchObject({ ok: true, value: { outcome: 'ALREADY_ARCHIVED', jobId, status: 'COMPLETE' } });
    expect(stack.isc.requests.length).toBe(before);
    // Only the archive that did the work announces it.
    expect(stack.dev.events.events.filter((e) => e.Detail?.includes(jobId))).toHaveLength(1);
  });

  it('archives again when forced, replacing the manifest', async () => {
    const jobId = hex();
    stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    await lambda.invoke({ jobId });
    const first = await manifestOf(jobId);
    const forced = await lambda.invoke({ jobId, force: true });
    expect(forced).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED' } });
    const second = await manifestOf(jobId);
    expect(second.archivedAt >= first.archivedAt).toBe(true);
    expect(stack.isc.requestsFor(`${jobId}/download`)).toHaveLength(2);
  });

  it('ends racing deliveries with one complete archive (the loser gets 412 and reports ALREADY_ARCHIVED)', async () => {
    const jobId = hex();
    stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    const other = await LambdaContainer.start(stack.env());
    try {
      const results = await Promise.all([lambda.invoke({ jobId }), other.invoke({ jobId })]);
      const outcomes = results.map((r) => (r.ok ? r.value.outcome : r.error.name)).sort();
      expect(outcomes).toEqual(['ALREADY_ARCHIVED', 'ARCHIVED']);
      const manifest = await manifestOf(jobId);
      await expectManifestHonest(manifest);
      expect(results.every((r) => r.ok && r.value.manifestKey === `${folder(jobId)}manifest.json`)).toBe(true);
      // The winner's claim stays, archived over by its own manifest; the losers left nothing.
      const claim = JSON.parse((await stack.getObject(`${folder(jobId)}.archiving`))!.body.toString());
      expect(claim).toMatchObject({ requestId: expect.any(String), deadline: expect.any(String), claimedAt: expect.any(String) });
      expect(manifest.archivedAt >= claim.claimedAt).toBe(true);
    } finally {
      await other.stop();
    }
  });

  it('skips the backup when ARCHIVE_BACKUP is false, and says so in the manifest', async () => {
    const jobId = hex();
    const exportJobId = hex();
    stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults(exportJobId), backup: { exportJobId, document: '{}' } });
    const noBackup = await LambdaContainer.start(stack.env({ ARCHIVE_BACKUP: 'false' }));
    try {
      expect(await noBackup.invoke({ jobId })).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED', exportJobId } });
      expect((await manifestOf(jobId)).backup).toEqual({ state: 'DISABLED', reason: 'ARCHIVE_BACKUP is false.' });
      expect(stack.isc.requestsFor(exportJobId)).toEqual([]);
    } finally {
      await noBackup.stop();
    }
  });

  it('uses the per-service v1 paths when ISC_API_VERSION is v1', async () => {
    const jobId = hex();
    stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    const v1 = await LambdaContainer.start(stack.env({ ISC_API_VERSION: 'v1', ARCHIVE_PREFIX: 'audit/isc/' }));
    try {
      const result = await v1.invoke({ jobId });
      expect(result).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED', manifestKey: `audit/isc/acme/imports/${jobId}/manifest.json` } });
      expect(stack.isc.requestsFor(jobId).map((r) => r.path)).toEqual([`/sp-config/v1/import/${jobId}`, `/sp-config/v1/import/${jobId}/download`]);
    } finally {
      await v1.stop();
    }
  });
});

describe('bad input', () => {
  it.each([
    ['a path traversal', '../x'],
    ['an empty id', ''],
    ['10 000 characters', 'a'.repeat(10_000)],
    ['URL-encoded slashes', 'ab%2F..%2Fcd'],
  ])('refuses %s before any network call', async (_what, jobId) => {
    const before = stack.isc.requests.length;
    const result = await lambda.invoke({ jobId });
    expect(result).toMatchObject({ ok: false, error: { name: 'Permanent.InvalidInput' } });
    expect(result.ok || result.error.message.length).toBeLessThan(200);
    const api = await lambda.invoke(restEvent('POST', `/imports/${encodeURIComponent(jobId)}/archive`, jobId));
    expect(api).toMatchObject({ ok: true, value: { statusCode: 400 } });
    expect(JSON.parse((api as any).value.body)).toMatchObject({ detailCode: '400.1 Bad Request Content', messages: [{ locale: 'en-US', localeOrigin: 'DEFAULT' }] });
    expect(stack.isc.requests.length).toBe(before);
  });

  it.each([
    ['null', null],
    ['a string', 'ef38f94347e94562b5bb8424a56397d8'],
    ['an object without a job id', { hello: 'world' }],
    ['an EventBridge event without detail', { source: 'sailpoint.sp-config', 'detail-type': 'SP-Config Import Submitted' }],
    ['a non-boolean force', { jobId: hex(), force: 'yes' }],
  ])('refuses %s as an event with a clear error', async (_what, event) => {
    const result = await lambda.invoke(event);
    expect(result).toMatchObject({ ok: false, error: { name: 'Permanent.InvalidInput' } });
  });
});

describe('the API routes', () => {
  it('answers POST with 200 and the result, then GET with the manifest and the report (REST and HTTP API)', async () => {
    const jobId = hex();
    stack.isc.addJob(jobId, { status: 'FAILED', results: failedResults() });
    const post = await lambda.invoke(httpEvent('POST', `/imports/${jobId}/archive`, jobId));
    expect(post).toMatchObject({ ok: true, value: { statusCode: 200, headers: { 'content-type': 'application/json' } } });
    expect(JSON.parse((post as any).value.body)).toMatchObject({ outcome: 'ARCHIVED', status: 'FAILED' });
    const get = await lambda.invoke(restEvent('GET', `/imports/${jobId}`, jobId));
    expect(JSON.parse((get as any).value.body)).toEqual({ ...(await manifestOf(jobId)), restores: [] });
    const report = await lambda.invoke(httpEvent('GET', `/imports/${jobId}/report`, jobId));
    expect(report).toMatchObject({ ok: true, value: { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8' } } });
    expect((report as any).value.body).toBe((await stack.getObject(`${folder(jobId)}report.html`))!.body.toString());
  });

  it('answers GET with 404 in ISC\'s envelope for a job not archived', async () => {
    const jobId = hex();
    for (const path of [`/imports/${jobId}`, `/imports/${jobId}/report`]) {
      const result = await lambda.invoke(restEvent('GET', path, jobId));
      expect(result).toMatchObject({ ok: true, value: { statusCode: 404 } });
      expect(JSON.parse((result as any).value.body)).toMatchObject({ detailCode: '404 Not found', messages: [{ text: `Import ${jobId} has not been archived.` }] });
    }
  });

  it('answers POST for a running job with 202 and hands it to an asynchronous invocation', async () => {
    const jobId = hex();
    stack.isc.addJob(jobId, { status: 'COMPLETE', runningForMs: 60_000, results: completeResults() });
    const before = stack.dev.lambda.invocations.length;
    const result = await lambda.invoke(restEvent('POST', `/imports/${jobId}/archive`, jobId));
    expect(result).toMatchObject({ ok: true, value: { statusCode: 202 } });
    expect(JSON.parse((result as any).value.body)).toMatchObject({ jobId, status: 'NOT_STARTED' });
    expect(stack.dev.lambda.invocations.slice(before)).toEqual([{ functionName: 'isc-import-archiver', payload: { jobId, force: false, waitingSince: expect.any(String) } }]);
  });

  it('answers 404 for an unknown job and 502 when ISC keeps failing', async () => {
    const unknown = hex();
    const notFound = await lambda.invoke(restEvent('POST', `/imports/${unknown}/archive`, unknown));
    expect(notFound).toMatchObject({ ok: true, value: { statusCode: 404 } });
    expect(JSON.parse((notFound as any).value.body).trackingId).toMatch(/^[0-9a-f]{32}$/);
    const failing = hex();
    stack.isc.addJob(failing, { status: 'COMPLETE', results: '{}', faults: [{ on: 'status', status: 403 }] });
    const bad = await lambda.invoke(restEvent('POST', `/imports/${failing}/archive`, failing));
    expect(bad).toMatchObject({ ok: true, value: { statusCode: 502 } });
  });
});

describe('credentials and secrecy', () => {
  it.each([
    ['missing', undefined, /secret isc-import-archiver\/missing \(ResourceNotFoundException\)/],
    ['not JSON', 'clientSecret=hunter2-very-secret', /not valid JSON/],
    ['without clientSecret', JSON.stringify({ baseUrl: 'https://acme.api.identitynow.com', clientId: 'abc' }), /lack "clientSecret"/],
  ])('fails with a configuration error when the secret is %s, never printing its value', async (_what, value, message) => {
    const secretId = _what === 'missing' ? 'isc-import-archiver/missing' : `isc-import-archiver/${randomUUID()}`;
    if (value !== undefined) stack.dev.secrets.setSecret(secretId, value);
    const container = await LambdaContainer.start(stack.env({ ISC_SECRET_ID: secretId }));
    try {
      const result = await container.invoke({ jobId: hex() });
      expect(result).toMatchObject({ ok: false, error: { name: 'Permanent.Configuration', phase: 'secret' } });
      expect((result as any).error.message).toMatch(message);
      expect(container.output).not.toContain('hunter2');
    } finally {
      await container.stop();
    }
  });

  it('never prints the client secret, an access token or an Authorization header', async () => {
    // Everything this container printed across all the scenarios above, plus an API error.
    await lambda.invoke(restEvent('POST', `/imports/${hex()}/archive`, undefined));
    const output = lambda.output;
    expect(output.length).toBeGreaterThan(1000);
    expect(output).not.toContain(DEMO_CLIENT.clientSecret);
    expect(stack.isc.issuedTokens.length).toBeGreaterThan(0);
    for (const token of stack.isc.issuedTokens) {
      expect(output).not.toContain(token);
      expect(output).not.toContain(token.split('.')[2]);
    }
    expect(output.toLowerCase()).not.toContain('bearer ');
    expect(output.toLowerCase()).not.toContain('authorization');
  });

  it('logs one JSON line per step with the job id', async () => {
    const jobId = hex();
    stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    await lambda.invoke({ jobId });
    const lines = lambda.jsonLines().filter((l) => l.jobId === jobId);
    expect(lines.map((l) => l.message)).toEqual(expect.arrayContaining(['Import status read', 'Results archived', 'Report written', 'Manifest written', 'Archive done']));
    expect(lines.find((l) => l.message === 'Results archived')).toMatchObject({ level: 'INFO', service: 'isc-import-archiver', bytes: completeResults().length });
  });

  it('emits embedded-format metrics for archived jobs and failures by kind', () => {
    const metrics = lambda.jsonLines().filter((l) => l._aws?.CloudWatchMetrics);
    const names = new Set(metrics.flatMap((m) => m._aws.CloudWatchMetrics.flatMap((d: any) => d.Metrics.map((x: any) => x.Name))));
    for (const name of ['JobsArchived', 'AlreadyArchived', 'CancelledArchived', 'ImportErrors', 'ImportWarnings', 'ImportsWithErrors', 'BytesArchived', 'ArchiveDuration', 'Failures', 'HandedOff']) {
      expect(names, name).toContain(name);
    }
    expect(metrics.find((m) => m.FailureKind === 'IscForbidden')).toMatchObject({ Failures: 1, service: 'isc-import-archiver' });
    expect(metrics[0]!._aws.CloudWatchMetrics[0].Namespace).toBe('IscImportArchiver');
  });
});

function restEvent(method: string, path: string, jobId: string | undefined) {
  return {
    resource: path.endsWith('/archive') ? '/imports/{jobId}/archive' : path.endsWith('/report') ? '/imports/{jobId}/report' : '/imports/{jobId}',
    path, httpMethod: method, headers: {}, queryStringParameters: null,
    pathParameters: jobId === undefined ? null : { jobId },
    requestContext: { requestId: randomUUID(), stage: 'prod', httpMethod: method },
    body: null, isBase64Encoded: false,
  };
}

function httpEvent(method: string, path: string, jobId: string) {
  return {
    version: '2.0', routeKey: `${method} ${path.replace(jobId, '{jobId}')}`, rawPath: path, rawQueryString: '',
    headers: {}, pathParameters: { jobId },
    requestContext: { requestId: randomUUID(), http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' } },
    isBase64Encoded: false,
  };
}

