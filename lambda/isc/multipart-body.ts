import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { IscError, type Phase } from '../core/errors.ts';

/** What became of a body while it was sent: decides whether a failed request may have reached ISC. */
export interface BodyProgress {
  /** The error the data stream raised (or its length check), rethrown unchanged to the caller. */
  dataError: unknown;
  /** Set just before the last bytes are handed on: from then on ISC may hold a complete request. */
  complete: boolean;
}

export interface MultipartBody {
  readonly stream: Readable;
  readonly contentType: string;
  /** Known when the data's length is: the request then says it up front. */
  readonly contentLength: number | undefined;
  readonly progress: BodyProgress;
}

export interface MultipartParts {
  readonly data: Readable;
  readonly dataBytes?: number | undefined;
  /** The file name of the `data` part. */
  readonly fileName: string;
  /** Sent as the JSON `options` part. */
  readonly options: object;
  /** Named in the error when the data's length is not `dataBytes`. */
  readonly phase: Phase;
}

/**
 * The multipart/form-data body of an sp-config import, streamed: the `data` part's bytes pass
 * through as they arrive (a 200 MB backup is never held), then the `options` part and the closing
 * boundary. If the data fails (a read error, an integrity check, a length that is not the one
 * announced), the body fails before its end, so the request is aborted and ISC never holds a
 * complete request.
 */
export function importRequestBody(parts: MultipartParts): MultipartBody {
  const boundary = `isc-import-archiver-${randomUUID()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="data"; filename="${parts.fileName.replace(/["\r\n\\]/g, '_')}"\r\n` +
      'Content-Type: application/json\r\n\r\n',
  );
  const tail = Buffer.from(
    `\r\n--${boundary}\r\nContent-Disposition: form-data; name="options"\r\nContent-Type: application/json\r\n\r\n` +
      `${JSON.stringify(parts.options)}\r\n--${boundary}--\r\n`,
  );
  const progress: BodyProgress = { dataError: undefined, complete: false };
  const expected = parts.dataBytes;

  async function* bytes(): AsyncGenerator<Buffer> {
    yield head;
    let read = 0;
    try {
      for await (const chunk of parts.data as AsyncIterable<Buffer | string>) {
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        read += buffer.length;
        if (expected !== undefined && read > expected) throw lengthMismatch(read, expected, 'at least', parts.phase);
        yield buffer;
      }
      if (expected !== undefined && read !== expected) throw lengthMismatch(read, expected, 'only', parts.phase);
    } catch (error) {
      progress.dataError ??= error;
      throw error;
    }
    progress.complete = true;
    yield tail;
  }

  return {
    stream: Readable.from(bytes(), { objectMode: false }),
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength: expected === undefined ? undefined : head.length + expected + tail.length,
    progress,
  };
}

/** The data's length differs from the one announced: sent as is, the request would hang or be cut. */
function lengthMismatch(read: number, expected: number, how: string, phase: Phase): IscError {
  return new IscError(
    'IscImportDataLength',
    `The import data held ${how} ${read} bytes where ${expected} were announced; the request was stopped before its end.`,
    {
      phase,
      retryable: false,
    },
  );
}
