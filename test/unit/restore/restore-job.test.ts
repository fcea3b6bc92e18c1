import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildManifest } from '../../../lambda/archive/manifest.ts';
import { archiveKeys } from '../../../lambda/contract/archive-keys.ts';
import { CONTENT_TYPES } from '../../../lambda/contract/constants.ts';
import { IscError } from '../../../lambda/core/errors.ts';
import type { Manifest, ManifestObject } from '../../../lambda/domain/manifest.ts';
import { startRestore } from '../../../lambda/restore/restore-job.ts';
import { listRestores } from '../../../lambda/restore/restore-records.ts';
import { completeResults } from '../../../local/import-results.ts';
import { archiveDeps, recordingLog, virtualDeadline, wallClockNow } from '../../support/archive-fakes.ts';
import { type ScriptedIscOptions, scriptedIsc } from '../../support/archive-restore-isc.ts';
import { type LocalS3Store, useLocalS3Store } from '../../support/local-s3-store.ts';

// Restoring an import from its archived backup, against the real local S3 and an ISC that reads the
// submitted backup whole: what is sent, what is refused before ISC hears of it, what is recorded.

let s3: LocalS3Store;
useLocalS3Store((store) => (s3 = store));

const NOW = wallClockNow();
const hex = () => randomBytes(16).toString('hex');
const keys = (jobId: string) => archiveKeys('sp-config/', 'acme', jobId);
const RESTORE_JOB = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const SOURCE_ID = '2c9180835d2e5168015d32f890ca1581';
// The backup holds the SOURCE by id and the TRANSFORM by name only (under its id of the time);
// the RULE the import created is not in it.
const BACKUP = JSON.stringify({
  version: 1,
  objects: [
    { version: 1, self: { type: 'SOURCE', id: SOURCE_ID, name: 'Active Directory' }, object: { a: 1 } },
    { version: 1, self: { type: 'TRANSFORM', id: 'old-transform-id', name: 'Lowercase Email' }, object: {} },
    { version: 1, self: { type: 'IDENTITY_PROFILE', id: 'ip1', name: 'Untouched' }, object: {} },
  ],
});
const SELECTION = {
  includeTypes: ['SOURCE', 'TRANSFORM'],
  objectOptions: {
    SOURCE: { includedIds: [SOURCE_ID], includedNames: [] },
    TRANSFORM: { includedIds: ['old-transform-id'], includedNames: [] },
  },
};

async function put(key: string, body: string, role: ManifestObject['role']): Promise<ManifestObject> {
  const stored = await s3.store.put(key, Buffer.from(body), CONTENT_TYPES.json);
  return { role, ...stored };
}

/** Writes an archive of `jobId` as the archive flow would: results, backup, manifest. */
async function archiveOriginal(
  jobId: string,
  options: { backup?: string | null; results?: string; tamper?: string; overrides?: Partial<Manifest>; archivedAt?: Date } = {},
): Promise<Manifest> {
  const exportJobId = hex();
  const objects: ManifestObject[] = [await put(keys(jobId).results, options.results ?? completeResults(exportJobId), 'results')];
  if (options.backup !== null) objects.push(await put(keys(jobId).backup(exportJobId), options.backup ?? BACKUP, 'backup'));
  if (options.tamper !== undefined) await s3.write(keys(jobId).backup(exportJobId), options.tamper);
  const manifest: Manifest = {
    ...buildManifest({
      tenant: 'acme',
      apiVersion: 'beta',
      job: { jobId, status: 'COMPLETE', type: 'IMPORT', message: null, created: null, modified: null, completed: null, expiration: null },
      exportJobId,
      objects,
      backup: { state: 'ARCHIVED', reason: `Pre-import backup ${exportJobId} archived.` },
      summary: { byType: {}, totals: { infos: 1, warnings: 0, errors: 0, importedObjects: 5 } },
      archivedAt: options.archivedAt ?? new Date(NOW.getTime() - 60_000),
    }),
    ...options.overrides,
  };
  await s3.write(keys(jobId).manifest, `${JSON.stringify(manifest)}\n`);
  return manifest;
}

