import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { archiveJob } from '../../../lambda/archive/archive-job.ts';
import { archiveKeys } from '../../../lambda/contract/archive-keys.ts';
import type { IscClient } from '../../../lambda/isc/isc-client.ts';
import { completeResults } from '../../../local/import-results.ts';
import { archiveDeps, fakeIsc, recordingLog, virtualDeadline, wallClockNow } from '../../support/archive-fakes.ts';
import { iscError, scriptedIsc } from '../../support/archive-restore-isc.ts';
import { type LocalS3Store, useLocalS3Store } from '../../support/local-s3-store.ts';

// The archive flow with the changes on: the after-state export of the touched objects, compared
// with the pre-import backup read from the same bytes that are stored.

let s3: LocalS3Store;
useLocalS3Store((store) => (s3 = store));

const NOW = wallClockNow();
const hex = () => randomBytes(16).toString('hex');
const keys = (jobId: string) => archiveKeys('sp-config/', 'acme', jobId);
const SOURCE = { type: 'SOURCE', id: '2c9180835d2e5168015d32f890ca1581', name: 'Active Directory' };
const TRANSFORM = { type: 'TRANSFORM', id: 'b8d4c2e1-3a5f-4f2e-9d1c-7e6a5b4c3d2e', name: 'Lowercase Email' };
const doc = (entries: { self: object; object: object }[]) =>
  JSON.stringify({ version: 1, objects: entries.map((e) => ({ version: 1, ...e })) });
const BEFORE = doc([{ self: SOURCE, object: { owner: 'a' } }]);
const AFTER = doc([
  { self: SOURCE, object: { owner: 'b' } },
  { self: TRANSFORM, object: { type: 'lower' } },
]);

function run(exportError?: Error) {
  const jobId = hex();
  const backupId = hex();
  const afterId = hex();
  const imports = fakeIsc(jobId, { statuses: ['COMPLETE'], results: completeResults(backupId), backups: { [backupId]: BEFORE } });
  const exports = scriptedIsc({
    exportJobId: afterId,
    exportStatuses: ['IN_PROGRESS', 'COMPLETE'],
    exportFields: { completed: '2026-12-01T10:00:02Z' },
    documents: { [`/beta/sp-config/export/${afterId}/download`]: AFTER },
    ...(exportError ? { exportError } : {}),
  });
  const isc: IscClient = {
    ...imports,
    getJson: (path, ctx) => (path.includes(afterId) ? exports.getJson(path, ctx) : imports.getJson(path, ctx)),
    download: (path, ctx, consume) =>
      path.includes(afterId) ? exports.download(path, ctx, consume) : imports.download(path, ctx, consume),
    postJson: (path, body, ctx) => exports.postJson(path, body, ctx),
  };
  const log = recordingLog();
  const deps = archiveDeps(s3.store, isc, { log, now: () => NOW, env: { ARCHIVE_CHANGES: 'true' } });
  const result = archiveJob(
    { jobId, force: false, wait: true, requestId: 'req-1' },
    deps,
    virtualDeadline(600_000, NOW.getTime()).deadline,
  );
  return { jobId, backupId, afterId, result, exports, log };
}

describe('archiveJob with the changes on', () => {
  it('exports the after-state of the touched objects, compares it with the backup, and archives both and the changes', async () => {
    const { jobId, backupId, afterId, result, exports } = run();
    const done = await result;
    expect(done).toMatchObject({ outcome: 'ARCHIVED' });
    const manifest = JSON.parse((await s3.read(keys(jobId).manifest))!.toString());
    expect(manifest.objects.map((o: { role: string; key: string }) => [o.role, o.key])).toEqual([
      ['results', keys(jobId).results],
      ['backup', keys(jobId).backup(backupId)],
      ['after', keys(jobId).backup(afterId)],
      ['changes', keys(jobId).changes],
      ['report', keys(jobId).report],
    ]);
    expect(manifest.changes).toMatchObject({ state: 'COMPUTED', afterExportJobId: afterId, afterExportedAt: '2026-12-01T10:00:02Z' });
    expect(manifest.changes.counts).toMatchObject({ changed: 1, created: 1 });
    expect(exports.posted).toHaveLength(1);
    expect((exports.posted[0] as { includeTypes: string[] }).includeTypes).toEqual(expect.arrayContaining(['SOURCE', 'TRANSFORM']));
    const changes = JSON.parse((await s3.read(keys(jobId).changes))!.toString());
    expect(changes.before).toMatchObject({ exportJobId: backupId, key: keys(jobId).backup(backupId) });
    expect(changes.after).toMatchObject({ exportJobId: afterId, key: keys(jobId).backup(afterId) });
    expect((await s3.read(keys(jobId).backup(afterId)))!.toString()).toBe(AFTER);
  });

  it('archives without the changes, saying why, when ISC refuses the after-state export', async () => {
    const { jobId, result } = run(iscError('IscForbidden', 403));
    expect(await result).toMatchObject({ outcome: 'ARCHIVED' });
    const manifest = JSON.parse((await s3.read(keys(jobId).manifest))!.toString());
    expect(manifest.changes).toMatchObject({
      state: 'UNAVAILABLE',
      reason: 'The after-state export failed: ISC answered 403. The credentials need scope sp:config:read or sp:config:manage.',
    });
    expect(manifest.objects.map((o: { role: string }) => o.role)).toEqual(['results', 'backup', 'report']);
  });
});
