import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { archiveJob, type ArchiveDeps } from '../../../lambda/archive/archive-job.ts';
import { loadConfig } from '../../../lambda/contract/config.ts';
import { silentLog } from '../../../lambda/core/log.ts';
import type { ArchiveStore, ConditionalWrite } from '../../../lambda/storage/archive-store.ts';
import type { IscClient } from '../../../lambda/isc/isc-client.ts';
import { completeResults } from '../../../local/import-results.ts';

const JOB = 'ef38f94347e94562b5bb8424a56397d8';
const deadline = { remainingMs: () => 60_000, sleep: async () => true };

/** An in-memory store whose conditional write can be told to lose, as S3 answers 412 or 409. */
function memoryStore(loseWith?: () => void) {
  const objects = new Map<string, Buffer>();
  const conditions: ConditionalWrite[] = [];
  const claims: string[] = [];
  const store: ArchiveStore = {
    bucket: 'b-1',
    async upload(key, source, _type, control) {
      const chunks: Buffer[] = [];
      for await (const c of source) {
        control?.observe?.chunk?.(c as Buffer);
        chunks.push(c as Buffer);
      }
      const body = Buffer.concat(chunks);
      control?.observe?.end?.({ bytes: body.length, sha256: 'x' });
      await control?.before;
      objects.set(key, body);
      await control?.valid?.().catch((error: unknown) => {
        objects.delete(key);
        throw error;
      });
      return { key, bytes: body.length, sha256: 'x' };
    },
    async put(key, body) {
      objects.set(key, body);
      return { key, bytes: body.length, sha256: 'y' };
    },
    async putConditional(key, body, _type, condition) {
      if (key.endsWith('/.archiving')) {
        claims.push(key);
        if (objects.has(key) && 'ifNoneMatch' in condition) return undefined;
        objects.set(key, body);
        return { key, bytes: body.length, sha256: 'z', etag: '"etag-1"' };
      }
      conditions.push(condition);
      if (loseWith) {
        loseWith();
        return undefined;
      }
      objects.set(key, body);
      return { key, bytes: body.length, sha256: 'z', etag: '"etag-1"' };
    },
    async get(key) {
      const body = objects.get(key);
      return body && { body, etag: '"etag-1"' };
    },
    async remove(key) {
      objects.delete(key);
    },
    async delete(key) {
      return objects.delete(key);
    },
  };
  return { store, objects, conditions, claims };
}

function fakeIsc(status: string, results = completeResults()) {
  const calls: string[] = [];
  const isc: IscClient = {
    requestCount: () => calls.length,
    async getJson(path) {
      calls.push(path);
      return { jobId: JOB, status, type: 'IMPORT', created: '2026-11-28T10:00:00Z' };
    },
    async download(path, _ctx, consume) {
      calls.push(path);
      return consume(Readable.from([Buffer.from(results)]), { contentLength: undefined });
    },
    postJson: async () => {
      throw new Error('not used by archiveJob');
    },
    postImport: async () => {
      throw new Error('not used by archiveJob');
    },
  };
  return { isc, calls };
}

function deps(store: ArchiveStore, isc: IscClient): ArchiveDeps {
  return {
    config: loadConfig({ ARCHIVE_BUCKET: 'b-1' }),
    credentials: { get: async () => ({ baseUrl: 'https://acme.api.identitynow.com', tokenUrl: 'x', tenant: 'acme', clientId: 'i', clientSecret: 's' }) },
    isc, store, log: silentLog, now: () => new Date('2026-11-28T10:05:00Z'),
  };
}

