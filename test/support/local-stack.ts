import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type DevStack, LOCAL_BUCKET, startDevStack } from '../../local/dev-stack.ts';
import type { IscDouble, IscDoubleOptions } from '../../local/isc-double.ts';
import { LOCAL_S3_CREDENTIALS, localS3Environment, startLocalS3 } from '../../local/s3-server.ts';

export interface TestStack {
  readonly dev: DevStack;
  readonly isc: IscDouble;
  readonly bucket: string;
  env(overrides?: Record<string, string>): Record<string, string>;
  getObject(key: string): Promise<{ body: Buffer; contentType: string | undefined } | undefined>;
  keys(prefix?: string): Promise<string[]>;
  /** Writes an object straight into the bucket (a state an earlier run could have left). */
  putObject(key: string, body: string | Buffer, contentType?: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The dev stack in a temporary folder, with an S3 client to check what the function wrote. Its S3
 * is the local one (s3rver behind the conditional-write proxy), started here so tests can reach it.
 */
export async function startTestStack(options: IscDoubleOptions = {}): Promise<TestStack> {
  const directory = await mkdtemp(join(tmpdir(), 'archiver-s3-'));
  const local = await startLocalS3({ directory, buckets: [LOCAL_BUCKET] });
  const dev = await startDevStack({ directory, isc: options, embeddedS3: false, bucket: LOCAL_BUCKET });
  const s3 = new S3Client({
    endpoint: local.url,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: LOCAL_S3_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    dev,
    isc: dev.isc!,
    bucket: dev.bucket,
    env: (overrides = {}) => dev.env({ ...localS3Environment(local.url), ...overrides }),
    async getObject(key) {
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: dev.bucket, Key: key }));
        return { body: Buffer.from(await out.Body!.transformToByteArray()), contentType: out.ContentType };
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    async putObject(key, body, contentType = 'application/octet-stream') {
      await s3.send(new PutObjectCommand({ Bucket: dev.bucket, Key: key, Body: body, ContentType: contentType }));
    },
    async keys(prefix = '') {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: dev.bucket, Prefix: prefix }));
      return (out.Contents ?? []).map((o) => o.Key!).sort();
    },
    async stop() {
      s3.destroy();
      await dev.close();
      await local.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
