import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Archived, type ArchiveResult, archiveJob } from '../../../lambda/archive/archive-job.ts';
import { archiveKeys } from '../../../lambda/contract/archive-keys.ts';
import type { ArchiveStore } from '../../../lambda/storage/archive-store.ts';
import { completeResults, failedResults } from '../../../local/import-results.ts';
import { archiveDeps, type FakeIscJob, fakeIsc, recordingLog, virtualDeadline, wallClockNow } from '../../support/archive-fakes.ts';
import { type LocalS3Store, useLocalS3Store } from '../../support/local-s3-store.ts';

// The archive flow against the real local S3 (conditional writes enforced) and an ISC that serves
// documents from memory: what is written, in which order, and what is never written.

let s3: LocalS3Store;
useLocalS3Store((store) => (s3 = store));

const NOW = wallClockNow();
const hex = () => randomBytes(16).toString('hex');
const keys = (jobId: string) => archiveKeys('sp-config/', 'acme', jobId);
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const BACKUP = '{"version":1,"objects":[{"version":1,"self":{"type":"SOURCE","id":"s1","name":"S"},"object":{}}]}';

function run(
  jobId: string,
  job: FakeIscJob,
  options: {
    force?: boolean;
    wait?: boolean;
    requestId?: string;
    store?: ArchiveStore;
    env?: Record<string, string>;
    budgetMs?: number;
    now?: Date;
  } = {},
) {
  const isc = fakeIsc(jobId, job);
  const log = recordingLog();
  const time = virtualDeadline(options.budgetMs ?? 600_000, NOW.getTime());
  const deps = archiveDeps(options.store ?? s3.store, isc, {
    log,
    now: () => options.now ?? NOW,
    ...(options.env ? { env: options.env } : {}),
  });
  const result = archiveJob(
    { jobId, force: options.force ?? false, wait: options.wait ?? true, requestId: options.requestId ?? 'req-1' },
    deps,
    time.deadline,
  );
  return { result, isc, log, time };
}

async function manifest(jobId: string) {
  const body = await s3.read(keys(jobId).manifest);
  return body && JSON.parse(body.toString());
}

async function expectHonest(jobId: string) {
  const m = await manifest(jobId);
  for (const object of m.objects) {
    const stored = await s3.read(object.key);
    expect(stored, object.key).toBeDefined();
    expect(sha(stored!), object.key).toBe(object.sha256);
    expect(stored!.length, object.key).toBe(object.bytes);
  }
  // A written manifest releases the claim by itself: any claim left was taken before it was archived.
  const claim = await s3.read(keys(jobId).lease);
  if (claim) expect(JSON.parse(claim.toString()).claimedAt <= m.archivedAt).toBe(true);
  return m;
}

const archived = (r: ArchiveResult) => r as Archived;

