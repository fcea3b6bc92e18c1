import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { putObjectCommand, sha256Hex } from './put-object.ts';
import { uploadStream } from './multipart-upload.ts';
import { StorageError } from '../core/errors.ts';
import { eventLoopTurns } from '../core/event-loop-turns.ts';

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

export interface UploadControl {
  /** Sees every chunk, then the end of the source with what was read; may throw to stop the upload. */
  readonly observe?: { chunk?(c: Buffer): void; end?(read: { bytes: number; sha256: string }): void };
  /** Nothing is written to S3 before this settles, while the source is read meanwhile. */
  readonly before?: Promise<unknown>;
  /**
   * Awaited once the object is stored, for a body whose check may finish after the write; if it
   * rejects, the object is removed again and the upload fails with its error.
   */
  readonly valid?: () => Promise<void>;
}

export type ConditionalWrite = { readonly ifNoneMatch: '*' } | { readonly ifMatch: string };

export interface ArchiveStore {
  readonly bucket: string;
  /** Streams `source` into `key`; see UploadControl. */
  upload(key: string, source: AsyncIterable<Buffer>, contentType: string, control?: UploadControl): Promise<StoredObject>;
  put(key: string, body: Buffer, contentType: string): Promise<StoredObject>;
  /** Writes only if the condition holds; `false` means another writer got there first. */
  putConditional(key: string, body: Buffer, contentType: string, condition: ConditionalWrite): Promise<boolean>;
  /** Reads a small object (a manifest, a claim, a report), or the version named. */
  get(key: string, versionId?: string): Promise<StoredManifest | undefined>;
  remove(key: string): Promise<void>;
  /** Streams a (possibly large) object, or the version named; undefined when it is not there. */
  stream(key: string, versionId?: string): Promise<Readable | undefined>;
  /** Keys under a prefix (at most a few thousand: restore records). */
  list(prefix: string): Promise<string[]>;
}

/** Parts of 5 MiB (S3's minimum), two in flight: memory stays near 15 MiB whatever the document's size. */
export const UPLOAD_PART_BYTES = 5 * 1024 * 1024;
export const UPLOAD_QUEUE = 2;

/** The HTTP status of an S3 failure, when S3 answered at all. */
function httpStatusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

export function s3ArchiveStore(s3: S3Client, bucket: string): ArchiveStore {
  const failed = (action: string, key: string, error: unknown): StorageError => {
    const status = httpStatusOf(error);
    const name = (error as { name?: string }).name ?? 'Error';
    return new StorageError(`S3 ${action} of s3://${bucket}/${key} failed (${name}${status ? ` ${status}` : ''}).`, {
      retryable: status === undefined || status >= 500 || status === 429 || name === 'SlowDown',
      httpStatus: status,
      cause: error,
    });
  };

  const remove = async (key: string) => {
    try {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      throw failed('delete', key, error);
    }
  };

  return {
    bucket,
    remove,
    async upload(key, source, contentType, control = {}) {
      const { observe, before } = control;
      const hash = createHash('sha256');
      let bytes = 0;
      let sha256 = '';
      // Hash, count and scan each chunk on its way to S3; an observer's exception stops the upload.
      async function* metered(): AsyncGenerator<Buffer> {
        const pause = eventLoopTurns();
        for await (const chunk of source as AsyncIterable<Buffer>) {
          hash.update(chunk);
          bytes += chunk.length;
          observe?.chunk?.(chunk);
          yield chunk;
          await pause();
        }
        sha256 = hash.digest('hex');
        observe?.end?.({ bytes, sha256 });
      }
      let stored: { versionId: string | undefined };
      try {
        stored = await uploadStream(s3, { Bucket: bucket, Key: key, ContentType: contentType }, metered(), { partBytes: UPLOAD_PART_BYTES, concurrency: UPLOAD_QUEUE, before, sha256: () => sha256 });
      } catch (error) {
        (source as Partial<Readable>).destroy?.();
        // S3's own failures become StorageErrors; the source's (a cut download, invalid JSON) pass as they are.
        throw (error as { $metadata?: unknown }).$metadata !== undefined ? failed('upload', key, error) : error;
      }
      await control.valid?.().catch(async (error: unknown) => {
        await remove(key).catch(() => {});
        throw error;
      });
      return { key, bytes, sha256, versionId: stored.versionId };
    },
    async put(key, body, contentType) {
      const sha256 = sha256Hex(body);
      try {
        const out = await s3.send(putObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }, sha256));
        return { key, bytes: body.length, sha256, versionId: out.VersionId };
      } catch (error) {
        throw failed('put', key, error);
      }
    },
    async putConditional(key, body, contentType, condition) {
      try {
        await s3.send(
          putObjectCommand({
            Bucket: bucket, Key: key, Body: body, ContentType: contentType,
            ...('ifNoneMatch' in condition ? { IfNoneMatch: condition.ifNoneMatch } : { IfMatch: condition.ifMatch }),
          }, sha256Hex(body)),
        );
        return true;
      } catch (error) {
        const status = httpStatusOf(error);
        // 412: the condition failed; 409: a concurrent conditional write is in flight (S3 says retry).
        if (status === 412 || status === 409) return false;
        throw failed('conditional put', key, error);
      }
    },
    async stream(key, versionId) {
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
        return out.Body as Readable;
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey' || httpStatusOf(error) === 404) return undefined;
        throw failed('read', key, error);
      }
    },
    async list(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      try {
        do {
          const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
          for (const object of out.Contents ?? []) if (object.Key) keys.push(object.Key);
          token = out.IsTruncated ? out.NextContinuationToken : undefined;
        } while (token && keys.length < 10_000);
      } catch (error) {
        throw failed('list', prefix, error);
      }
      return keys;
    },
    async get(key, versionId) {
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
        const bytes = await out.Body!.transformToByteArray();
        return { body: Buffer.from(bytes), etag: out.ETag };
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey' || httpStatusOf(error) === 404) return undefined;
        throw failed('read', key, error);
      }
    },
  };
}
