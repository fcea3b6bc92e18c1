import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  type DeleteObjectCommandOutput,
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  type PutObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { eventLoopTurns } from '../core/event-loop-turns.ts';
import { uploadStream } from './multipart-upload.ts';
import { putObjectCommand, sha256Hex } from './put-object.ts';
import { callSignal, httpStatusOf, type StoreCall, sendWithin, storageFailure } from './store-call.ts';

export type { StoreCall } from './store-call.ts';

export interface StoredObject {
  readonly key: string;
  readonly bytes: number;
  readonly sha256: string;
  /** Set on versioned buckets: the manifest then names the exact version it vouches for. */
  readonly versionId?: string | undefined;
  /** The new object's ETag (quoted, as S3 sends it): the condition for replacing or deleting exactly it. */
  readonly etag?: string | undefined;
}

/** An object as read back (the manifest, the claim). */
export interface StoredManifest {
  readonly body: Buffer;
  readonly etag: string | undefined;
  readonly versionId?: string | undefined;
}

export interface UploadControl extends StoreCall {
  /**
   * Hears the size and SHA-256 of the whole source once it has ended, while S3 may still be storing
   * it: what depends only on the bytes (the report) need not wait for S3's answer.
   */
  readonly onSourceEnd?: (read: { readonly bytes: number; readonly sha256: string }) => void;
}

export interface PutOptions extends StoreCall {
  /** Object tags (the claim is tagged so a lifecycle rule can expire a forgotten one). Needs s3:PutObjectTagging. */
  readonly tags?: Readonly<Record<string, string>> | undefined;
}

export interface DeleteOptions extends StoreCall {
  /** Delete only while the object still has this ETag (a claim that is still ours). */
  readonly ifMatch?: string | undefined;
}

export type ConditionalWrite = { readonly ifNoneMatch: '*' } | { readonly ifMatch: string };

export interface ArchiveStore {
  readonly bucket: string;
  /** Streams `source` into `key`; see UploadControl. */
  upload(key: string, source: AsyncIterable<Buffer>, contentType: string, control?: UploadControl): Promise<StoredObject>;
  put(key: string, body: Buffer, contentType: string, options?: PutOptions): Promise<StoredObject>;
  /** Writes only if the condition holds; `undefined` means another writer got there first. */
  putConditional(
    key: string,
    body: Buffer,
    contentType: string,
    condition: ConditionalWrite,
    options?: PutOptions,
  ): Promise<StoredObject | undefined>;
  /** Reads a small object (a manifest, a claim, a report), or the version named. */
  get(key: string, call?: StoreCall & { versionId?: string | undefined }): Promise<StoredManifest | undefined>;
  /** Deletes `key`; `false` when `ifMatch` no longer holds (the object changed or is gone). */
  delete(key: string, options?: DeleteOptions): Promise<boolean>;
  /** Deletes `key` unconditionally (same as `delete(key)`). */
  remove(key: string): Promise<void>;
  /** Streams a (possibly large) object, or the version named; undefined when it is not there. */
  stream(key: string, versionId?: string, call?: StoreCall): Promise<Readable | undefined>;
  /** Keys under a prefix (at most a few thousand: restore records). */
  list(prefix: string, call?: StoreCall): Promise<string[]>;
}

/** Parts of 5 MiB (S3's minimum), two in flight: memory stays near 15 MiB whatever the document's size. */
export const UPLOAD_PART_BYTES = 5 * 1024 * 1024;
export const UPLOAD_QUEUE = 2;

