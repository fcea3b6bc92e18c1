import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_S3_CREDENTIALS, type LocalS3, startLocalS3 } from '../../local/s3-server.ts';

// The local S3 the tests and `npm start` use (s3rver behind local/conditional-s3-proxy.ts) must
// answer conditional writes as S3 does, or every race test proves nothing.

const BUCKET = 'proxy-test';
let directory: string;
let local: LocalS3;
let s3: S3Client;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'archiver-proxy-'));
  local = await startLocalS3({ directory, buckets: [BUCKET] });
  s3 = new S3Client({
    endpoint: local.url,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: LOCAL_S3_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
});
afterAll(async () => {
  s3?.destroy();
  await local?.close();
  await rm(directory, { recursive: true, force: true });
});

let n = 0;
const key = () => `conditional/${Date.now()}-${n++}.json`;
const put = (k: string, body: string, condition: { IfNoneMatch?: string; IfMatch?: string } = {}) =>
  s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: k, Body: body, ...condition }));
const statusOf = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const read = async (k: string) => (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: k }))).Body!.transformToString();
/** A read that hangs fails in seconds instead of never. */
const readWithin = (k: string, ms = 3_000) =>
  Promise.race([
    read(k),
    new Promise<string>((_, reject) => setTimeout(() => reject(new Error(`GET ${k} did not finish within ${ms} ms`)), ms)),
  ]);

describe('the conditional-write proxy in front of s3rver', () => {
  it('creates with If-None-Match: * when the key is free, and answers 412 once it exists', async () => {
    const k = key();
    await put(k, 'first', { IfNoneMatch: '*' });
    const error = await put(k, 'second', { IfNoneMatch: '*' }).catch((e: unknown) => e);
    expect(statusOf(error)).toBe(412);
    expect((error as Error).name).toBe('PreconditionFailed');
    expect(await read(k)).toBe('first');
  });

  it('replaces with If-Match only while the ETag still matches', async () => {
    const k = key();
    const { ETag: first } = await put(k, 'v1');
    const { ETag: second } = await put(k, 'v2', { IfMatch: first! });
    expect(second).not.toBe(first);
    expect(statusOf(await put(k, 'v3', { IfMatch: first! }).catch((e: unknown) => e))).toBe(412);
    expect(await read(k)).toBe('v2');
  });

  it('answers 412 to If-Match on a key that does not exist, and to If-Match: * there', async () => {
    expect(statusOf(await put(key(), 'x', { IfMatch: '"0123456789abcdef0123456789abcdef"' }).catch((e: unknown) => e))).toBe(412);
    expect(statusOf(await put(key(), 'x', { IfMatch: '*' }).catch((e: unknown) => e))).toBe(412);
  });

  it('lets exactly one of many simultaneous creates win', async () => {
    const k = key();
    const answers = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => put(k, `writer-${i}`, { IfNoneMatch: '*' })));
    const won = answers.flatMap((a, i) => (a.status === 'fulfilled' ? [i] : []));
    expect(won).toHaveLength(1);
    expect(answers.filter((a) => a.status === 'rejected').map((a) => statusOf((a as PromiseRejectedResult).reason))).toEqual(
      Array(7).fill(412),
    );
    expect(await read(k)).toBe(`writer-${won[0]}`);
  });

  it('lets exactly one of many simultaneous If-Match replacements of the same version win', async () => {
    const k = key();
    const { ETag } = await put(k, 'base');
    const answers = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => put(k, `taker-${i}`, { IfMatch: ETag! })));
    const won = answers.flatMap((a, i) => (a.status === 'fulfilled' ? [i] : []));
    expect(won).toHaveLength(1);
    expect(await read(k)).toBe(`taker-${won[0]}`);
  });

  it('creates again after the object is deleted', async () => {
    const k = key();
    await put(k, 'one', { IfNoneMatch: '*' });
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: k }));
    await put(k, 'two', { IfNoneMatch: '*' });
    expect(await read(k)).toBe('two');
  });

  it('passes unconditional writes through', async () => {
    const k = key();
    await put(k, 'a');
    await put(k, 'b');
    expect(await read(k)).toBe('b');
  });

  // Real S3 serves the old or the new object whole. s3rver rewrites the file in place, so the
  // proxy must keep reads of a key apart from its writes; until it does this fails (a GET hangs).
  it('serves a GET racing writes of the same key whole, old or new', async () => {
    const k = key();
    const bodies = Array.from({ length: 6 }, (_, i) => `${i}`.repeat(200 + i * 50));
    await put(k, bodies[0]!);
    for (let round = 1; round < bodies.length; round++) {
      const [, ...reads] = await Promise.all([put(k, bodies[round]!), readWithin(k), readWithin(k), readWithin(k)]);
      for (const body of reads) expect([bodies[round - 1], bodies[round]]).toContain(body);
    }
  });
});