async function archivePreview(previewJobId: string, of: string, overrides: Partial<Manifest> = {}) {
  return archiveOriginal(previewJobId, {
    backup: null,
    overrides: { restore: { of, preview: true, selection: SELECTION, previewJobId: null }, ...overrides },
  });
}

function restore(request: { jobId: string; types?: string[]; previewJobId?: string; requestId?: string }, isc: ScriptedIscOptions = {}) {
  const fake = scriptedIsc(isc);
  const log = recordingLog();
  const deps = archiveDeps(s3.store, fake, { log, now: () => NOW });
  const result = startRestore({ requestId: 'req-1', ...request }, deps, virtualDeadline(600_000, NOW.getTime()).deadline);
  return { result, isc: fake, log };
}

async function json(key: string) {
  const body = await s3.read(key);
  return body && JSON.parse(body.toString());
}

describe('startRestore, a preview', () => {
  it('submits the archived backup byte for byte, narrowed to the touched objects it holds, and links both ways', async () => {
    const jobId = hex();
    await archiveOriginal(jobId);
    const { result, isc, log } = restore({ jobId });
    const started = await result;
    expect(started.jobId).toBe(RESTORE_JOB);
    expect(started).toMatchObject({ restoreOf: jobId, preview: true, selection: SELECTION, previewJobId: null });
    expect(started.notRestorable.map((n) => [n.type, n.reason])).toEqual([
      ['RULE', 'Not in the pre-import backup: the import created it, and restore cannot delete.'],
      ['TRIGGER_SUBSCRIPTION', 'Not in the pre-import backup: the import created it, and restore cannot delete.'],
      ['TRIGGER_SUBSCRIPTION', 'Not in the pre-import backup: the import created it, and restore cannot delete.'],
    ]);
    expect(isc.imports).toHaveLength(1);
    const sent = isc.imports[0]!;
    expect(sent.path).toBe('/beta/sp-config/import?preview=true');
    expect(sent.data.toString()).toBe(BACKUP);
    expect(sent.dataBytes).toBe(Buffer.byteLength(BACKUP));
    expect(sent.options).toEqual(SELECTION);

    expect(await json(keys(RESTORE_JOB).restoreLink)).toEqual({ of: jobId, preview: true, selection: SELECTION, previewJobId: null });
    expect(await listRestores(s3.store, keys(jobId))).toEqual([
      { jobId: RESTORE_JOB, preview: true, at: NOW.toISOString(), previewJobId: null },
    ]);
    expect(log.lines).toContainEqual({
      level: 'info',
      message: 'Restore preview submitted',
      extra: { jobId, restoreJobId: RESTORE_JOB, includeTypes: ['SOURCE', 'TRANSFORM'], notRestorable: 3 },
    });
  });

  it("refreshes the original's report and manifest with the restore listed, and releases the claim", async () => {
    const jobId = hex();
    const before = await archiveOriginal(jobId);
    await await restore({ jobId }).result;
    const manifest = await json(keys(jobId).manifest);
    const report = (await s3.read(keys(jobId).report))!;
    expect(report.toString()).toContain(RESTORE_JOB);
    expect(manifest.objects.map((o: ManifestObject) => o.role)).toEqual(['results', 'backup', 'report']);
    expect(manifest.objects[2]).toMatchObject({ key: keys(jobId).report, bytes: report.length });
    expect(manifest.objects.slice(0, 2)).toEqual(before.objects);
    expect(await s3.keys(keys(jobId).folder)).not.toContain(keys(jobId).lease);
  });

  it("keeps the original report's changes and samples when it refreshes it (it reads changes.json and results.json back)", async () => {
    const jobId = hex();
    const changes = {
      schemaVersion: 1,
      jobId,
      tenant: 'acme',
      before: null,
      after: { exportJobId: 'e'.repeat(32), key: 'k', exportedAt: NOW.toISOString() },
      objects: [{ type: 'TRANSFORM', id: 'changed-transform-id', name: 'Changed Transform', change: 'CHANGED', fields: [] }],
    };
    const stored = await put(keys(jobId).changes, JSON.stringify(changes), 'changes');
    const computed = {
      state: 'COMPUTED' as const,
      reason: 'Compared.',
      afterExportJobId: 'e'.repeat(32),
      afterExportedAt: NOW.toISOString(),
      counts: { created: 0, changed: 1, unchanged: 0, unknown: 0 },
    };
    const original = await archiveOriginal(jobId, { overrides: { changes: computed } });
    await s3.write(keys(jobId).manifest, `${JSON.stringify({ ...original, objects: [...original.objects, stored] })}\n`);
    await restore({ jobId }).result;
    const report = (await s3.read(keys(jobId).report))!.toString();
    expect(report).toContain('changed-transform-id');
    expect(report).toContain(RESTORE_JOB);
    // The results' samples are there too: an imported object named in results.json.
    expect(report).toContain(SOURCE_ID);
  });

  it('narrows the selection to the types asked for', async () => {
    const jobId = hex();
    await archiveOriginal(jobId);
    const { result, isc } = restore({ jobId, types: ['TRANSFORM'] });
    expect((await result).selection).toEqual({
      includeTypes: ['TRANSFORM'],
      objectOptions: { TRANSFORM: { includedIds: ['old-transform-id'], includedNames: [] } },
    });
    expect(isc.imports[0]!.options).toEqual({
      includeTypes: ['TRANSFORM'],
      objectOptions: { TRANSFORM: { includedIds: ['old-transform-id'], includedNames: [] } },
    });
  });
});

