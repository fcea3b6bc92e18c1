import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type DocumentRead, readWhileStoring, uploadChecked } from '../../../lambda/archive/checked-upload.ts';
import type { Deadline } from '../../../lambda/core/deadline.ts';
import type { StoredObject } from '../../../lambda/storage/archive-store.ts';
import { type LocalS3Store, useLocalS3Store } from '../../support/local-s3-store.ts';

// A document's two stages (read whole and checked; stored), and the gate that keeps every write
// behind the claim, against the real local S3.

let s3: LocalS3Store;
useLocalS3Store((store) => (s3 = store));

const deadline: Deadline = { remainingMs: () => 60_000, endsAt: () => Date.now() + 60_000, sleep: async () => true };
const sha = (b: string) => createHash('sha256').update(b).digest('hex');
const counting = () => {
  let bytes = 0;
  return { write: (c: Buffer) => void (bytes += c.length), finish: () => ({ counted: bytes }) };
};
const upload = (key: string, writable: Promise<unknown>, onRead?: (r: DocumentRead<unknown>) => void) => ({
  key,
  jobId: 'j',
  phase: 'download' as const,
  expectedBytes: undefined,
  writable,
  what: 'import results',
  deadline,
  ...(onRead ? { onRead } : {}),
});

describe('readWhileStoring', () => {
  it('settles `read` with what the document said, its size and hash, before S3 has answered', async () => {
    let release!: () => void;
    const s3Answers = new Promise<void>((r) => (release = r));
    const stages = readWhileStoring<{ n: number }>(async (onRead) => {
      onRead({ checked: { n: 3 }, key: 'k', bytes: 3, sha256: 'abc' });
      await s3Answers;
      return { stored: { key: 'k', bytes: 3, sha256: 'abc', versionId: 'v1' }, checked: { n: 3 } };
    });
    expect(await stages.read).toEqual({ checked: { n: 3 }, key: 'k', bytes: 3, sha256: 'abc' });
    let stored: StoredObject | undefined;
    void stages.stored.then((s) => (stored = s));
    await new Promise((r) => setTimeout(r, 20));
    expect(stored).toBeUndefined();
    release();
    expect(await stages.stored).toEqual({ key: 'k', bytes: 3, sha256: 'abc', versionId: 'v1' });
  });

  it('settles `read` from the stored object when the upload never reported a read', async () => {
    const stages = readWhileStoring<string>(async () => ({ stored: { key: 'k2', bytes: 5, sha256: 'def' }, checked: 'digest' }));
    expect(await stages.read).toEqual({ checked: 'digest', key: 'k2', bytes: 5, sha256: 'def' });
  });

  it('fails `read` with the upload failure that came before the document was read whole', async () => {
    const failure = new Error('cut short');
    const stages = readWhileStoring<string>(async () => {
      throw failure;
    });
    await expect(stages.read).rejects.toBe(failure);
    await expect(stages.stored).rejects.toBe(failure);
  });
});

describe('uploadChecked', () => {
  it('stores the document whole and reports it read, with the same size and hash as stored', async () => {
    const key = `k/${Date.now()}-a.json`;
    const reads: DocumentRead<unknown>[] = [];
    const { stored, checked } = await uploadChecked(
      s3.store,
      Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]),
      counting(),
      upload(key, Promise.resolve(), (r) => reads.push(r)),
    );
    expect(checked).toEqual({ counted: 7 });
    expect(stored).toMatchObject({ key, bytes: 7, sha256: sha('{"a":1}') });
    expect(reads).toEqual([{ checked: { counted: 7 }, key, bytes: 7, sha256: sha('{"a":1}') }]);
    expect((await s3.read(key))!.toString()).toBe('{"a":1}');
  });

  it('writes nothing, even for an empty body, when this delivery may not write', async () => {
    const key = `k/${Date.now()}-b.json`;
    const refused = Promise.reject(new Error('another delivery holds the claim'));
    refused.catch(() => undefined);
    await expect(uploadChecked(s3.store, Readable.from([]), counting(), upload(key, refused))).rejects.toThrow(
      'another delivery holds the claim',
    );
    expect(await s3.read(key)).toBeUndefined();
  });

  it('asks whether it may write once, before the first byte goes on', async () => {
    const key = `k/${Date.now()}-c.json`;
    let asked = 0;
    // biome-ignore lint/suspicious/noThenProperty: a thenable on purpose, to count how often the gate is awaited.
    const writable = { then: (resolve: (v: unknown) => void) => (asked++, resolve(undefined)) } as unknown as Promise<unknown>;
    await uploadChecked(s3.store, Readable.from([Buffer.from('['), Buffer.from('1'), Buffer.from(']')]), counting(), upload(key, writable));
    expect(asked).toBe(1);
  });
});
