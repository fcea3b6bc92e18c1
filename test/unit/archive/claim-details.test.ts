import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ArchiveClaim, ArchivedMeanwhileError, ClaimBusyError, manifestArchivedSince } from '../../../lambda/archive/claim.ts';
import { CLAIM_TAG } from '../../../lambda/contract/constants.ts';
import { silentLog } from '../../../lambda/core/log.ts';
import type { ArchiveStore, PutOptions } from '../../../lambda/storage/archive-store.ts';
import { type LocalS3Store, useLocalS3Store } from '../../support/local-s3-store.ts';

// The claim's details an operator or the lifecycle rule relies on: its tag, its errors, when a
// finished holder's claim may be taken over, what an unreadable claim counts as.

let s3: LocalS3Store;
useLocalS3Store((store) => (s3 = store));

const NOW = Date.parse('2026-12-01T10:00:00.000Z');
const folder = () => `sp-config/acme/imports/${randomUUID().replace(/-/g, '')}/`;
const manifest = (archivedAt: string) => JSON.stringify({ schemaVersion: 1, jobId: 'j', objects: [], archivedAt });

describe('manifestArchivedSince', () => {
  it.each([
    ['archived after the claim was taken', '2026-12-01T10:00:05.000Z', true],
    ['archived the same millisecond', '2026-12-01T10:00:00.000Z', true],
    ['archived before the claim (an earlier archive, a forced run still writing)', '2026-12-01T09:59:59.999Z', false],
  ])('says the holder finished when the manifest was %s: %s', async (_what, archivedAt, finished) => {
    const f = folder();
    await s3.write(`${f}manifest.json`, manifest(archivedAt));
    expect(await manifestArchivedSince(s3.store, `${f}manifest.json`)(new Date(NOW).toISOString())).toBe(finished);
  });

  it('says the holder has not finished while there is no manifest', async () => {
    expect(await manifestArchivedSince(s3.store, `${folder()}manifest.json`)(new Date(NOW).toISOString())).toBe(false);
  });
});

describe('the claim object', () => {
  it('is written with the lifecycle tag, and read back with the caller signal', async () => {
    const seen: (PutOptions | undefined)[] = [];
    const signal = new AbortController().signal;
    const spying: ArchiveStore = {
      ...s3.store,
      putConditional: (key, body, type, condition, options) => (
        seen.push(options), s3.store.putConditional(key, body, type, condition, options)
      ),
    };
    const claim = await ArchiveClaim.take(
      spying,
      `${folder()}.archiving`,
      { requestId: 'r', deadline: new Date(NOW + 60_000).toISOString() },
      () => NOW,
      silentLog,
      signal,
    );
    expect(claim).toBeInstanceOf(ArchiveClaim);
    expect(seen).toEqual([{ tags: { [CLAIM_TAG.key]: CLAIM_TAG.value }, signal }]);
  });

  it('removes nothing when it is released but was never held, or is released twice', async () => {
    const key = `${folder()}.archiving`;
    const deletes: string[] = [];
    const counting: ArchiveStore = { ...s3.store, delete: (k, o) => (deletes.push(k), s3.store.delete(k, o)) };
    const claim = (await ArchiveClaim.take(
      counting,
      key,
      { requestId: 'r', deadline: new Date(NOW + 60_000).toISOString() },
      () => NOW,
      silentLog,
    )) as ArchiveClaim;
    await claim.release();
    await claim.release();
    expect(deletes).toEqual([key]);
    expect(claim.held()).toBe(false);
  });

  it('keeps no claimedAt from a claim whose claimedAt is not a time (it is then never taken as finished)', async () => {
    const key = `${folder()}.archiving`;
    await s3.write(key, JSON.stringify({ requestId: 'other', deadline: new Date(NOW + 60_000).toISOString(), claimedAt: 'soon' }));
    let asked = false;
    const answer = await ArchiveClaim.take(
      s3.store,
      key,
      { requestId: 'me', deadline: new Date(NOW + 60_000).toISOString() },
      () => NOW,
      silentLog,
      undefined,
      async () => {
        asked = true;
        return true;
      },
    );
    expect(answer).toEqual({ requestId: 'other', deadline: new Date(NOW + 60_000).toISOString() });
    expect(asked).toBe(false);
  });
});

describe('the claim errors', () => {
  it('ClaimBusy names the holder and its deadline, and is not retried by the download', () => {
    const holder = { requestId: 'req-9', deadline: '2026-12-01T10:05:00.000Z' };
    const error = new ClaimBusyError('job-1', holder);
    expect(error).toMatchObject({
      name: 'Permanent.ClaimBusy',
      code: 'ClaimBusy',
      phase: 'archive',
      retryable: false,
      jobId: 'job-1',
      holder,
    });
    expect(error.message).toBe('Another delivery (req-9) is archiving job-1 until 2026-12-01T10:05:00.000Z.');
  });

  it('ArchivedMeanwhile carries the manifest the other delivery wrote', () => {
    const body = Buffer.from('{"schemaVersion":1}');
    const error = new ArchivedMeanwhileError('job-2', body);
    expect(error).toMatchObject({
      name: 'Permanent.ArchivedMeanwhile',
      code: 'ArchivedMeanwhile',
      phase: 'archive',
      retryable: false,
      jobId: 'job-2',
    });
    expect(error.message).toBe('Another delivery archived job-2 first.');
    expect(error.manifestBody.equals(body)).toBe(true);
  });
});