describe('startRestore refuses before ISC hears of it', () => {
  it('an import that was never archived', async () => {
    const jobId = hex();
    const { result, isc } = restore({ jobId });
    await expect(result).rejects.toMatchObject({ code: 'RestoreRefused', retryable: false, jobId });
    await expect(result).rejects.toThrow(`Import ${jobId} has not been archived`);
    expect(isc.calls).toEqual([]);
  });

  it('an archive whose backup holds none of the touched objects of the types asked for', async () => {
    const jobId = hex();
    await archiveOriginal(jobId);
    const { result, isc } = restore({ jobId, types: ['RULE'] });
    await expect(result).rejects.toThrow(
      `Nothing to restore for ${jobId}: none of the objects it touched of those types is in its backup.`,
    );
    expect(isc.calls).toEqual([]);
  });

  it('an archive whose backup holds no touched object at all', async () => {
    const jobId = hex();
    await archiveOriginal(jobId, { backup: '{"version":1,"objects":[]}' });
    const { result } = restore({ jobId });
    await expect(result).rejects.toThrow(`Nothing to restore for ${jobId}: none of the objects it touched is in its backup.`);
  });

  it('an import whose results name an object too large to read: a partial rollback would look complete', async () => {
    const jobId = hex();
    const results = JSON.parse(completeResults()) as { results: Record<string, { importedObjects: unknown[] }> };
    results.results.SOURCE!.importedObjects.push({ type: 'SOURCE', id: 'big', name: 'n'.repeat(70_000) });
    await archiveOriginal(jobId, { results: JSON.stringify(results) });
    const { result, isc } = restore({ jobId });
    await expect(result).rejects.toMatchObject({ code: 'RestoreRefused' });
    await expect(result).rejects.toThrow('restore cannot select them all');
    expect(isc.calls).toEqual([]);
  });

  it('an archive whose results object is missing from the bucket', async () => {
    const jobId = hex();
    await archiveOriginal(jobId);
    await s3.s3.send(new (await import('@aws-sdk/client-s3')).DeleteObjectCommand({ Bucket: s3.bucket, Key: keys(jobId).results }));
    const { result, isc } = restore({ jobId });
    await expect(result).rejects.toThrow(`${keys(jobId).results} is missing from the bucket`);
    expect(isc.calls).toEqual([]);
  });
});

