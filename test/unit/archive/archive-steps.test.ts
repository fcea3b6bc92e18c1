import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AfterStateUnavailable, exportAfterState, exportPollInterval } from '../../../lambda/archive/after-state-step.ts';
import { awaitOtherDelivery } from '../../../lambda/archive/await-other-delivery.ts';
import { archiveBackup, backupSkipped } from '../../../lambda/archive/backup-step.ts';
import { changesPlanned, keepEarlierChanges, notingUnread, recordChanges } from '../../../lambda/archive/changes-step.ts';
import { uploadChecked } from '../../../lambda/archive/checked-upload.ts';
import { exportCheck, invalidDocument } from '../../../lambda/archive/document-checks.ts';
import { buildManifest, parseManifest } from '../../../lambda/archive/manifest.ts';
import { readRestoreLink } from '../../../lambda/archive/restore-link.ts';
import { writeManifest } from '../../../lambda/archive/write-steps.ts';
import { CHANGES_REASONS } from '../../../lambda/changes/changes-record.ts';
import { archiveKeys } from '../../../lambda/contract/archive-keys.ts';
import { IscError, StorageError, TimeBudgetError } from '../../../lambda/core/errors.ts';
import type { Manifest } from '../../../lambda/domain/manifest.ts';
import type { ImportStatus } from '../../../lambda/isc/job-status.ts';
import { InvalidJsonError } from '../../../lambda/results/invalid-json-error.ts';
import { TOUCHED_LIMIT } from '../../../lambda/results/results-scanner.ts';
import { archiveDeps, recordingLog, virtualDeadline } from '../../support/archive-fakes.ts';
import { iscError, type ScriptedIscOptions, scriptedIsc } from '../../support/archive-restore-isc.ts';
import { type LocalS3Store, useLocalS3Store } from '../../support/local-s3-store.ts';

// The archive flow's steps one by one, against the real local S3 and an in-memory ISC.

let s3: LocalS3Store;
useLocalS3Store((store) => (s3 = store));

const NOW = new Date('2026-12-01T10:00:00.000Z');
const hex = () => randomBytes(16).toString('hex');
const keys = (jobId: string) => archiveKeys('sp-config/', 'acme', jobId);
const sha = (b: string) => createHash('sha256').update(b).digest('hex');
const EXPORT_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const TOUCHED = [{ type: 'SOURCE', id: 's1', name: 'Active Directory' }];
const AFTER = '{"version":1,"objects":[{"version":1,"self":{"type":"SOURCE","id":"s1","name":"Active Directory"},"object":{"x":2}}]}';
const job = (status: ImportStatus['status'], extra: Partial<ImportStatus> = {}): ImportStatus => ({
  jobId: 'j1',
  status,
  type: 'IMPORT',
  message: null,
  created: '2026-12-01T09:00:00Z',
  modified: null,
  completed: '2026-12-01T09:05:00Z',
  expiration: null,
  ...extra,
});

function deps(isc: ScriptedIscOptions = {}, env: Record<string, string> = {}) {
  const fake = scriptedIsc(isc);
  const log = recordingLog();
  return { deps: archiveDeps(s3.store, fake, { log, env, now: () => NOW }), isc: fake, log };
}

const manifestOf = (jobId: string, extra: Partial<Parameters<typeof buildManifest>[0]> = {}): Manifest =>
  buildManifest({
    tenant: 'acme',
    apiVersion: 'beta',
    job: job('COMPLETE', { jobId }),
    exportJobId: null,
    objects: [],
    backup: { state: 'NONE', reason: 'none' },
    summary: { byType: {}, totals: { infos: 0, warnings: 0, errors: 0, importedObjects: 0 } },
    archivedAt: NOW,
    ...extra,
  });

