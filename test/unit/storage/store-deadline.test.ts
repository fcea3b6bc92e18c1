import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Deadline } from '../../../lambda/core/deadline.ts';
import { s3ArchiveStore, UPLOAD_PART_BYTES } from '../../../lambda/storage/archive-store.ts';
import { LOCAL_S3_CREDENTIALS, type LocalS3, startLocalS3 } from '../../../local/s3-server.ts';
import { type S3FaultProxy, startS3FaultProxy } from '../../support/s3-fault-proxy.ts';
import { startServer, type TestServer } from '../../support/test-servers.ts';

const BUCKET = 'deadline-bucket';
let directory: string;
let s3: LocalS3;
const closing: { close(): Promise<void> }[] = [];
beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 's3-deadline-'));
  s3 = await startLocalS3({ directory, buckets: [BUCKET] });
});
afterAll(async () => {
  await s3.close();
  rmSync(directory, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(closing.splice(0).map((c) => c.close()));
});

const deadline = (ms: number): Deadline => {
  const end = Date.now() + ms;
  return { endsAt: () => Date.now() + 60_000, remainingMs: () => end - Date.now(), sleep: async (d) => (await sleep(d), true) };
};
/** Many attempts, as a client with generous retries would make: only the deadline stops them. */
const client = (endpoint: string) =>
  new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: LOCAL_S3_CREDENTIALS,
    maxAttempts: 10,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
async function server(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const started = await startServer(...args);
  closing.push(started);
  return started;
}
async function faultProxy(): Promise<S3FaultProxy> {
  const proxy = await startS3FaultProxy(s3.url);
  closing.push(proxy);
  return proxy;
}
async function timed<T>(work: () => Promise<T>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  const error = await work().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: Date.now() - started };
}

describe('every S3 call ends before the deadline', () => {
  it('a PutObject that S3 never answers', async () => {
    const silent = await server(() => {});
    const { error, ms } = await timed(() =>
      s3ArchiveStore(client(silent.url), BUCKET).put('k', Buffer.from('{}'), 'application/json', { deadline: deadline(1_000) }),
    );
    expect(error).toMatchObject({ code: 'TimeBudgetExhausted', phase: 'archive' });
    expect(ms).toBeLessThan(1_600);
  });

  it('a conditional write answered 503 SlowDown again and again: the SDK back-off does not outlast the deadline', async () => {
    const proxy = await faultProxy();
    proxy.inject({ op: 'PutObject', fault: { status: 503 }, times: 1_000 });
    const { error, ms } = await timed(() =>
      s3ArchiveStore(client(proxy.url), BUCKET).putConditional(
        'claim',
        Buffer.from('{}'),
        'application/json',
        { ifNoneMatch: '*' },
        { deadline: deadline(1_500) },
      ),
    );
    expect(error).toMatchObject({ code: 'TimeBudgetExhausted' });
    expect(ms).toBeLessThan(2_100);
  });

  it('a read whose body stops half-way', async () => {
    const stalled = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100', etag: '"e"' });
      res.write('{"half":');
    });
    const { error, ms } = await timed(() =>
      s3ArchiveStore(client(stalled.url), BUCKET).get('manifest.json', { deadline: deadline(1_000) }),
    );
    expect(error).toMatchObject({ code: 'TimeBudgetExhausted' });
    expect(ms).toBeLessThan(1_600);
  });

  it('a multipart upload whose second part is never answered: out of time, aborted, no object', async () => {
    const proxy = await faultProxy();
    proxy.inject({ op: 'UploadPart', partNumber: 2, fault: { stall: true }, times: 1_000 });
    const bytes = Buffer.alloc(2 * UPLOAD_PART_BYTES + 10, 0x7b);
    const { error, ms } = await timed(() =>
      s3ArchiveStore(client(proxy.url), BUCKET).upload('big.json', Readable.from([bytes]), 'application/json', {
        deadline: deadline(2_000),
      }),
    );
    expect(error).toMatchObject({ code: 'TimeBudgetExhausted' });
    // The deadline, then at most the bounded clean-up (CLEANUP_MS).
    expect(ms).toBeLessThan(3_200);
    expect(proxy.seen.filter((r) => r.op === 'AbortMultipartUpload').map((r) => r.outcome)).toEqual(['forwarded']);
    await expect(client(s3.url).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'big.json' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
  });

  it('sends nothing when no time is left', async () => {
    const silent = await server(() => {});
    await expect(s3ArchiveStore(client(silent.url), BUCKET).get('k', { deadline: deadline(0) })).rejects.toMatchObject({
      code: 'TimeBudgetExhausted',
    });
    expect(silent.seen).toHaveLength(0);
  });
});
