import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildManifest } from '../../../lambda/archive/manifest.ts';
import { archiveKeys } from '../../../lambda/contract/archive-keys.ts';
import { CONTENT_TYPES } from '../../../lambda/contract/constants.ts';
import type { Manifest, ManifestObject } from '../../../lambda/domain/manifest.ts';
import { backupHoldings, touchedObjects } from '../../../lambda/restore/archived-documents.ts';
import { refreshReport } from '../../../lambda/restore/refresh-report.ts';
import {
  listRestores,
  lockApply,
  markApplied,
  recordRestore,
  unlockApply,
  writeRestoreLink,
} from '../../../lambda/restore/restore-records.ts';
import { completeResults } from '../../../local/import-results.ts';
import { archiveDeps, recordingLog, virtualDeadline } from '../../support/archive-fakes.ts';
import { scriptedIsc } from '../../support/archive-restore-isc.ts';
import { type LocalS3Store, useLocalS3Store } from '../../support/local-s3-store.ts';

// What the restore routes keep in S3 beside the archives, and the refresh of the original's report.

let s3: LocalS3Store;
useLocalS3Store((store) => (s3 = store));

const hex = () => randomBytes(16).toString('hex');
const keys = (jobId: string) => archiveKeys('sp-config/', 'acme', jobId);
const json = async (key: string) => JSON.parse((await s3.read(key))!.toString());

describe('restore records', () => {
  it('writes the link beside the restore job and one record per restore under the original', async () => {
    const original = hex();
    const restoreJob = hex();
    const link = { of: original, preview: true, selection: { includeTypes: ['SOURCE'], objectOptions: {} }, previewJobId: null };
    await writeRestoreLink(s3.store, keys(restoreJob), link, {});
    expect(await json(keys(restoreJob).restoreLink)).toEqual(link);
    const entry = { jobId: restoreJob, preview: true, at: '2026-12-01T10:00:00.000Z', previewJobId: null };
    await recordRestore(s3.store, keys(original), entry, {});
    expect(await json(`${keys(original).restores}${restoreJob}.json`)).toEqual(entry);
  });

  it('lists the restores newest first, skipping the apply locks and unreadable records', async () => {
    const original = hex();
    const [a, b, c] = [hex(), hex(), hex()];
    await recordRestore(s3.store, keys(original), { jobId: a, preview: true, at: '2026-12-01T10:00:00Z', previewJobId: null }, {});
    await recordRestore(s3.store, keys(original), { jobId: b, preview: false, at: '2026-12-01T11:00:00Z', previewJobId: a }, {});
    await s3.write(`${keys(original).restores}${c}.json`, JSON.stringify({ jobId: c, preview: 'no', at: 'x' }));
    await s3.write(`${keys(original).restores}notes.json`, JSON.stringify({ jobId: 'n', preview: true, at: '2027' }));
    await s3.write(
      `${keys(original).restores}${hex()}.json`,
      JSON.stringify({ jobId: 'legacy', preview: true, at: '2026-12-01T09:00:00Z' }),
    );
    await lockApply(s3.store, keys(original), a, 'req', '2027-01-01T00:00:00Z', {});
    expect(await listRestores(s3.store, keys(original))).toEqual([
      { jobId: b, preview: false, at: '2026-12-01T11:00:00Z', previewJobId: a },
      { jobId: a, preview: true, at: '2026-12-01T10:00:00Z', previewJobId: null },
      { jobId: 'legacy', preview: true, at: '2026-12-01T09:00:00Z', previewJobId: null },
    ]);
  });

  it('lets one apply of a preview take its lock; the next finds who holds it, then what it submitted', async () => {
    const original = hex();
    const preview = hex();
    expect(await lockApply(s3.store, keys(original), preview, 'req-1', 'T1', {})).toBeUndefined();
    expect(await lockApply(s3.store, keys(original), preview, 'req-2', 'T2', {})).toEqual({ state: 'SUBMITTING', by: 'req-1', at: 'T1' });
    await markApplied(s3.store, keys(original), preview, 'job-9', 'T3', {});
    expect(await lockApply(s3.store, keys(original), preview, 'req-3', 'T4', {})).toEqual({ state: 'SUBMITTED', jobId: 'job-9', at: 'T3' });
    await unlockApply(s3.store, keys(original), preview, {});
    expect(await lockApply(s3.store, keys(original), preview, 'req-4', 'T5', {})).toBeUndefined();
  });

  it('reports an unknown holder when the lock vanished between the try and the look', async () => {
    const original = hex();
    const store = { ...s3.store, putConditional: async () => undefined };
    expect(await lockApply(store, keys(original), hex(), 'req', 'T9', {})).toEqual({ state: 'SUBMITTING', by: 'unknown', at: 'T9' });
  });
});