describe('buildManifest and parseManifest', () => {
  it('records the job, the archiver, and each object with its version only when S3 named one', () => {
    const m = manifestOf('j1', {
      objects: [
        { role: 'results', key: 'r', bytes: 1, sha256: 'a' },
        { role: 'backup', key: 'b', bytes: 2, sha256: 'b', versionId: 'v2' },
      ],
    });
    expect(m).toMatchObject({
      schemaVersion: 1,
      jobId: 'j1',
      status: 'COMPLETE',
      created: '2026-12-01T09:00:00Z',
      completed: '2026-12-01T09:05:00Z',
      archivedAt: NOW.toISOString(),
      archiver: { name: 'isc-import-archiver' },
      restore: null,
      changes: { state: 'DISABLED', reason: 'Changes are not recorded yet.', afterExportJobId: null, afterExportedAt: null },
    });
    expect(m.objects).toEqual([
      { role: 'results', key: 'r', bytes: 1, sha256: 'a' },
      { role: 'backup', key: 'b', bytes: 2, sha256: 'b', versionId: 'v2' },
    ]);
    expect(parseManifest(Buffer.from(JSON.stringify(m)), 'k')).toEqual(m);
  });

  it.each([
    ['another schema', { schemaVersion: 2, jobId: 'j', objects: [] }],
    ['no job id', { schemaVersion: 1, objects: [] }],
    ['no objects', { schemaVersion: 1, jobId: 'j' }],
    ['null', null],
  ])('refuses a stored object of %s', (_what, body) => {
    expect(() => parseManifest(Buffer.from(JSON.stringify(body)), 'the/key')).toThrow(
      'The object at the/key is not an archiver manifest (schemaVersion 1).',
    );
  });
});

describe('readRestoreLink', () => {
  const selection = { includeTypes: ['SOURCE'], objectOptions: {} };

  it('reads the link the restore route wrote, and is null for an ordinary import', async () => {
    const jobId = hex();
    expect(await readRestoreLink(s3.store, keys(jobId), {})).toBeNull();
    await s3.write(keys(jobId).restoreLink, JSON.stringify({ of: 'orig', preview: false, selection, previewJobId: 'p1' }));
    expect(await readRestoreLink(s3.store, keys(jobId), {})).toEqual({ of: 'orig', preview: false, selection, previewJobId: 'p1' });
  });

  it.each([
    ['no original', { preview: true, selection }],
    ['no preview flag', { of: 'o', preview: 'yes', selection }],
    ['no selection', { of: 'o', preview: true }],
    ['a null selection', { of: 'o', preview: true, selection: null }],
  ])('ignores a link with %s', async (_what, link) => {
    const jobId = hex();
    await s3.write(keys(jobId).restoreLink, JSON.stringify(link));
    expect(await readRestoreLink(s3.store, keys(jobId), {})).toBeNull();
  });

  it('reads a missing preview job id as null', async () => {
    const jobId = hex();
    await s3.write(keys(jobId).restoreLink, JSON.stringify({ of: 'o', preview: true, selection, previewJobId: 7 }));
    expect(await readRestoreLink(s3.store, keys(jobId), {})).toEqual({ of: 'o', preview: true, selection, previewJobId: null });
  });
});