export function s3ArchiveStore(s3: S3Client, bucket: string): ArchiveStore {
  const failed = (action: string, key: string, error: unknown, signal: AbortSignal | undefined) =>
    storageFailure(bucket, action, key, error, signal);

  const remove = async (key: string, options: DeleteOptions = {}): Promise<boolean> => {
    const signal = callSignal(options, `delete s3://${bucket}/${key}`);
    try {
      await sendWithin<DeleteObjectCommandOutput>(
        s3,
        new DeleteObjectCommand({ Bucket: bucket, Key: key, ...(options.ifMatch ? { IfMatch: options.ifMatch } : {}) }),
        signal,
      );
      return true;
    } catch (error) {
      const status = httpStatusOf(error);
      if (options.ifMatch && (status === 412 || status === 404)) return false;
      throw failed('delete', key, error, signal);
    }
  };

  const write = async (
    key: string,
    body: Buffer,
    contentType: string,
    condition: ConditionalWrite | undefined,
    tags: PutOptions['tags'],
    signal: AbortSignal | undefined,
  ): Promise<StoredObject> => {
    const sha256 = sha256Hex(body);
    const out = await sendWithin<PutObjectCommandOutput>(
      s3,
      putObjectCommand(
        {
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ...(condition === undefined
            ? {}
            : 'ifNoneMatch' in condition
              ? { IfNoneMatch: condition.ifNoneMatch }
              : { IfMatch: condition.ifMatch }),
          ...(tags ? { Tagging: new URLSearchParams(tags).toString() } : {}),
        },
        sha256,
      ),
      signal,
    );
    return { key, bytes: body.length, sha256, versionId: out.VersionId, etag: out.ETag };
  };

  return {
    bucket,
    delete: remove,
    async remove(key) {
      await remove(key);
    },
    async upload(key, source, contentType, control = {}) {
      const signal = callSignal(control, `upload s3://${bucket}/${key}`);
      const hash = createHash('sha256');
      let bytes = 0;
      let sha256 = '';
      // Hash and count each chunk on its way to S3; the source's own exception stops the upload.
      async function* metered(): AsyncGenerator<Buffer> {
        const pause = eventLoopTurns();
        for await (const chunk of source as AsyncIterable<Buffer>) {
          hash.update(chunk);
          bytes += chunk.length;
          yield chunk;
          await pause();
        }
        sha256 = hash.digest('hex');
        control.onSourceEnd?.({ bytes, sha256 });
      }
      let stored: { versionId: string | undefined; etag: string | undefined };
      try {
        stored = await uploadStream(s3, { Bucket: bucket, Key: key, ContentType: contentType }, metered(), {
          partBytes: UPLOAD_PART_BYTES,
          concurrency: UPLOAD_QUEUE,
          sha256: () => sha256,
          signal,
        });
      } catch (error) {
        (source as Partial<Readable>).destroy?.();
        // S3's own failures (and running out of time) become typed errors; the source's (a cut
        // download, invalid JSON) pass as they are.
        throw (error as { $metadata?: unknown }).$metadata !== undefined || signal?.aborted ? failed('upload', key, error, signal) : error;
      }
      return { key, bytes, sha256, ...stored };
    },
    async put(key, body, contentType, options = {}) {
      const signal = callSignal(options, `write s3://${bucket}/${key}`);
      try {
        return await write(key, body, contentType, undefined, options.tags, signal);
      } catch (error) {
        throw failed('put', key, error, signal);
      }
    },
    async putConditional(key, body, contentType, condition, options = {}) {
      const signal = callSignal(options, `write s3://${bucket}/${key}`);
      try {
        return await write(key, body, contentType, condition, options.tags, signal);
      } catch (error) {
        const status = httpStatusOf(error);
        // 412: the condition failed; 409: a concurrent conditional write is in flight (S3 says retry).
        if (status === 412 || status === 409) return undefined;
        throw failed('conditional put', key, error, signal);
      }
    },
    async stream(key, versionId, call) {
      // The signal also ends the body: a read that stalls half-way errors the stream when time is up.
      const signal = callSignal(call, `read s3://${bucket}/${key}`);
      try {
        const command = new GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) });
        const out = await sendWithin<{ Body?: unknown }>(s3, command, signal);
        return out.Body as Readable;
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey' || httpStatusOf(error) === 404) return undefined;
        throw failed('read', key, error, signal);
      }
    },
    async list(prefix, call) {
      const signal = callSignal(call, `list s3://${bucket}/${prefix}`);
      const keys: string[] = [];
      let token: string | undefined;
      try {
        do {
          const out = await sendWithin<ListObjectsV2CommandOutput>(
            s3,
            new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
            signal,
          );
          for (const object of out.Contents ?? []) if (object.Key) keys.push(object.Key);
          token = out.IsTruncated ? out.NextContinuationToken : undefined;
        } while (token && keys.length < 10_000);
      } catch (error) {
        throw failed('list', prefix, error, signal);
      }
      return keys;
    },
    async get(key, call) {
      const signal = callSignal(call, `read s3://${bucket}/${key}`);
      try {
        const version = call?.versionId ? { VersionId: call.versionId } : {};
        const out = await sendWithin<GetObjectCommandOutput>(s3, new GetObjectCommand({ Bucket: bucket, Key: key, ...version }), signal);
        return { body: await readBody(out.Body as Readable, signal), etag: out.ETag, versionId: out.VersionId };
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey' || httpStatusOf(error) === 404) return undefined;
        throw failed('read', key, error, signal);
      }
    },
  };
}

/** Reads a (small) object's body; the signal stops the read too, not only the request. */
async function readBody(body: Readable, signal: AbortSignal | undefined): Promise<Buffer> {
  const stop = () => body.destroy(signal?.reason as Error);
  signal?.addEventListener('abort', stop, { once: true });
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}
