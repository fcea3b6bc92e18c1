import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  type CompleteMultipartUploadCommandOutput,
  CreateMultipartUploadCommand,
  type CreateMultipartUploadCommandOutput,
  PutObjectCommand,
  type PutObjectCommandOutput,
  type S3Client,
  UploadPartCommand,
  type UploadPartCommandOutput,
} from '@aws-sdk/client-s3';
import { putObjectCommand } from './put-object.ts';
import { CLEANUP_MS, sendWithin } from './store-call.ts';

export interface UploadTarget {
  readonly Bucket: string;
  readonly Key: string;
  readonly ContentType: string;
}

export interface UploadOptions {
  /** Bytes per part; S3's minimum (5 MiB) keeps memory lowest. */
  readonly partBytes: number;
  /** Parts uploading at once. */
  readonly concurrency: number;
  /** The whole body's SHA-256 (hex) once the source has ended; sent with a single PutObject. */
  readonly sha256?: () => string;
  /** Stops every request (and the wait for it); the multipart upload is then aborted. */
  readonly signal?: AbortSignal | undefined;
}

/** Part buffers kept for the next upload in this container: allocating 5 MiB per upload costs collections. */
const spareParts: Buffer[] = [];
const SPARE_PARTS_KEPT = 4;

/**
 * Streams a body of unknown length into one S3 object: one PutObject when it fits in a part,
 * otherwise a multipart upload. A small body is kept as the chunks it arrived in. A large one is
 * copied once, into one of a few part buffers that are reused once their part is stored, so memory
 * stays at (concurrency + 1) parts whatever the size and no garbage of part size piles up for the
 * collector. A failure aborts the multipart upload, so no object appears. Checksums follow the
 * client's setting as lib-storage does: CRC32 per part when supported.
 *
 * Every body sent is a Buffer (the small body, each part, the completion's XML), so the SDK's own
 * retries of a 500, a 503 SlowDown or a reset connection send the same bytes again.
 */
export async function uploadStream(
  s3: S3Client,
  target: UploadTarget,
  source: AsyncIterable<Buffer>,
  options: UploadOptions,
): Promise<{ versionId: string | undefined; etag: string | undefined }> {
  const send = <T>(command: object) => sendWithin<T>(s3, command, options.signal);
  const take = () => {
    const spare = spareParts.pop();
    return spare?.length === options.partBytes ? spare : Buffer.allocUnsafeSlow(options.partBytes);
  };
  const give = (buffer: Buffer) => {
    if (spareParts.length < SPARE_PARTS_KEPT) spareParts.push(buffer);
  };
  const parts: CompletedPart[] = [];
  const uploading = new Set<Promise<void>>();
  let failure: unknown;
  let uploadId: string | undefined;
  let partsSent = 0;

  const begin = async () => {
    const calculation = await s3.config.requestChecksumCalculation();
    const created = await send<CreateMultipartUploadCommandOutput>(
      new CreateMultipartUploadCommand({ ...target, ...(calculation === 'WHEN_SUPPORTED' ? { ChecksumAlgorithm: 'CRC32' } : {}) }),
    );
    uploadId = created.UploadId;
  };
  const sendPart = async (buffer: Buffer, length: number) => {
    uploadId ?? (await begin());
    const partNumber = ++partsSent;
    const sent: Promise<void> = send<UploadPartCommandOutput>(
      new UploadPartCommand({
        Bucket: target.Bucket,
        Key: target.Key,
        UploadId: uploadId,
        PartNumber: partNumber,
        Body: buffer.subarray(0, length),
      }),
    )
      .then((out) => {
        parts.push({ PartNumber: partNumber, ETag: out.ETag, ...(out.ChecksumCRC32 ? { ChecksumCRC32: out.ChecksumCRC32 } : {}) });
        give(buffer);
      })
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => uploading.delete(sent));
    uploading.add(sent);
    // Backpressure: stop reading the source while every part slot is busy.
    while (uploading.size >= options.concurrency) await Promise.race(uploading);
    if (failure) throw failure;
  };

  try {
    // Until the body outgrows one part, keep its chunks as they came.
    const head: Buffer[] = [];
    let headBytes = 0;
    let part: Buffer | undefined;
    let filled = 0;
    for await (const chunk of source) {
      if (!part) {
        if (headBytes + chunk.length < options.partBytes) {
          head.push(chunk);
          headBytes += chunk.length;
          continue;
        }
        part = take();
        for (const kept of head) filled += kept.copy(part, filled);
        head.length = 0;
      }
      for (let offset = 0; offset < chunk.length; ) {
        const copied = chunk.copy(part, filled, offset);
        filled += copied;
        offset += copied;
        if (filled === part.length) {
          await sendPart(part, filled);
          part = take();
          filled = 0;
        }
      }
    }
    if (!part) {
      const body = head.length === 1 ? head[0]! : Buffer.concat(head, headBytes);
      const input = { ...target, Body: body };
      const out = await send<PutObjectCommandOutput>(
        options.sha256 ? putObjectCommand(input, options.sha256()) : new PutObjectCommand(input),
      );
      return { versionId: out.VersionId, etag: out.ETag };
    }
    if (filled > 0) await sendPart(part, filled);
    else give(part);
    await Promise.all(uploading);
    if (failure) throw failure;
    parts.sort((a, b) => a.PartNumber! - b.PartNumber!);
    const out = await send<CompleteMultipartUploadCommandOutput>(
      new CompleteMultipartUploadCommand({ Bucket: target.Bucket, Key: target.Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
    );
    return { versionId: out.VersionId, etag: out.ETag };
  } catch (error) {
    await Promise.allSettled(uploading);
    if (uploadId !== undefined) {
      // A clean-up of its own, bounded apart: the call's signal may be what stopped the upload.
      // Should it fail too, the parts stay invisible (no object) until the bucket's lifecycle rule
      // for incomplete multipart uploads removes them.
      await sendWithin(
        s3,
        new AbortMultipartUploadCommand({ Bucket: target.Bucket, Key: target.Key, UploadId: uploadId }),
        AbortSignal.timeout(CLEANUP_MS),
      ).catch(() => undefined); // the upload's own error, thrown below, is what the caller needs
    }
    throw error;
  }
}