describe('archiveJob', () => {
  it('writes the manifest only if none exists (If-None-Match: *)', async () => {
    const { store, conditions, objects } = memoryStore();
    const result = await archiveJob({ jobId: JOB, force: false, wait: true }, deps(store, fakeIsc('COMPLETE').isc), deadline);
    expect(result.outcome).toBe('ARCHIVED');
    expect(conditions).toEqual([{ ifNoneMatch: '*' }]);
    expect([...objects.keys()].at(-1)).toBe(`sp-config/acme/imports/${JOB}/manifest.json`);
  });

  it('claims the job while writing and removes the claim afterwards', async () => {
    const { store, objects, claims } = memoryStore();
    await archiveJob({ jobId: JOB, force: false, wait: true }, deps(store, fakeIsc('COMPLETE').isc), deadline);
    expect(claims).toEqual([`sp-config/acme/imports/${JOB}/.archiving`]);
    expect(objects.has(`sp-config/acme/imports/${JOB}/.archiving`)).toBe(false);
  });

  it('waits for the manifest of a delivery holding a fresh claim instead of writing over its objects', async () => {
    const { store, objects } = memoryStore();
    const claim = `sp-config/acme/imports/${JOB}/.archiving`;
    objects.set(claim, Buffer.from(JSON.stringify({ owner: 'other-request', claimedAt: '2026-11-28T10:04:00.000Z' })));
    const winner = { schemaVersion: 1, jobId: JOB, status: 'COMPLETE', objects: [], summary: {}, archivedAt: 'then' };
    const isc = fakeIsc('COMPLETE');
    const slowDeadline = { remainingMs: () => 60_000, sleep: async () => (objects.set(`sp-config/acme/imports/${JOB}/manifest.json`, Buffer.from(JSON.stringify(winner))), true) };
    const result = await archiveJob({ jobId: JOB, force: false, wait: true }, deps(store, isc.isc), slowDeadline);
    expect(result).toMatchObject({ outcome: 'ALREADY_ARCHIVED', manifest: { archivedAt: 'then' } });
    // The results may have been read while the claim settled, but nothing of ours was written.
    expect([...objects.keys()].sort()).toEqual([claim, `sp-config/acme/imports/${JOB}/manifest.json`]);
  });

  it('writes nothing before its claim is settled, though it downloads meanwhile', async () => {
    const { store, objects } = memoryStore();
    const order: string[] = [];
    let settle!: () => void;
    const slowClaim: ArchiveStore = {
      ...store,
      async putConditional(key, body, type, condition) {
        if (key.endsWith('/.archiving')) await new Promise<void>((resolve) => (settle = resolve));
        order.push(`claim ${key.split('/').at(-1)}`);
        return store.putConditional(key, body, type, condition);
      },
      async put(key, body, type) {
        order.push(`put ${key.split('/').at(-1)}`);
        return store.put(key, body, type);
      },
    };
    const isc = fakeIsc('COMPLETE');
    const archiving = archiveJob({ jobId: JOB, force: false, wait: true }, deps(slowClaim, isc.isc), deadline);
    await vi.waitFor(() => expect(isc.calls.some((c) => c.endsWith('/download'))).toBe(true));
    expect(objects.size).toBe(0);
    settle();
    expect((await archiving).outcome).toBe('ARCHIVED');
    expect(order).toEqual(['claim .archiving', 'put report.html', 'claim manifest.json']);
    expect(objects.has(`sp-config/acme/imports/${JOB}/results.json`)).toBe(true);
  });

  it('finds the manifest of a delivery that finished while it claimed, and writes nothing', async () => {
    const { store, objects } = memoryStore();
    const manifestKey = `sp-config/acme/imports/${JOB}/manifest.json`;
    const winner = { schemaVersion: 1, jobId: JOB, status: 'COMPLETE', objects: [], summary: {}, archivedAt: 'meanwhile' };
    let looks = 0;
    const racing: ArchiveStore = {
      ...store,
      // The first look finds nothing; by the second (after the claim) the other delivery is done.
      async get(key) {
        if (key === manifestKey && ++looks === 2) objects.set(manifestKey, Buffer.from(JSON.stringify(winner)));
        return store.get(key);
      },
    };
    const result = await archiveJob({ jobId: JOB, force: false, wait: true }, deps(racing, fakeIsc('COMPLETE').isc), deadline);
    expect(result).toMatchObject({ outcome: 'ALREADY_ARCHIVED', manifest: { archivedAt: 'meanwhile' } });
    expect([...objects.keys()]).toEqual([manifestKey]);
  });

  it('takes over a claim left by a dead invocation', async () => {
    const { store, objects } = memoryStore();
    objects.set(`sp-config/acme/imports/${JOB}/.archiving`, Buffer.from(JSON.stringify({ owner: 'dead', claimedAt: '2026-11-28T09:00:00.000Z' })));
    const result = await archiveJob({ jobId: JOB, force: false, wait: true }, deps(store, fakeIsc('COMPLETE').isc), deadline);
    expect(result.outcome).toBe('ARCHIVED');
  });

  it('reports ALREADY_ARCHIVED with the winner\'s manifest when the conditional write loses (412/409)', async () => {
    const winner = { schemaVersion: 1, jobId: JOB, status: 'COMPLETE', objects: [], summary: { byType: {}, totals: {} }, archivedAt: '2026-11-28T10:04:59.000Z' };
    const memory = memoryStore(() => memory.objects.set(`sp-config/acme/imports/${JOB}/manifest.json`, Buffer.from(JSON.stringify(winner))));
    const result = await archiveJob({ jobId: JOB, force: false, wait: true }, deps(memory.store, fakeIsc('COMPLETE').isc), deadline);
    expect(result).toMatchObject({ outcome: 'ALREADY_ARCHIVED', manifest: { archivedAt: '2026-11-28T10:04:59.000Z' } });
  });

  it('overwrites a manifest on force only if it is still the one read (If-Match)', async () => {
    const { store, conditions } = memoryStore();
    const isc = fakeIsc('COMPLETE');
    await archiveJob({ jobId: JOB, force: false, wait: true }, deps(store, isc.isc), deadline);
    await archiveJob({ jobId: JOB, force: true, wait: true }, deps(store, isc.isc), deadline);
    expect(conditions).toEqual([{ ifNoneMatch: '*' }, { ifMatch: '"etag-1"' }]);
  });

  it('never puts an exportJobId that is not a job id into a key', async () => {
    const { store, objects } = memoryStore();
    const isc = fakeIsc('COMPLETE', '{"results":{},"exportJobId":"../../../other-tenant/x"}');
    const result = await archiveJob({ jobId: JOB, force: false, wait: true }, deps(store, isc.isc), deadline);
    expect(result).toMatchObject({ outcome: 'ARCHIVED', manifest: { backup: { state: 'UNAVAILABLE', reason: 'The results name an exportJobId that is not a job id.' } } });
    expect([...objects.keys()].every((key) => key.startsWith(`sp-config/acme/imports/${JOB}/`))).toBe(true);
    expect(isc.calls.some((c) => c.includes('export'))).toBe(false);
  });

  it('on force, checks new results before writing over the archive, and keeps the archive if they are not JSON', async () => {
    const { store, objects } = memoryStore();
    await archiveJob({ jobId: JOB, force: false, wait: true }, deps(store, fakeIsc('COMPLETE').isc), deadline);
    const archived = new Map(objects);
    const broken = fakeIsc('COMPLETE', '<html>Gateway error</html>');
    await expect(archiveJob({ jobId: JOB, force: true, wait: true }, deps(store, broken.isc), deadline)).rejects.toMatchObject({ name: 'IscInvalidBody' });
    expect(objects).toEqual(archived);
  });

  it('removes results it stored before finding they are not JSON', async () => {
    const { store, objects } = memoryStore();
    const broken = fakeIsc('COMPLETE', '{"results": {"SOURCE": {"infos": [');
    await expect(archiveJob({ jobId: JOB, force: false, wait: true }, deps(store, broken.isc), deadline)).rejects.toMatchObject({ name: 'IscInvalidBody' });
    expect(objects.size).toBe(0);
  });

  it('answers a duplicate from the manifest without calling ISC, and leaves no claim behind', async () => {
    const { store, objects } = memoryStore();
    const isc = fakeIsc('COMPLETE');
    await archiveJob({ jobId: JOB, force: false, wait: true }, deps(store, isc.isc), deadline);
    const before = new Map(objects);
    const calls = isc.calls.length;
    const again = await archiveJob({ jobId: JOB, force: false, wait: true }, deps(store, isc.isc), deadline);
    expect(again.outcome).toBe('ALREADY_ARCHIVED');
    expect(isc.calls.length).toBe(calls);
    expect(objects).toEqual(before);
  });

  it('reports a running job without waiting when asked not to wait (API)', async () => {
    const { store, objects } = memoryStore();
    const result = await archiveJob({ jobId: JOB, force: false, wait: false }, deps(store, fakeIsc('IN_PROGRESS').isc), deadline);
    expect(result).toMatchObject({ outcome: 'RUNNING', job: { status: 'IN_PROGRESS' } });
    expect(objects.size).toBe(0);
  });
});