describe('invalidDocument', () => {
  it.each([['IscInvalidBody', 'is not valid JSON', new InvalidJsonError('Unexpected token <')]])(
    'turns a %s verdict into a retryable ISC error saying nothing was stored',
    (code, kind, error) => {
      const turned = invalidDocument(error, 'import results', 'download', 'j1') as IscError;
      expect(turned).toBeInstanceOf(IscError);
      expect(turned).toMatchObject({ code, retryable: true, phase: 'download', jobId: 'j1', cause: error });
      expect(turned.message).toBe(`ISC sent import results for j1 that ${kind} (Unexpected token <); nothing was stored.`);
    },
  );

  it('names a document of the wrong shape', () => {
    const check = exportCheck();
    check.write(Buffer.from('{"jobId":"x"}'));
    let verdict: unknown;
    try {
      check.finish();
    } catch (error) {
      verdict = error;
    }
    expect(invalidDocument(verdict, 'the backup', 'backup', 'j1')).toMatchObject({
      code: 'IscNotExportDocument',
      message: expect.stringMatching(/^ISC sent the backup for j1 that is not an export document \(/),
    });
  });

  it('passes ISC errors and other failures through unchanged', () => {
    const isc = iscError('IscNotFound', 404);
    const other = new Error('boom');
    expect(invalidDocument(isc, 'x', 'download', 'j')).toBe(isc);
    expect(invalidDocument(other, 'x', 'download', 'j')).toBe(other);
  });
});

describe('uploadChecked', () => {
  const upload = (key: string, expectedBytes: number | undefined, writable: Promise<unknown> = Promise.resolve()) => ({
    key,
    jobId: 'j1',
    phase: 'download' as const,
    expectedBytes,
    writable,
    deadline: virtualDeadline().deadline,
    what: 'import results',
  });

  it('stores the document whole, with its size and hash, and returns what the check learned', async () => {
    const key = `t/${hex()}`;
    const done = await uploadChecked(s3.store, Readable.from([Buffer.from(AFTER)]), exportCheck(), upload(key, AFTER.length));
    expect(done.checked).toEqual({ entries: 1 });
    expect(done.stored).toMatchObject({ key, bytes: AFTER.length, sha256: sha(AFTER) });
    expect((await s3.read(key))!.toString()).toBe(AFTER);
  });

  it('stores nothing of a body shorter than ISC announced', async () => {
    const key = `t/${hex()}`;
    const done = uploadChecked(s3.store, Readable.from([Buffer.from(AFTER)]), exportCheck(), upload(key, AFTER.length + 5));
    await expect(done).rejects.toMatchObject({ code: 'IscTruncatedBody', retryable: true, phase: 'download', jobId: 'j1' });
    await expect(done).rejects.toThrow(`ISC sent ${AFTER.length} of ${AFTER.length + 5} bytes of import results.`);
    expect(await s3.read(key)).toBeUndefined();
  });

  it('stores nothing when this delivery may not write', async () => {
    const key = `t/${hex()}`;
    const refused = new Error('claim busy');
    const done = uploadChecked(
      s3.store,
      Readable.from([Buffer.from(AFTER)]),
      exportCheck(),
      upload(key, undefined, Promise.reject(refused)),
    );
    await expect(done).rejects.toBe(refused);
    expect(await s3.read(key)).toBeUndefined();
  });
});

describe('backupSkipped and archiveBackup', () => {
  it.each([
    [false, EXPORT_ID, { state: 'DISABLED', reason: 'ARCHIVE_BACKUP is false.' }],
    [true, null, { state: 'NONE', reason: 'The import results name no pre-import backup (no exportJobId).' }],
    [true, 'not-an-id', { state: 'UNAVAILABLE', reason: 'The results name an exportJobId that is not a job id.' }],
    [true, EXPORT_ID, undefined],
  ])('enabled %s, exportJobId %s', (enabled, exportJobId, expected) => {
    expect(backupSkipped(enabled, exportJobId)).toEqual(expected);
  });

  const path = `/beta/sp-config/export/${EXPORT_ID}/download`;
  const run = (documents: Record<string, string>, earlier?: Manifest, exportJobId: string | null = EXPORT_ID) => {
    const jobId = hex();
    const d = deps({ documents });
    return {
      jobId,
      ...d,
      result: archiveBackup(d.deps, keys(jobId), jobId, exportJobId, virtualDeadline().deadline, Promise.resolve(), earlier),
    };
  };

  it('archives the backup under its lower-cased export id and says so', async () => {
    const jobId = hex();
    const d = deps({ documents: { [`/beta/sp-config/export/${EXPORT_ID.toUpperCase()}/download`]: AFTER } });
    const done = await archiveBackup(
      d.deps,
      keys(jobId),
      jobId,
      EXPORT_ID.toUpperCase(),
      virtualDeadline().deadline,
      Promise.resolve(),
      undefined,
    );
    expect(done.state).toEqual({ state: 'ARCHIVED', reason: `Pre-import backup ${EXPORT_ID.toUpperCase()} archived.` });
    expect(done.object).toMatchObject({ role: 'backup', key: keys(jobId).backup(EXPORT_ID), bytes: AFTER.length, sha256: sha(AFTER) });
    expect((await s3.read(keys(jobId).backup(EXPORT_ID)))!.toString()).toBe(AFTER);
  });

  it('records a backup ISC no longer serves as UNAVAILABLE, with the status', async () => {
    const { result, log, jobId } = run({});
    expect(await result).toEqual({ state: { state: 'UNAVAILABLE', reason: `ISC no longer serves backup ${EXPORT_ID} (404).` } });
    expect(log.lines).toContainEqual({
      level: 'warn',
      message: 'Backup unavailable',
      extra: { jobId, exportJobId: EXPORT_ID, reason: `ISC no longer serves backup ${EXPORT_ID} (404).` },
    });
  });

  it('records a backup that is not an export document as UNAVAILABLE, and stores none of it', async () => {
    const { result, jobId } = run({ [path]: '{"not":"an export"}' });
    const done = await result;
    expect(done.state.state).toBe('UNAVAILABLE');
    expect(done.state.reason).toMatch(new RegExp(`^ISC kept sending backup ${EXPORT_ID} that is not a whole export document: ISC sent`));
    expect(await s3.read(keys(jobId).backup(EXPORT_ID))).toBeUndefined();
  });

  it('keeps the copy an earlier archive holds when ISC no longer serves it', async () => {
    const jobId = hex();
    const kept = { role: 'backup' as const, key: keys(jobId).backup(EXPORT_ID), bytes: 9, sha256: 'c'.repeat(64) };
    const earlier = manifestOf(jobId, { objects: [kept], backup: { state: 'ARCHIVED', reason: 'ok' } });
    const d = deps({});
    const done = await archiveBackup(d.deps, keys(jobId), jobId, EXPORT_ID, virtualDeadline().deadline, Promise.resolve(), earlier);
    expect(done).toEqual({
      state: {
        state: 'ARCHIVED',
        reason: `Kept from the archive of ${NOW.toISOString()}: ISC no longer serves backup ${EXPORT_ID} (404).`,
      },
      object: kept,
    });
  });

  it('reads the kept copy for the changes, as a download would have been read', async () => {
    const jobId = hex();
    await s3.write(keys(jobId).backup(EXPORT_ID), AFTER);
    const kept = { role: 'backup' as const, key: keys(jobId).backup(EXPORT_ID), bytes: AFTER.length, sha256: sha(AFTER) };
    const earlier = manifestOf(jobId, { objects: [kept], backup: { state: 'ARCHIVED', reason: 'ok' } });
    const read = () => ({
      seen: [] as string[],
      write(chunk: Buffer) {
        this.seen.push(chunk.toString());
      },
      finish() {
        return this.seen.join('');
      },
    });
    const d = deps({});
    const done = await archiveBackup(d.deps, keys(jobId), jobId, EXPORT_ID, virtualDeadline().deadline, Promise.resolve(), earlier, read);
    expect(done).toMatchObject({ state: { state: 'ARCHIVED' }, object: kept, read: AFTER });
  });

  it('reads nothing from a kept copy whose bytes no longer match the manifest, and says so', async () => {
    const jobId = hex();
    await s3.write(keys(jobId).backup(EXPORT_ID), AFTER.replace('"x":2', '"x":3'));
    const kept = { role: 'backup' as const, key: keys(jobId).backup(EXPORT_ID), bytes: AFTER.length, sha256: sha(AFTER) };
    const earlier = manifestOf(jobId, { objects: [kept], backup: { state: 'ARCHIVED', reason: 'ok' } });
    const read = () => ({ write() {}, finish: () => 'read' });
    const d = deps({});
    const done = await archiveBackup(d.deps, keys(jobId), jobId, EXPORT_ID, virtualDeadline().deadline, Promise.resolve(), earlier, read);
    expect(done.state.state).toBe('ARCHIVED');
    expect(done.read).toBeUndefined();
    expect(d.log.lines.map((l) => l.message)).toContain('The kept backup no longer matches its manifest; changes compare without it');
  });

  it('does not keep an earlier copy the earlier archive did not vouch for', async () => {
    const jobId = hex();
    const kept = { role: 'backup' as const, key: keys(jobId).backup(EXPORT_ID), bytes: 9, sha256: 'c'.repeat(64) };
    const earlier = manifestOf(jobId, { objects: [kept], backup: { state: 'UNAVAILABLE', reason: 'gone' } });
    const d = deps({});
    const done = await archiveBackup(d.deps, keys(jobId), jobId, EXPORT_ID, virtualDeadline().deadline, Promise.resolve(), earlier);
    expect(done.state.state).toBe('UNAVAILABLE');
    expect(done.object).toBeUndefined();
  });

  it('lets other failures through, to be retried', async () => {
    const jobId = hex();
    const d = deps({ documents: { [path]: AFTER } });
    const busy = new StorageError('S3 is down', { retryable: true });
    const result = archiveBackup(d.deps, keys(jobId), jobId, EXPORT_ID, virtualDeadline().deadline, Promise.reject(busy), undefined);
    await expect(result).rejects.toBe(busy);
  });

  it('fetches nothing when the results name no backup', async () => {
    const { result, isc } = run({}, undefined, null);
    expect((await result).state.state).toBe('NONE');
    expect(isc.calls).toEqual([]);
  });
});

describe('awaitOtherDelivery', () => {
  it("answers with the other delivery's manifest once it lands", async () => {
    const jobId = hex();
    const d = deps();
    const m = manifestOf(jobId);
    const time = virtualDeadline();
    let looks = 0;
    const store = {
      ...s3.store,
      get: async (key: string) => {
        if (++looks === 3) await s3.write(key, JSON.stringify(m));
        return s3.store.get(key);
      },
    };
    const holder = { requestId: 'req-other', deadline: new Date(Date.now() + 60_000).toISOString() };
    expect(await awaitOtherDelivery({ ...d.deps, store }, jobId, holder, time.deadline)).toEqual(m);
    expect(time.sleeps).toEqual([2_000, 2_000]);
    expect(d.log.lines[0]).toEqual({
      level: 'info',
      message: 'Another delivery is archiving this job; watching for its manifest',
      extra: { jobId, holder: 'req-other', holderDeadline: holder.deadline },
    });
  });

  it('does not take the manifest that was there before the holder took its claim (a forced re-archive is under way)', async () => {
    const jobId = hex();
    const d = deps();
    const old = { ...manifestOf(jobId), archivedAt: '2026-11-30T10:00:00.000Z' };
    const fresh = { ...manifestOf(jobId), archivedAt: new Date(Date.now() + 1_000).toISOString() };
    const time = virtualDeadline();
    let looks = 0;
    const store = {
      ...s3.store,
      get: async (key: string) => {
        // The old manifest for two looks, then the holder's own.
        await s3.write(key, JSON.stringify(++looks <= 2 ? old : fresh));
        return s3.store.get(key);
      },
    };
    const holder = { requestId: 'req-forced', deadline: new Date(Date.now() + 60_000).toISOString(), claimedAt: new Date().toISOString() };
    expect(await awaitOtherDelivery({ ...d.deps, store }, jobId, holder, time.deadline)).toEqual(fresh);
    expect(looks).toBe(3);
  });

  it('gives up at once when the holder is out of time', async () => {
    const time = virtualDeadline();
    const holder = { requestId: 'r', deadline: new Date(Date.now() - 1_000).toISOString() };
    expect(await awaitOtherDelivery(deps().deps, hex(), holder, time.deadline)).toBeUndefined();
    expect(time.sleeps).toEqual([]);
  });

  it('waits no longer than its own time', async () => {
    const time = virtualDeadline(3_000);
    const holder = { requestId: 'r', deadline: new Date(Date.now() + 600_000).toISOString() };
    expect(await awaitOtherDelivery(deps().deps, hex(), holder, time.deadline)).toBeUndefined();
    expect(time.sleeps).toEqual([2_000]);
  });

  it('sleeps only until just past a holder deadline that is near', async () => {
    const time = virtualDeadline();
    const holder = { requestId: 'r', deadline: new Date(Date.now() + 600).toISOString() };
    const store = { ...s3.store, get: async () => undefined };
    const waiting = awaitOtherDelivery({ ...deps().deps, store }, hex(), holder, {
      ...time.deadline,
      sleep: async (ms) => {
        await new Promise((r) => setTimeout(r, ms));
        return time.deadline.sleep(ms);
      },
    });
    expect(await waiting).toBeUndefined();
    // One sleep, to 100 ms past the holder's deadline; then it is out of time.
    expect(time.sleeps).toHaveLength(1);
    expect(time.sleeps[0]).toBeGreaterThan(550);
    expect(time.sleeps[0]).toBeLessThanOrEqual(700);
  });
});

describe('keepEarlierChanges', () => {
  const computed = {
    state: 'COMPUTED' as const,
    reason: 'Compared.',
    afterExportJobId: EXPORT_ID,
    afterExportedAt: NOW.toISOString(),
    counts: { created: 0, changed: 1, unchanged: 0, unknown: 0 },
  };
  const unavailable = {
    record: {
      ...computed,
      state: 'UNAVAILABLE' as const,
      reason: 'ISC refused the export (403).',
      counts: { created: 0, changed: 0, unchanged: 0, unknown: 0 },
    },
    document: null,
    objects: [],
  };
  async function earlierWithChanges(body: string, stored = body) {
    const jobId = hex();
    await s3.write(keys(jobId).changes, stored);
    const changes = { role: 'changes' as const, key: keys(jobId).changes, bytes: body.length, sha256: sha(body) };
    const after = { role: 'after' as const, key: keys(jobId).backup(EXPORT_ID), bytes: 1, sha256: 'a'.repeat(64) };
    return manifestOf(jobId, { objects: [after, changes], changes: computed });
  }

  it('keeps the earlier record and objects, with the reason this run gave, when this run could not compute them', async () => {
    const document = { schemaVersion: 1, objects: [{ id: 's1' }] };
    const earlier = await earlierWithChanges(JSON.stringify(document));
    const d = deps();
    const kept = await keepEarlierChanges(d.deps, earlier, unavailable, {});
    expect(kept.record).toEqual({ ...computed, reason: `Kept from the archive of ${earlier.archivedAt}: ISC refused the export (403).` });
    expect(kept.objects).toEqual(earlier.objects);
    expect(kept.document).toEqual(document);
  });

  it('takes this run’s changes when they were computed, or when there were none before', async () => {
    const earlier = await earlierWithChanges('{}');
    const fresh = { record: computed, document: null, objects: [] };
    expect(await keepEarlierChanges(deps().deps, earlier, fresh, {})).toBe(fresh);
    expect(await keepEarlierChanges(deps().deps, undefined, unavailable, {})).toBe(unavailable);
    expect(await keepEarlierChanges(deps().deps, { ...earlier, changes: { ...computed, state: 'UNAVAILABLE' } }, unavailable, {})).toBe(
      unavailable,
    );
  });

  it('takes this run’s changes when the earlier changes.json no longer matches its manifest', async () => {
    const earlier = await earlierWithChanges('{"objects":[]}', '{"objects":[1]}');
    expect(await keepEarlierChanges(deps().deps, earlier, unavailable, {})).toBe(unavailable);
  });
});

describe('notingUnread', () => {
  const record = {
    state: 'COMPUTED' as const,
    reason: 'Compared 2 imported objects.',
    afterExportJobId: null,
    afterExportedAt: null,
    counts: { created: 0, changed: 1, unchanged: 1, unknown: 0 },
  };
  it('says in a computed record that objects the scanner did not read were not compared', () => {
    const noted = notingUnread({ record, document: null, objects: [] }, false);
    expect(noted.record.reason).toBe(
      `Compared 2 imported objects. The results name more imported objects than the archiver reads (${TOUCHED_LIMIT}), or one too large to read: those are not compared.`,
    );
    expect(noted.record.counts).toEqual(record.counts);
  });

  it('leaves a whole read, or changes that were not computed, as they are', () => {
    const whole = { record, document: null, objects: [] };
    expect(notingUnread(whole, true)).toBe(whole);
    const unavailable = { record: { ...record, state: 'UNAVAILABLE' as const }, document: null, objects: [] };
    expect(notingUnread(unavailable, false)).toBe(unavailable);
  });
});

describe('changesPlanned and recordChanges', () => {
  it.each([
    [false, 'COMPLETE', TOUCHED, { state: 'DISABLED', reason: CHANGES_REASONS.disabled }],
    [true, 'CANCELLED', TOUCHED, { state: 'NONE', reason: CHANGES_REASONS.cancelled }],
    [true, 'COMPLETE', [], { state: 'NONE', reason: CHANGES_REASONS.nothingImported }],
  ] as const)('changes enabled %s, status %s: no export', (enabled, status, touched, record) => {
    expect(changesPlanned(enabled, job(status), touched)).toMatchObject(record);
  });

  it('exports the after-state of a finished import that touched objects', () => {
    expect(changesPlanned(true, job('FAILED'), TOUCHED)).toBe('EXPORT');
  });

  it('records the changes UNAVAILABLE, with the reason and the export, when the after-state could not be had', async () => {
    const jobId = hex();
    const d = deps();
    const done = await recordChanges(d.deps, keys(jobId), {
      jobId,
      tenant: 'acme',
      touched: TOUCHED,
      afterState: Promise.reject(new AfterStateUnavailable('ISC said no.', EXPORT_ID)),
      signal: new AbortController().signal,
      before: null,
    });
    expect(done).toEqual({
      record: {
        state: 'UNAVAILABLE',
        reason: 'ISC said no.',
        afterExportJobId: EXPORT_ID,
        afterExportedAt: null,
        counts: { created: 0, changed: 0, unchanged: 0, unknown: 0 },
      },
      document: null,
      objects: [],
    });
    expect(d.log.lines).toContainEqual({
      level: 'warn',
      message: 'Changes unavailable',
      extra: { jobId, reason: 'ISC said no.', afterExportJobId: EXPORT_ID },
    });
    expect(await s3.read(keys(jobId).changes)).toBeUndefined();
  });

  it('lets a failure of the archive itself through', async () => {
    const jobId = hex();
    const late = new TimeBudgetError('late', 'changes', jobId);
    const done = recordChanges(deps().deps, keys(jobId), {
      jobId,
      tenant: 'acme',
      touched: TOUCHED,
      afterState: Promise.reject(late),
      signal: new AbortController().signal,
      before: null,
    });
    await expect(done).rejects.toBe(late);
  });
});

describe('exportPollInterval', () => {
  it('waits a quarter second, doubling up to 5 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map(exportPollInterval)).toEqual([250, 500, 1_000, 2_000, 4_000, 5_000, 5_000]);
  });
});

