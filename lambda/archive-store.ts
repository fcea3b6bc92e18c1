import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { StorageError } from './errors.ts';
import { MeteredStream } from './metered-stream.ts';

export interface StoredObject {
  readonly key: string;
  readonly bytes: number;
  readonly sha256: string;
  /** Set on versioned buckets: the manifest then names the exact version it vouches for. */
  readonly versionId?: string | undefined;
}

export interface StoredManifest {
  readonly body: Buffer;
  readonly etag: string | undefined;
}

export type ConditionalWrite = { readonly ifNoneMatch: '*' } | { readonly ifMatch: string };

export interface ArchiveStore {
  readonly bucket: string;
  /** Streams `source` into `key`; `observe` sees every chunk and may throw to abort the upload. */
  upload(key: string, source: Readable, contentType: string, observe?: { chunk: (c: Buffer) => void; end: () => void }): Promise<StoredObject>;
  put(key: string, body: Buffer, contentType: string): Promise<StoredObject>;
  /** Writes only if the condition holds; `false` means another writer got there first. */
  putConditional(key: string, body: Buffer, contentType: string, condition: ConditionalWrite): Promise<boolean>;
  get(key: string): Promise<StoredManifest | undefined>;
  remove(key: string): Promise<void>;
}

/** Parts of 5 MiB (S3's minimum), two in flight: memory stays near 15 MiB whatever the document's size. */
export const UPLOAD_PART_BYTES = 5 * 1024 * 1024;
export const UPLOAD_QUEUE = 2;

export function s3ArchiveStore(s3: S3Client, bucket: string): ArchiveStore {
  const failed = (action: string, key: string, error: unknown): StorageError => {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const name = (error as { name?: string }).name ?? 'Error';
    return new StorageError(`S3 ${action} of s3://${bucket}/${key} failed (${name}${status ? ` ${status}` : ''}).`, {
      retryable: status === undefined || status >= 500 || status === 429 || name === 'SlowDown',
      httpStatus: status,
      cause: error,
    });
  };

  return {
    bucket,
    async upload(key, source, contentType, observe) {
      const meter = new MeteredStream({ observe: observe?.chunk, finish: observe?.end });
      const body = new PassThrough();
      const upload = new Upload({
        client: s3,
        params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
        partSize: UPLOAD_PART_BYTES,
        queueSize: UPLOAD_QUEUE,
        leavePartsOnError: false,
      });
      // Whichever side fails first decides, and the other is stopped, so nothing hangs on
      // backpressure and no partial object or multipart upload is left behind.
      let first: unknown;
      const flowing = pipeline(source, meter, body).catch(async (error: unknown) => {
        first ??= error;
        await upload.abort().catch(() => {});
        throw error;
      });
      const stored = upload.done().catch((error: unknown) => {
        first ??= failed('upload', key, error);
        source.destroy();
        body.destroy();
        throw first;
      });
      const [, out] = await Promise.allSettled([flowing, stored]);
      if (first !== undefined) throw first;
      if (out.status === 'rejected') throw failed('upload', key, out.reason);
      const uploaded = out.value;
      return { key, bytes: meter.bytes, sha256: meter.digest(), versionId: uploaded.VersionId };
    },
    async put(key, body, contentType) {
      try {
        const out = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
        return { key, bytes: body.length, sha256: createHash('sha256').update(body).digest('hex'), versionId: out.VersionId };
      } catch (error) {
        throw error instanceof StorageError ? error : failed('put', key, error);
      }
    },
    async putConditional(key, body, contentType, condition) {
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket, Key: key, Body: body, ContentType: contentType,
            ...('ifNoneMatch' in condition ? { IfNoneMatch: condition.ifNoneMatch } : { IfMatch: condition.ifMatch }),
          }),
        );
        return true;
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        // 412: the condition failed; 409: a concurrent conditional write is in flight (S3 says retry).
        if (status === 412 || status === 409) return false;
        throw failed('conditional put', key, error);
      }
    },
    async get(key) {
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const bytes = await out.Body!.transformToByteArray();
        return { body: Buffer.from(bytes), etag: out.ETag };
      } catch (error) {
        const name = (error as { name?: string }).name;
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (name === 'NoSuchKey' || status === 404) return undefined;
        throw failed('read', key, error);
      }
    },
    async remove(key) {
      try {
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      } catch (error) {
        throw failed('delete', key, error);
      }
    },
  };
}
