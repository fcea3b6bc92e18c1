import type { Readable } from 'node:stream';
import { CONTENT_TYPES } from '../contract/constants.ts';
import { handledElsewhere } from '../core/background.ts';
import type { Deadline } from '../core/deadline.ts';
import { IscError, type Phase } from '../core/errors.ts';
import type { ArchiveStore, StoredObject } from '../storage/archive-store.ts';

/** Reads a document as it streams and judges it at the end (the results scanner, the export check). */
export interface StreamCheck<T> {
  write(chunk: Buffer): void;
  /** The document ended: what was learned, or a throw saying why it is not the expected document. */
  finish(): T;
}

export interface CheckedUpload {
  readonly key: string;
  readonly jobId: string;
  readonly phase: Phase;
  /** Content-Length as ISC announced it (undefined when it did not, or compressed the body). */
  readonly expectedBytes: number | undefined;
  /** Settles once this delivery may write (it holds the claim); rejects when it may not. */
  readonly writable: Promise<unknown>;
  /** Named in errors: "import results", "the pre-import backup". */
  readonly what: string;
  /** The upload ends before it (the S3 calls are bounded by it). */
  readonly deadline: Deadline;
  /** Hears the checked document as soon as it is read whole, while S3 may still be storing it. */
  readonly onRead?: (read: DocumentRead<unknown>) => void;
}

/** A document read whole and checked: what it said, and its size and hash. */
export interface DocumentRead<T> {
  readonly checked: T;
  readonly key: string;
  readonly bytes: number;
  readonly sha256: string;
}

/**
 * One archived document in two stages: `read` settles once the whole document is read and checked
 * (its summary, size and hash known), `stored` once S3 has confirmed the write. What depends only
 * on the bytes (the report) starts at `read`, overlapping S3's last write: that overlap is where
 * the latency of one S3 round trip is saved (bench archive-1mb-latency).
 */
export interface ReadWhileStoring<T> {
  readonly read: Promise<DocumentRead<T>>;
  readonly stored: Promise<StoredObject>;
}

/** Runs an upload of one document and exposes its two stages (see ReadWhileStoring). */
export function readWhileStoring<T>(
  run: (onRead: (read: DocumentRead<unknown>) => void) => Promise<{ stored: StoredObject; checked: T }>,
): ReadWhileStoring<T> {
  let resolveRead!: (read: DocumentRead<T>) => void;
  let rejectRead!: (error: unknown) => void;
  const read = new Promise<DocumentRead<T>>((resolve, reject) => {
    resolveRead = resolve;
    rejectRead = reject;
  });
  const stored = run((r) => resolveRead(r as DocumentRead<T>)).then((done) => {
    resolveRead({ checked: done.checked, key: done.stored.key, bytes: done.stored.bytes, sha256: done.stored.sha256 });
    return done.stored;
  });
  // A failure before the document was read whole fails `read` too; after it, only `stored` fails.
  // Whoever awaits `stored` hears of it, so `read` itself may go unawaited after a failure.
  stored.catch(rejectRead);
  handledElsewhere(read);
  return { read, stored };
}

/**
 * Streams an ISC document into S3 while `check` reads it, so nothing is stored that is not the
 * whole, valid document. The store writes a small body in one PUT after the source ends, and a
 * large one as a multipart upload completed only after the source ends; the source ends only after
 * the length and the check have passed. So a cut-short or invalid body never replaces an object,
 * and nothing at all is written before `writable` settles.
 */
export async function uploadChecked<T>(
  store: ArchiveStore,
  body: Readable,
  check: StreamCheck<T>,
  upload: CheckedUpload,
): Promise<{ stored: StoredObject; checked: T }> {
  let checked: T | undefined;
  async function* source(): AsyncGenerator<Buffer> {
    let bytes = 0;
    let mayWrite = false;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      check.write(chunk);
      if (!mayWrite) {
        await upload.writable;
        mayWrite = true;
      }
      yield chunk;
    }
    if (!mayWrite) await upload.writable;
    if (upload.expectedBytes !== undefined && bytes !== upload.expectedBytes) {
      throw new IscError('IscTruncatedBody', `ISC sent ${bytes} of ${upload.expectedBytes} bytes of ${upload.what}.`, {
        phase: upload.phase,
        retryable: true,
        jobId: upload.jobId,
      });
    }
    checked = check.finish();
  }
  try {
    const onSourceEnd = (end: { bytes: number; sha256: string }) => upload.onRead?.({ checked, key: upload.key, ...end });
    const stored = await store.upload(upload.key, source(), CONTENT_TYPES.json, { deadline: upload.deadline, onSourceEnd });
    return { stored, checked: checked as T };
  } finally {
    body.destroy();
  }
}
