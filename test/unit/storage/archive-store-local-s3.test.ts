import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3ArchiveStore } from '../../../lambda/storage/archive-store.ts';
import { LOCAL_S3_CREDENTIALS, type LocalS3, startLocalS3 } from '../../../local/s3-server.ts';

const BUCKET = 'claims-bucket';
let directory: string;
let s3: LocalS3;
let client: S3Client;
beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 's3-store-'));
  s3 = await startLocalS3({ directory, buckets: [BUCKET] });
  client = new S3Client({
    endpoint: s3.url,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: LOCAL_S3_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
});
afterAll(async () => {
  await s3.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('s3ArchiveStore against the local S3', () => {
  // s3rver keeps no tags from a PutObject: the tag header is checked on the wire in put-object.test.ts.
  it('creates a tagged claim, reads back its ETag, replaces exactly it, and deletes it', async () => {
    const store = s3ArchiveStore(client, BUCKET);
    const key = 'sp-config/acme/imports/j/.archiving';
    const first = await store.putConditional(
      key,
      Buffer.from('{"holder":"a"}'),
      'application/json',
      { ifNoneMatch: '*' },
      { tags: { 'archiver-claim': 'true' } },
    );
    expect(first?.etag).toMatch(/^"[0-9a-f]{32}"$/);

    expect(await store.putConditional(key, Buffer.from('{"holder":"b"}'), 'application/json', { ifNoneMatch: '*' })).toBeUndefined();
    const read = await store.get(key);
    expect(read).toMatchObject({ body: Buffer.from('{"holder":"a"}'), etag: first!.etag });

    const second = await store.putConditional(key, Buffer.from('{"holder":"c"}'), 'application/json', { ifMatch: read!.etag! });
    expect(second?.etag).not.toBe(first!.etag);
    expect(await store.putConditional(key, Buffer.from('{"holder":"d"}'), 'application/json', { ifMatch: first!.etag! })).toBeUndefined();

    expect(await store.delete(key, { ifMatch: second!.etag })).toBe(true);
    expect(await store.get(key)).toBeUndefined();
  });
});