describe('archiveJob', () => {
  it('archives the results, then the backup they name, then the report and the manifest, and releases the claim', async () => {
    const jobId = hex();
    const exportJobId = hex();
    const results = completeResults(exportJobId);
    const { result, isc } = run(jobId, { statuses: ['COMPLETE'], results, backups: { [exportJobId]: BACKUP } });
    const done = archived(await result);
    expect(done).toMatchObject({ outcome: 'ARCHIVED', bucket: s3.bucket, manifestKey: keys(jobId).manifest });
    const m = await expectHonest(jobId);
    expect(done.manifest).toEqual(m);
    expect(m).toMatchObject({
      schemaVersion: 1,
      tenant: 'acme',
      jobId,
      status: 'COMPLETE',
      exportJobId,
      archivedAt: NOW.toISOString(),
      apiVersion: 'beta',
      backup: { state: 'ARCHIVED', reason: `Pre-import backup ${exportJobId} archived.` },
      summary: { totals: { infos: 5, warnings: 1, errors: 0, importedObjects: 5 } },
      restore: null,
    });
    expect(m.objects.map((o: { role: string; key: string }) => [o.role, o.key])).toEqual([
      ['results', keys(jobId).results],
      ['backup', keys(jobId).backup(exportJobId)],
      ['report', keys(jobId).report],
    ]);
    expect((await s3.read(keys(jobId).results))!.toString()).toBe(results);
    expect((await s3.read(keys(jobId).backup(exportJobId)))!.toString()).toBe(BACKUP);
    expect((await s3.read(keys(jobId).report))!.toString()).toContain('Build Account Map');
    expect(isc.calls).toEqual([
      `GET /beta/sp-config/import/${jobId}`,
      `GET /beta/sp-config/import/${jobId}/download`,
      `GET /beta/sp-config/export/${exportJobId}/download`,
    ]);
  });

  it('answers an archived job from its manifest without calling ISC', async () => {
    const jobId = hex();
    await run(jobId, { statuses: ['FAILED'], results: failedResults() }).result;
    const { result, isc, log } = run(jobId, { statuses: ['FAILED'], results: failedResults() });
    expect(await result).toMatchObject({ outcome: 'ALREADY_ARCHIVED', manifest: { jobId, status: 'FAILED' } });
    expect(isc.calls).toEqual([]);
    expect(log.lines).toContainEqual({
      level: 'info',
      message: 'Already archived; ISC not called',
      extra: { jobId, manifestKey: keys(jobId).manifest },
    });
  });

  it('writes a manifest and a report but downloads nothing for a CANCELLED import', async () => {
    const jobId = hex();
    const { result, isc } = run(jobId, { statuses: ['CANCELLED'] });
    expect(await result).toMatchObject({ outcome: 'CANCELLED' });
    expect(isc.calls).toEqual([`GET /beta/sp-config/import/${jobId}`]);
    const m = await expectHonest(jobId);
    expect(m.objects.map((o: { role: string }) => o.role)).toEqual(['report']);
    expect(m.backup).toEqual({ state: 'NONE', reason: 'The import results name no pre-import backup (no exportJobId).' });
    expect(m.summary).toEqual({ byType: {}, totals: { infos: 0, warnings: 0, errors: 0, importedObjects: 0 } });
  });

  it('reports a running import at once when told not to wait, writing nothing and taking no claim', async () => {
    const jobId = hex();
    const { result, isc, time } = run(jobId, { statuses: ['IN_PROGRESS'] }, { wait: false });
    expect(await result).toMatchObject({ outcome: 'RUNNING', job: { jobId, status: 'IN_PROGRESS' } });
    expect(isc.calls).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
    expect(await s3.keys(keys(jobId).folder)).toEqual([]);
  });

  it('waits for a running import and archives it once it ends', async () => {
    const jobId = hex();
    const { result, time } = run(jobId, { statuses: ['NOT_STARTED', 'IN_PROGRESS', 'COMPLETE'], results: completeResults() });
    expect(await result).toMatchObject({ outcome: 'ARCHIVED', manifest: { status: 'COMPLETE' } });
    expect(time.sleeps).toEqual([2_000, 3_000]);
  });

  it('hands a still-running import back when its time runs low', async () => {
    const jobId = hex();
    const { result } = run(jobId, { statuses: ['IN_PROGRESS'] }, { budgetMs: 6_000 });
    expect(await result).toMatchObject({ outcome: 'RUNNING', job: { status: 'IN_PROGRESS' } });
    expect(await s3.keys(keys(jobId).folder)).toEqual([]);
  });
});