describe('startRestore, the backup check as it streams', () => {
  it('cuts the submission off when the stored backup differs from the manifest', async () => {
    const jobId = hex();
    // Same length, other bytes: only the hash tells.
    await archiveOriginal(jobId, { tamper: BACKUP.replace('"a":1', '"a":2') });
    const { result, isc } = restore({ jobId });
    await expect(result).rejects.toMatchObject({ jobId });
    await expect(result).rejects.toThrow(/does not match the manifest \(sha256 or size differ\): it was not submitted/);
    expect(isc.imports).toEqual([]);
    expect(await listRestores(s3.store, keys(jobId))).toEqual([]);
  });

  it('cuts the submission off when the stored backup is longer than the manifest says', async () => {
    const jobId = hex();
    await archiveOriginal(jobId, { tamper: `${BACKUP}    ` });
    const { result, isc } = restore({ jobId });
    await expect(result).rejects.toThrow(/does not match the manifest/);
    expect(isc.imports).toEqual([]);
  });

  it('refuses when the backup object has gone from the bucket', async () => {
    const jobId = hex();
    const manifest = await archiveOriginal(jobId);
    const backupKey = manifest.objects.find((o) => o.role === 'backup')!.key;
    // The selection is read before the object goes; the submission finds it gone.
    const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
    const fake = scriptedIsc();
    const postImport = fake.postImport.bind(fake);
    fake.postImport = async (path, submission, ctx) => {
      await s3.s3.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: backupKey }));
      return postImport(path, submission, ctx);
    };
    const deps = archiveDeps(s3.store, fake, { now: () => NOW });
    const result = startRestore({ jobId, requestId: 'r' }, deps, virtualDeadline(600_000, NOW.getTime()).deadline);
    await expect(result).rejects.toThrow(`The archived backup ${backupKey} is missing from the bucket.`);
  });

  it('says ISC named no import job when its answer has none', async () => {
    const jobId = hex();
    await archiveOriginal(jobId);
    const { result } = restore({ jobId }, { importAnswer: { jobId: 'not-a-job' } });
    await expect(result).rejects.toMatchObject({ code: 'IscUnexpectedAnswer', phase: 'restore', retryable: false });
    await expect(result).rejects.toThrow(`ISC accepted the restore of ${jobId} but named no import job; check ISC's imports.`);
  });
});