describe('exportAfterState then recordChanges', () => {
  const afterPath = `/beta/sp-config/export/${EXPORT_ID}/download`;
  function exportFor(options: ScriptedIscOptions, extra: { budgetMs?: number; handOff?: boolean; touched?: typeof TOUCHED } = {}) {
    const jobId = hex();
    const d = deps({ documents: { [afterPath]: AFTER }, ...options }, { ARCHIVE_CHANGES: 'true' });
    const time = virtualDeadline(extra.budgetMs ?? 600_000, NOW.getTime());
    const result = exportAfterState(
      d.deps,
      keys(jobId),
      jobId,
      extra.touched ?? TOUCHED,
      time.deadline,
      Promise.resolve(),
      extra.handOff ?? false,
    );
    return { jobId, result, time, ...d };
  }

  it('exports exactly the touched objects, polls until the export completes, and stores it as the after-state', async () => {
    const { jobId, result, time, isc, log } = exportFor({
      exportStatuses: ['IN_PROGRESS', 'IN_PROGRESS', 'COMPLETE'],
      exportFields: { completed: '2026-12-01T10:00:03Z' },
    });
    const after = await result;
    expect(isc.posted).toEqual([
      expect.objectContaining({
        description: `isc-import-archiver: after-state of import ${jobId}`,
        includeTypes: ['SOURCE'],
        objectOptions: { SOURCE: expect.objectContaining({ includedIds: ['s1'] }) },
      }),
    ]);
    expect(time.sleeps).toEqual([250, 500, 1_000]);
    expect(after).toMatchObject({
      exportJobId: EXPORT_ID,
      exportedAt: '2026-12-01T10:00:03Z',
      stored: { role: 'after', key: keys(jobId).backup(EXPORT_ID), bytes: AFTER.length, sha256: sha(AFTER) },
    });
    expect(after.objects).toEqual([expect.objectContaining({ ref: TOUCHED[0], matchedBy: 'id', object: { x: 2 } })]);
    expect((await s3.read(keys(jobId).backup(EXPORT_ID)))!.toString()).toBe(AFTER);
    expect(log.lines.map((l) => l.message)).toEqual(['After-state export started', 'After-state archived']);

    const recorded = await recordChanges(deps().deps, keys(jobId), {
      jobId,
      tenant: 'acme',
      touched: TOUCHED,
      afterState: Promise.resolve(after),
      signal: new AbortController().signal,
      before: null,
    });
    expect(recorded.record).toMatchObject({ state: 'COMPUTED', afterExportJobId: EXPORT_ID, afterExportedAt: '2026-12-01T10:00:03Z' });
    expect(recorded.objects.map((o) => o.role)).toEqual(['after', 'changes']);
    const stored = JSON.parse((await s3.read(keys(jobId).changes))!.toString());
    expect(stored).toEqual(recorded.document);
    expect(recorded.objects[1]).toMatchObject({ key: keys(jobId).changes });
  });

  it('says the imported objects name nothing to export them by, without calling ISC', async () => {
    const { result, isc } = exportFor({}, { touched: [{ type: 'SOURCE', id: '', name: '' }] });
    await expect(result).rejects.toBeInstanceOf(AfterStateUnavailable);
    await expect(result).rejects.toThrow('The imported objects name no id or name to export them by.');
    expect(isc.calls).toEqual([]);
  });

  it('says how the export ended when it did not complete', async () => {
    const { result } = exportFor({ exportStatuses: ['FAILED'], exportFields: { message: 'Too many objects' } });
    await expect(result).rejects.toMatchObject({
      message: `The after-state export ${EXPORT_ID} ended FAILED: Too many objects.`,
      exportJobId: EXPORT_ID,
    });
  });

  it('gives up on an export still running when time runs low, naming it', async () => {
    const { result, time } = exportFor({ exportStatuses: ['IN_PROGRESS'] }, { budgetMs: 1_000 });
    await expect(result).rejects.toMatchObject({
      message: `The after-state export ${EXPORT_ID} was still IN_PROGRESS when the invocation's time ran low.`,
      exportJobId: EXPORT_ID,
    });
    expect(time.sleeps).toEqual([250, 500]);
  });

  it('hands the archive off, rather than give up on the changes, when the caller can hand off', async () => {
    const { result } = exportFor({ exportStatuses: ['IN_PROGRESS'] }, { budgetMs: 1_000, handOff: true });
    await expect(result).rejects.toBeInstanceOf(TimeBudgetError);
    await expect(result).rejects.toMatchObject({
      phase: 'changes',
      code: 'TimeBudgetExhausted',
      message: `The after-state export ${EXPORT_ID} was still running.`,
    });
  });

  it('names the scope the credentials need when ISC refuses the export, and its trackingId', async () => {
    const { result } = exportFor({ exportError: iscError('IscForbidden', 403, { trackingId: 't'.repeat(32) }) });
    await expect(result).rejects.toMatchObject({
      message: `The after-state export failed: ISC answered 403 (trackingId ${'t'.repeat(32)}). The credentials need scope sp:config:read or sp:config:manage.`,
      exportJobId: null,
    });
  });

  it('says so when ISC answers the export request without a job id', async () => {
    const { result } = exportFor({ exportJobId: 'nope' });
    await expect(result).rejects.toMatchObject({ message: 'ISC answered the export request without a job id.', exportJobId: null });
  });

  it('records an after-state ISC will not serve as unavailable', async () => {
    const { result } = exportFor({ documents: {} });
    await expect(result).rejects.toMatchObject({
      message: 'The after-state export failed: ISC answered 404.',
      exportJobId: EXPORT_ID,
    });
  });
});

describe('writeManifest', () => {
  it('writes the manifest only under its condition, and says whether it did', async () => {
    const jobId = hex();
    const d = deps();
    const m = manifestOf(jobId);
    const signal = new AbortController().signal;
    expect(await writeManifest(d.deps, keys(jobId), m, { ifNoneMatch: '*' }, signal)).toBe(true);
    expect(JSON.parse((await s3.read(keys(jobId).manifest))!.toString())).toEqual(m);
    expect(await writeManifest(d.deps, keys(jobId), { ...m, status: 'FAILED' }, { ifNoneMatch: '*' }, signal)).toBe(false);
    expect(JSON.parse((await s3.read(keys(jobId).manifest))!.toString()).status).toBe('COMPLETE');
    expect(d.log.lines.filter((l) => l.message === 'Manifest written')).toEqual([
      {
        level: 'info',
        message: 'Manifest written',
        extra: { jobId, manifestKey: keys(jobId).manifest, status: 'COMPLETE', totals: m.summary.totals },
      },
    ]);
  });
});