describe('the claim in the flow', () => {
  it('names this request and its deadline in the claim while it writes', async () => {
    const jobId = hex();
    let seen: unknown;
    const watching: ArchiveStore = {
      ...s3.store,
      put: async (key, body, type) => {
        if (key === keys(jobId).report) seen = JSON.parse((await s3.read(keys(jobId).lease))!.toString());
        return s3.store.put(key, body, type);
      },
    };
    await run(jobId, { statuses: ['COMPLETE'], results: completeResults() }, { store: watching, requestId: 'req-named', budgetMs: 300_000 })
      .result;
    expect(seen).toEqual({
      requestId: 'req-named',
      deadline: new Date(NOW.getTime() + 300_000).toISOString(),
      claimedAt: NOW.toISOString(),
    });
  });

  it('writes nothing while another live delivery holds the claim, and says who holds it', async () => {
    const jobId = hex();
    const holder = { requestId: 'req-other', deadline: new Date(NOW.getTime() + 60_000).toISOString() };
    await s3.write(keys(jobId).lease, JSON.stringify(holder));
    const { result, isc } = run(jobId, { statuses: ['COMPLETE'], results: completeResults() });
    expect(await result).toEqual({ outcome: 'BUSY', holder });
    // The download began while claiming; not a byte of it was stored.
    expect(isc.calls).toContain(`GET /beta/sp-config/import/${jobId}/download`);
    expect(await s3.keys(keys(jobId).folder)).toEqual([keys(jobId).lease]);
    expect(JSON.parse((await s3.read(keys(jobId).lease))!.toString())).toEqual(holder);
  });

  it('holds the first write until the claim is settled', async () => {
    const jobId = hex();
    let grant!: () => void;
    const granted = new Promise<void>((r) => (grant = r));
    const written: string[] = [];
    let claimSettled = false;
    const slowClaim: ArchiveStore = {
      ...s3.store,
      putConditional: async (key, body, type, condition) => {
        if (key === keys(jobId).lease && !claimSettled) {
          await granted;
          claimSettled = true;
        }
        return s3.store.putConditional(key, body, type, condition);
      },
      upload: (key, source, type, control) => (written.push(key), s3.store.upload(key, source, type, control)),
      put: (key, body, type) => (written.push(key), s3.store.put(key, body, type)),
    };
    const { result } = run(jobId, { statuses: ['COMPLETE'], results: completeResults() }, { store: slowClaim });
    await new Promise((r) => setTimeout(r, 200));
    // The results were downloaded and read meanwhile; S3 holds nothing of them yet.
    expect(await s3.keys(keys(jobId).folder)).toEqual([]);
    grant();
    expect(await result).toMatchObject({ outcome: 'ARCHIVED' });
    expect(written).toEqual([keys(jobId).results, keys(jobId).report]);
    await expectHonest(jobId);
  });

  it('takes over a claim whose holder has run out of time', async () => {
    const jobId = hex();
    await s3.write(keys(jobId).lease, JSON.stringify({ requestId: 'req-dead', deadline: new Date(NOW.getTime() - 1).toISOString() }));
    const { result, log } = run(jobId, { statuses: ['COMPLETE'], results: completeResults() });
    expect(await result).toMatchObject({ outcome: 'ARCHIVED' });
    expect(log.lines.map((l) => l.message)).toContain('Taking over the claim: its holder has run out of time');
    await expectHonest(jobId);
  });

  it('answers ALREADY_ARCHIVED when another delivery archived the job while it claimed, writing nothing', async () => {
    const jobId = hex();
    const first = run(jobId, { statuses: ['COMPLETE'], results: completeResults() });
    await first.result;
    const theirs = (await s3.read(keys(jobId).manifest))!;
    await s3.s3.send(new (await import('@aws-sdk/client-s3')).DeleteObjectCommand({ Bucket: s3.bucket, Key: keys(jobId).manifest }));
    const reappearing: ArchiveStore = {
      ...s3.store,
      putConditional: async (key, body, type, condition) => {
        const won = await s3.store.putConditional(key, body, type, condition);
        // The other delivery's manifest lands right after we took the claim.
        if (key === keys(jobId).lease && won) await s3.write(keys(jobId).manifest, theirs);
        return won;
      },
    };
    const { result } = run(jobId, { statuses: ['COMPLETE'], results: `${completeResults()} ` }, { store: reappearing });
    expect(await result).toMatchObject({ outcome: 'ALREADY_ARCHIVED' });
    expect((await s3.read(keys(jobId).manifest))!.equals(theirs)).toBe(true);
    expect((await s3.read(keys(jobId).results))!.toString()).toBe(completeResults());
    expect(await s3.keys(keys(jobId).folder)).not.toContain(keys(jobId).lease);
  });

  it('releases the claim when the archive fails', async () => {
    const jobId = hex();
    const { result } = run(jobId, { statuses: ['COMPLETE'], results: '<html>' });
    await expect(result).rejects.toMatchObject({ name: 'IscInvalidBody', retryable: true });
    expect(await s3.keys(keys(jobId).folder)).toEqual([]);
  });
});