describe('startRestore, an apply', () => {
  it('submits without preview once an archived, error-free preview of the same selection allows it, and records the apply', async () => {
    const jobId = hex();
    const previewJobId = hex();
    await archiveOriginal(jobId);
    await archivePreview(previewJobId, jobId);
    const { result, isc } = restore({ jobId, previewJobId, requestId: 'req-apply' });
    expect(await result).toMatchObject({ jobId: RESTORE_JOB, preview: false, previewJobId, restoreOf: jobId });
    expect(isc.imports[0]!.path).toBe('/beta/sp-config/import');
    expect(await json(keys(jobId).restoreApply(previewJobId))).toEqual({ state: 'SUBMITTED', jobId: RESTORE_JOB, at: NOW.toISOString() });
    expect(await json(keys(RESTORE_JOB).restoreLink)).toEqual({ of: jobId, preview: false, selection: SELECTION, previewJobId });
  });

  it('answers the first apply again, without submitting, when the same apply comes twice', async () => {
    const jobId = hex();
    const previewJobId = hex();
    await archiveOriginal(jobId);
    await archivePreview(previewJobId, jobId);
    await restore({ jobId, previewJobId }).result;
    const again = restore({ jobId, previewJobId }, { importAnswer: { jobId: 'd'.repeat(32) } });
    expect(await again.result).toEqual({
      jobId: RESTORE_JOB,
      restoreOf: jobId,
      preview: false,
      selection: SELECTION,
      notRestorable: expect.any(Array),
      previewJobId,
    });
    expect(again.isc.calls).toEqual([]);
    expect(again.log.lines.map((l) => l.message)).toContain('This preview was applied already; not submitting again');
  });

  it('refuses while another apply of the preview is being submitted', async () => {
    const jobId = hex();
    const previewJobId = hex();
    await archiveOriginal(jobId);
    await archivePreview(previewJobId, jobId);
    await s3.write(keys(jobId).restoreApply(previewJobId), JSON.stringify({ state: 'SUBMITTING', by: 'req-0', at: 'T0' }));
    const { result, isc } = restore({ jobId, previewJobId });
    await expect(result).rejects.toThrow(
      `An apply of preview ${previewJobId} is being submitted since T0; check ISC's imports before trying again.`,
    );
    expect(isc.calls).toEqual([]);
  });

  it('names the job ISC accepted when recording it in S3 then fails, and leaves it to the operator (not retried)', async () => {
    const jobId = hex();
    const previewJobId = hex();
    await archiveOriginal(jobId);
    await archivePreview(previewJobId, jobId);
    const fake = scriptedIsc();
    const failing = {
      ...s3.store,
      put: async (key: string, ...rest: Parameters<typeof s3.store.put> extends [string, ...infer R] ? R : never) => {
        if (key === keys(RESTORE_JOB).restoreLink) throw new Error('S3 is down');
        return s3.store.put(key, ...rest);
      },
    };
    const deps = archiveDeps(failing, fake, { log: recordingLog(), now: () => NOW });
    const result = startRestore({ requestId: 'req-1', jobId, previewJobId }, deps, virtualDeadline(600_000, NOW.getTime()).deadline);
    await expect(result).rejects.toMatchObject({ code: 'Storage', retryable: false, jobId });
    await expect(result).rejects.toThrow(`ISC accepted restore job ${RESTORE_JOB} of ${jobId}, but recording it in S3 failed`);
    expect(fake.imports).toHaveLength(1);
  });

  it('refuses an ordinary import named as the preview, with the reason, before taking the lock', async () => {
    const jobId = hex();
    const previewJobId = hex();
    await archiveOriginal(jobId);
    await archiveOriginal(previewJobId, { backup: null });
    const { result, isc } = restore({ jobId, previewJobId });
    await expect(result).rejects.toMatchObject({ code: 'RestoreRefused', message: `Job ${previewJobId} is not a restore preview.` });
    expect(isc.calls).toEqual([]);
    expect(await s3.read(keys(jobId).restoreApply(previewJobId))).toBeUndefined();
  });

  it('refuses a preview that reported errors, before taking the lock', async () => {
    const jobId = hex();
    const previewJobId = hex();
    await archiveOriginal(jobId);
    await archivePreview(previewJobId, jobId, {
      summary: { byType: {}, totals: { infos: 0, warnings: 0, errors: 3, importedObjects: 0 } },
    });
    const { result, isc } = restore({ jobId, previewJobId });
    await expect(result).rejects.toThrow(`Preview ${previewJobId} reported 3 errors`);
    expect(isc.calls).toEqual([]);
    expect(await s3.read(keys(jobId).restoreApply(previewJobId))).toBeUndefined();
  });

  it('releases the lock when ISC refuses the apply with a 4xx, so it may be tried again', async () => {
    const jobId = hex();
    const previewJobId = hex();
    await archiveOriginal(jobId);
    await archivePreview(previewJobId, jobId);
    const refused = new IscError('IscBadRequest', 'ISC answered 400', { phase: 'restore', retryable: false, httpStatus: 400 });
    const { result } = restore({ jobId, previewJobId }, { importError: refused });
    await expect(result).rejects.toBe(refused);
    expect(await s3.read(keys(jobId).restoreApply(previewJobId))).toBeUndefined();
  });

  it('keeps the lock when ISC may have received the apply (a 500)', async () => {
    const jobId = hex();
    const previewJobId = hex();
    await archiveOriginal(jobId);
    await archivePreview(previewJobId, jobId);
    const failed = new IscError('IscServerError', 'ISC answered 500', { phase: 'restore', retryable: true, httpStatus: 500 });
    const { result } = restore({ jobId, previewJobId }, { importError: failed });
    await expect(result).rejects.toBe(failed);
    expect(await json(keys(jobId).restoreApply(previewJobId))).toEqual({ state: 'SUBMITTING', by: 'req-1', at: NOW.toISOString() });
  });

  it('releases the lock when the backup fails its check, as ISC never got a whole document', async () => {
    const jobId = hex();
    const previewJobId = hex();
    await archiveOriginal(jobId, { tamper: BACKUP.replace('"a":1', '"a":3') });
    await archivePreview(previewJobId, jobId);
    const { result } = restore({ jobId, previewJobId });
    await expect(result).rejects.toMatchObject({ code: 'RestoreRefused' });
    expect(await s3.read(keys(jobId).restoreApply(previewJobId))).toBeUndefined();
  });
});