describe('archived documents', () => {
  async function put(key: string, body: string, role: ManifestObject['role']): Promise<ManifestObject> {
    return { role, ...(await s3.store.put(key, Buffer.from(body), CONTENT_TYPES.json)) };
  }

  it('reads every imported object back from the results', async () => {
    const results = await put(`t/${hex()}`, completeResults(), 'results');
    expect((await touchedObjects(s3.store, results, {})).objects.map((o) => o.type)).toEqual([
      'SOURCE',
      'TRANSFORM',
      'RULE',
      'TRIGGER_SUBSCRIPTION',
      'TRIGGER_SUBSCRIPTION',
    ]);
  });

  it('reads the self of each backup entry of the types asked for', async () => {
    const backup = await put(
      `t/${hex()}`,
      JSON.stringify({
        version: 1,
        objects: [
          { version: 1, self: { type: 'SOURCE', id: 's1', name: 'S' }, object: { big: [1, 2, 3] } },
          { version: 1, self: { type: 'RULE', id: 'r1', name: 'R' }, object: {} },
        ],
      }),
      'backup',
    );
    expect(await backupHoldings(s3.store, backup, new Set(['SOURCE']), {})).toEqual([{ type: 'SOURCE', id: 's1', name: 'S' }]);
  });

  it('says which object is missing from the bucket', async () => {
    const key = `t/${hex()}`;
    await expect(backupHoldings(s3.store, { role: 'backup', key, bytes: 1, sha256: 'x' }, new Set(), {})).rejects.toThrow(
      `${key} is missing from the bucket`,
    );
  });
});

describe('refreshReport', () => {
  async function archived(jobId: string): Promise<Manifest> {
    const results = await s3.store.put(keys(jobId).results, Buffer.from(completeResults()), CONTENT_TYPES.json);
    const report = await s3.store.put(keys(jobId).report, Buffer.from('<html>old</html>'), CONTENT_TYPES.html);
    const manifest = buildManifest({
      tenant: 'acme',
      apiVersion: 'beta',
      job: { jobId, status: 'COMPLETE', message: null, created: null, modified: null, completed: null, type: 'IMPORT', expiration: null },
      exportJobId: null,
      objects: [
        { role: 'results', ...results },
        { role: 'report', ...report },
      ],
      backup: { state: 'NONE', reason: 'none' },
      summary: { byType: {}, totals: { infos: 0, warnings: 0, errors: 0, importedObjects: 5 } },
      archivedAt: new Date('2026-12-01T10:00:00Z'),
    });
    await s3.write(keys(jobId).manifest, JSON.stringify(manifest));
    return manifest;
  }

  const run = (jobId: string, log = recordingLog()) =>
    refreshReport(
      archiveDeps(s3.store, scriptedIsc(), { log }),
      keys(jobId),
      jobId,
      'req-r',
      virtualDeadline(600_000, Date.now()).deadline,
    );

  it("writes the report again with the restores listed, and the manifest with the new report's size and hash", async () => {
    const jobId = hex();
    const restoreJob = hex();
    const before = await archived(jobId);
    await recordRestore(s3.store, keys(jobId), { jobId: restoreJob, preview: true, at: '2026-12-01T11:00:00Z', previewJobId: null }, {});
    await run(jobId);
    const report = (await s3.read(keys(jobId).report))!;
    expect(report.toString()).toContain(restoreJob);
    expect(report.toString()).toContain('Build Account Map');
    const manifest = await json(keys(jobId).manifest);
    expect(manifest).toEqual({
      ...before,
      objects: [before.objects[0], expect.objectContaining({ role: 'report', key: keys(jobId).report, bytes: report.length })],
    });
    expect(await s3.keys(keys(jobId).folder)).not.toContain(keys(jobId).lease);
  });

  it('leaves the report alone while another delivery archives the original', async () => {
    const jobId = hex();
    await archived(jobId);
    await s3.write(keys(jobId).lease, JSON.stringify({ requestId: 'req-other', deadline: new Date(Date.now() + 60_000).toISOString() }));
    const log = recordingLog();
    await run(jobId, log);
    expect((await s3.read(keys(jobId).report))!.toString()).toBe('<html>old</html>');
    expect(log.lines).toContainEqual({
      level: 'info',
      message: 'The original is being archived now; its report keeps its old restore list',
      extra: { jobId, holder: 'req-other' },
    });
  });

  it('writes nothing for an original that has no manifest, and releases the claim', async () => {
    const jobId = hex();
    await run(jobId);
    expect(await s3.keys(keys(jobId).folder)).toEqual([]);
  });

  it('keeps the newer manifest when it changed meanwhile, and says so', async () => {
    const jobId = hex();
    await archived(jobId);
    const log = recordingLog();
    const newer = JSON.stringify({ newer: true });
    const store = {
      ...s3.store,
      put: async (...args: Parameters<typeof s3.store.put>) => {
        const done = await s3.store.put(...args);
        if (args[0] === keys(jobId).report) await s3.write(keys(jobId).manifest, newer);
        return done;
      },
    };
    await refreshReport(
      archiveDeps(store, scriptedIsc(), { log }),
      keys(jobId),
      jobId,
      'req-r',
      virtualDeadline(600_000, Date.now()).deadline,
    );
    expect((await s3.read(keys(jobId).manifest))!.toString()).toBe(newer);
    expect(log.lines).toContainEqual({
      level: 'warn',
      message: 'The original manifest changed while its report was refreshed; the newer archive stands',
      extra: { jobId },
    });
  });
});