describe('force', () => {
  it('names the S3 version of each object on a versioned bucket, so a later re-archive never changes what it vouches for', async () => {
    const jobId = hex();
    const exportJobId = hex();
    let n = 0;
    const version = () => `v${++n}`;
    // The local S3 keeps no versions: this store answers as a versioned bucket does.
    const versioned: ArchiveStore = {
      ...s3.store,
      upload: async (key, source, type, control) => ({ ...(await s3.store.upload(key, source, type, control)), versionId: version() }),
      put: async (key, body, type, options) => ({ ...(await s3.store.put(key, body, type, options)), versionId: version() }),
    };
    const { result } = run(
      jobId,
      { statuses: ['COMPLETE'], results: completeResults(exportJobId), backups: { [exportJobId]: BACKUP } },
      { store: versioned },
    );
    expect(await result).toMatchObject({ outcome: 'ARCHIVED' });
    const m = await manifest(jobId);
    expect(m.objects.map((o: { role: string; versionId?: string }) => [o.role, o.versionId])).toEqual([
      ['results', expect.stringMatching(/^v\d$/)],
      ['backup', expect.stringMatching(/^v\d$/)],
      ['report', expect.stringMatching(/^v\d$/)],
    ]);
    expect(new Set(m.objects.map((o: { versionId: string }) => o.versionId)).size).toBe(3);
  });

  it('replaces the archive, and names the new bytes', async () => {
    const jobId = hex();
    await run(jobId, { statuses: ['COMPLETE'], results: completeResults() }).result;
    const later = new Date(NOW.getTime() + 60_000);
    const { result, isc } = run(jobId, { statuses: ['COMPLETE'], results: `${completeResults()}  ` }, { force: true, now: later });
    expect(await result).toMatchObject({ outcome: 'ARCHIVED' });
    expect(isc.calls).toHaveLength(2);
    const m = await expectHonest(jobId);
    expect(m.archivedAt).toBe(later.toISOString());
    expect(m.objects[0].sha256).toBe(sha(`${completeResults()}  `));
  });

  it('fails (to be retried) rather than overwrite a manifest that changed while it held the claim', async () => {
    const jobId = hex();
    await run(jobId, { statuses: ['COMPLETE'], results: completeResults() }).result;
    const newer = Buffer.from(JSON.stringify({ ...(await manifest(jobId)), archivedAt: '2026-12-01T11:00:00.000Z' }));
    const intruding: ArchiveStore = {
      ...s3.store,
      put: async (key, body, type) => {
        const stored = await s3.store.put(key, body, type);
        // A delivery that outlived its deadline rewrites the manifest just before ours.
        if (key === keys(jobId).report) await s3.write(keys(jobId).manifest, newer);
        return stored;
      },
    };
    const { result } = run(jobId, { statuses: ['COMPLETE'], results: completeResults() }, { force: true, store: intruding });
    await expect(result).rejects.toMatchObject({
      name: 'Storage',
      retryable: true,
      message: expect.stringContaining('changed while this delivery held the claim'),
    });
    expect((await s3.read(keys(jobId).manifest))!.equals(newer)).toBe(true);
    expect(await s3.keys(keys(jobId).folder)).not.toContain(keys(jobId).lease);
  });

  it('keeps an archived backup that ISC no longer serves', async () => {
    const jobId = hex();
    const exportJobId = hex();
    await run(jobId, { statuses: ['COMPLETE'], results: completeResults(exportJobId), backups: { [exportJobId]: BACKUP } }).result;
    const first = await manifest(jobId);
    const { result } = run(
      jobId,
      { statuses: ['COMPLETE'], results: completeResults(exportJobId), backups: { [exportJobId]: 'gone' } },
      { force: true },
    );
    const m = archived(await result).manifest;
    expect(m.backup.state).toBe('ARCHIVED');
    expect(m.backup.reason).toMatch(
      new RegExp(
        `^Kept from the archive of ${first.archivedAt}: ISC no longer serves backup ${exportJobId} \\(404, trackingId a{32}\\)\\.$`,
      ),
    );
    expect(m.objects.find((o) => o.role === 'backup')).toEqual(first.objects.find((o: { role: string }) => o.role === 'backup'));
  });
});

