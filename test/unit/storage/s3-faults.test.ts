import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { s3ArchiveStore, UPLOAD_PART_BYTES } from '../../../lambda/storage/archive-store.ts';
import { LOCAL_S3_CREDENTIALS, type LocalS3, startLocalS3 } from '../../../local/s3-server.ts';
import { type FaultRule, type S3FaultProxy, startS3FaultProxy } from '../../support/s3-fault-proxy.ts';

const BUCKET = 'fault-bucket';
let directory: string;
let s3: LocalS3;
let proxy: S3FaultProxy;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 's3-faults-'));
  s3 = await startLocalS3({ directory, buckets: [BUCKET] });
});
afterAll(async () => {
  await s3.close();
  rmSync(directory, { recursive: true, force: true });
});
beforeEach(async () => {
  proxy = await startS3FaultProxy(s3.url);
});
afterEach(async () => {
  await proxy.close();
});

/** The function's client settings, pointed at the proxy (a fresh one per test: its own retry quota). */
const client = (url = proxy.url) =>
  new S3Client({
    endpoint: url,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: LOCAL_S3_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

/** Bytes that differ from part to part, so a part sent twice or out of place shows. */
function body(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) bytes.writeUInt32BE(i >>> 2, i);
  return bytes;
}
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const chunked = (b: Buffer) =>
  Readable.from(
    (function* () {
      for (let i = 0; i < b.length; i += 256 * 1024) yield b.subarray(i, i + 256 * 1024);
    })(),
  );

/** Reads the object straight from the local S3 (not through the proxy); undefined when absent. */
async function stored(key: string): Promise<Buffer | undefined> {
  try {
    const out = await client(s3.url).send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from(await out.Body!.transformToByteArray());
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

const SMALL = body(300 * 1024);
const LARGE = body(2 * UPLOAD_PART_BYTES + 1024 * 1024); // three parts: 5 MiB, 5 MiB, 1 MiB

const transient: [string, FaultRule['fault']][] = [
  ['503 SlowDown', { status: 503 }],
  ['500 InternalError', { status: 500 }],
  ['a reset mid-body', { resetAfterBytes: 64 * 1024 }],
];

describe('S3 faults between the archiver and S3: retried, and the stored bytes are exact', () => {
  it.each(transient)('PutObject (a small streamed upload) after %s', async (_what, fault) => {
    proxy.inject({ op: 'PutObject', fault });
    const out = await s3ArchiveStore(client(), BUCKET).upload('small.json', chunked(SMALL), 'application/json');
    expect(out).toMatchObject({ bytes: SMALL.length, sha256: sha256(SMALL) });
    expect(sha256((await stored('small.json'))!)).toBe(sha256(SMALL));
    expect(proxy.seen.filter((r) => r.op === 'PutObject').map((r) => r.outcome)).toEqual([
      expect.not.stringMatching('forwarded'),
      'forwarded',
    ]);
  });

  it.each(transient)('PutObject of a buffer (the report) after %s', async (_what, fault) => {
    proxy.inject({ op: 'PutObject', fault });
    await s3ArchiveStore(client(), BUCKET).put('report.html', SMALL, 'text/html');
    expect((await stored('report.html'))!.equals(SMALL)).toBe(true);
  });

  it.each(transient)('UploadPart after %s on the second part', async (_what, fault) => {
    proxy.inject({ op: 'UploadPart', partNumber: 2, fault });
    const key = `large-part-${proxy.url.split(':').pop()}.json`;
    const out = await s3ArchiveStore(client(), BUCKET).upload(key, chunked(LARGE), 'application/json');
    expect(out).toMatchObject({ bytes: LARGE.length, sha256: sha256(LARGE) });
    expect(sha256((await stored(key))!)).toBe(sha256(LARGE));
    expect(proxy.seen.filter((r) => r.op === 'UploadPart' && r.partNumber === 2)).toHaveLength(2);
  });

  it.each(transient)('CompleteMultipartUpload after %s', async (_what, fault) => {
    proxy.inject({ op: 'CompleteMultipartUpload', fault });
    const key = `large-complete-${proxy.url.split(':').pop()}.json`;
    await s3ArchiveStore(client(), BUCKET).upload(key, chunked(LARGE), 'application/json');
    expect(sha256((await stored(key))!)).toBe(sha256(LARGE));
    expect(proxy.seen.filter((r) => r.op === 'CompleteMultipartUpload').map((r) => r.outcome)).toEqual([
      expect.not.stringMatching('forwarded'),
      'forwarded',
    ]);
  });
});

describe('S3 faults that outlast the retries: the call fails cleanly and no object is left', () => {
  it.each([
    ['UploadPart', { op: 'UploadPart', partNumber: 2, fault: { status: 503 }, times: 100 }],
    ['CompleteMultipartUpload', { op: 'CompleteMultipartUpload', fault: { status: 500 }, times: 100 }],
    ['a reset on every UploadPart', { op: 'UploadPart', fault: { resetAfterBytes: 1024 }, times: 100 }],
  ] as [string, FaultRule][])('%s keeps failing: a retryable StorageError, the multipart upload aborted', async (_what, rule) => {
    proxy.inject(rule);
    const key = `failed-${proxy.url.split(':').pop()}.json`;
    const error = await s3ArchiveStore(client(), BUCKET)
      .upload(key, chunked(LARGE), 'application/json')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'Storage', retryable: true, message: expect.stringContaining(key) });
    expect(await stored(key)).toBeUndefined();
    expect(proxy.seen.filter((r) => r.op === 'AbortMultipartUpload').map((r) => r.outcome)).toEqual(['forwarded']);
  });

  it('PutObject keeps failing: a retryable StorageError and no object', async () => {
    proxy.inject({ op: 'PutObject', fault: { status: 503 }, times: 100 });
    const error = await s3ArchiveStore(client(), BUCKET)
      .put('never.json', SMALL, 'application/json')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'Storage', retryable: true, httpStatus: 503 });
    expect(await stored('never.json')).toBeUndefined();
  });
});
