import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { type ArchiveStore, s3ArchiveStore } from '../../lambda/storage/archive-store.ts';
import { LOCAL_S3_CREDENTIALS, startLocalS3 } from '../../local/s3-server.ts';

export interface LocalS3Store {
  /** The archiver's own store, over the real S3 client, against s3rver behind the conditional-write front. */
  readonly store: ArchiveStore;
  readonly bucket: string;
  readonly url: string;
  /** A plain S3 client for the test's own reads and writes. */
  readonly s3: S3Client;
  read(key: string): Promise<Buffer | undefined>;
  write(key: string, body: string | Buffer): Promise<void>;
  keys(prefix?: string): Promise<string[]>;
  close(): Promise<void>;
}

const BUCKET = 'archive-unit';

/** A real local S3 that enforces If-None-Match and If-Match as S3 does (local/conditional-s3-proxy.ts). */
export async function startLocalS3Store(): Promise<LocalS3Store> {
  const directory = await mkdtemp(join(tmpdir(), 'archiver-unit-s3-'));
  const server = await startLocalS3({ directory, buckets: [BUCKET] });
  const s3 = new S3Client({
    endpoint: server.url,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: LOCAL_S3_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    store: s3ArchiveStore(s3, BUCKET),
    bucket: BUCKET,
    url: server.url,
    s3,
    async read(key) {
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
        return Buffer.from(await out.Body!.transformToByteArray());
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    async write(key, body) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    },
    async keys(prefix = '') {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
      return (out.Contents ?? []).map((o) => o.Key!).sort();
    },
    async close() {
      s3.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * One local S3 for the calling test file: started before its first test (handed to `started`,
 * which keeps it), closed after its last.
 */
export function useLocalS3Store(started: (store: LocalS3Store) => void): void {
  let store: LocalS3Store | undefined;
  beforeAll(async () => {
    store = await startLocalS3Store();
    started(store);
  });
  afterAll(async () => {
    await store?.close();
  });
}