describe('the backup step', () => {
  it.each([
    [
      'ARCHIVE_BACKUP is false',
      { ARCHIVE_BACKUP: 'false' },
      (e: string) => completeResults(e),
      { state: 'DISABLED', reason: 'ARCHIVE_BACKUP is false.' },
    ],
    [
      'the results name no backup',
      {},
      () => completeResults(),
      { state: 'NONE', reason: 'The import results name no pre-import backup (no exportJobId).' },
    ],
    [
      'the exportJobId is not a job id',
      {},
      () => completeResults('../../etc'),
      { state: 'UNAVAILABLE', reason: 'The results name an exportJobId that is not a job id.' },
    ],
  ])('records why there is no backup when %s, without asking ISC', async (_why, env, results, backup) => {
    const jobId = hex();
    const { result, isc } = run(jobId, { statuses: ['COMPLETE'], results: results(hex()) }, { env });
    expect(archived(await result).manifest.backup).toEqual(backup);
    expect(isc.calls.filter((c) => c.includes('/export/'))).toEqual([]);
  });

  it('keeps no exportJobId in the manifest that is not a job id (it may be any size): the backup says why', async () => {
    const jobId = hex();
    const { result } = run(jobId, { statuses: ['COMPLETE'], results: completeResults('x'.repeat(60_000)) });
    const m = archived(await result).manifest;
    expect(m.exportJobId).toBeNull();
    expect(m.backup).toEqual({ state: 'UNAVAILABLE', reason: 'The results name an exportJobId that is not a job id.' });
  });

  it('records a backup ISC no longer serves as UNAVAILABLE with the status and trackingId', async () => {
    const jobId = hex();
    const exportJobId = hex();
    const { result, log } = run(jobId, {
      statuses: ['COMPLETE'],
      results: completeResults(exportJobId),
      backups: { [exportJobId]: 'gone' },
    });
    const m = archived(await result).manifest;
    expect(m.backup).toEqual({
      state: 'UNAVAILABLE',
      reason: `ISC no longer serves backup ${exportJobId} (404, trackingId ${'a'.repeat(32)}).`,
    });
    expect(log.lines.find((l) => l.message === 'Backup unavailable')).toMatchObject({ level: 'warn', extra: { jobId, exportJobId } });
  });

  it.each([
    ['not JSON', '<html>oops</html>', /not valid JSON/],
    ['JSON without an objects array', '{"version":1}', /not an export document.*"objects"/],
  ])('records a backup that is %s as UNAVAILABLE and stores none of it', async (_what, document, reason) => {
    const jobId = hex();
    const exportJobId = hex();
    const { result } = run(jobId, { statuses: ['COMPLETE'], results: completeResults(exportJobId), backups: { [exportJobId]: document } });
    const m = archived(await result).manifest;
    expect(m.backup.state).toBe('UNAVAILABLE');
    expect(m.backup.reason).toMatch(new RegExp(`^ISC kept sending backup ${exportJobId} that is not a whole export document: `));
    expect(m.backup.reason).toMatch(reason);
    expect(await s3.keys(`${keys(jobId).folder}exports/`)).toEqual([]);
  });

  it('fails on a backup cut short, so the delivery is retried, storing none of it', async () => {
    const jobId = hex();
    const exportJobId = hex();
    const { result } = run(jobId, {
      statuses: ['COMPLETE'],
      results: completeResults(exportJobId),
      backups: { [exportJobId]: { body: BACKUP, contentLength: BACKUP.length + 10 } },
    });
    await expect(result).rejects.toMatchObject({
      name: 'IscTruncatedBody',
      phase: 'backup',
      retryable: true,
      message: `ISC sent ${BACKUP.length} of ${BACKUP.length + 10} bytes of the pre-import backup.`,
    });
    expect(await s3.keys(keys(jobId).folder)).toEqual([keys(jobId).results]);
  });
});

describe('the results step', () => {
  it('fails on results cut short, storing none of them', async () => {
    const jobId = hex();
    const results = completeResults();
    const { result } = run(jobId, { statuses: ['COMPLETE'], results: { body: results, contentLength: results.length + 1 } });
    await expect(result).rejects.toMatchObject({
      name: 'IscTruncatedBody',
      phase: 'download',
      retryable: true,
      jobId,
      message: `ISC sent ${results.length} of ${results.length + 1} bytes of import results.`,
    });
    expect(await s3.keys(keys(jobId).folder)).toEqual([]);
  });

  it('fails on results that are not JSON, saying so, storing none of them', async () => {
    const jobId = hex();
    const { result } = run(jobId, { statuses: ['COMPLETE'], results: '{"results": {' });
    await expect(result).rejects.toMatchObject({
      name: 'IscInvalidBody',
      phase: 'download',
      retryable: true,
      message: expect.stringMatching(
        new RegExp(`^ISC sent import results for ${jobId} that is not valid JSON \\(.+\\); nothing was stored\\.$`),
      ),
    });
    expect(await s3.keys(keys(jobId).folder)).toEqual([]);
  });

  it('logs what it archived', async () => {
    const jobId = hex();
    const results = failedResults();
    const { result, log } = run(jobId, { statuses: ['FAILED'], results });
    await result;
    expect(log.lines.find((l) => l.message === 'Results archived')).toEqual({
      level: 'info',
      message: 'Results archived',
      extra: { jobId, key: keys(jobId).results, bytes: results.length, sha256: sha(results) },
    });
    expect(log.lines.find((l) => l.message === 'Manifest written')).toMatchObject({
      extra: { jobId, manifestKey: keys(jobId).manifest, status: 'FAILED', totals: { errors: 2, warnings: 1 } },
    });
  });
});

describe('a restore job', () => {
  it('carries the link its restore route left beside it into the manifest', async () => {
    const jobId = hex();
    const link = {
      of: hex(),
      preview: true,
      selection: { includeTypes: ['SOURCE'], objectOptions: { SOURCE: { includedIds: ['s1'], includedNames: [] } } },
      previewJobId: null,
    };
    await s3.write(keys(jobId).restoreLink, JSON.stringify(link));
    const { result } = run(jobId, { statuses: ['COMPLETE'], results: completeResults() });
    expect(archived(await result).manifest.restore).toEqual(link);
  });
});
