import { Readable } from 'node:stream';
import { IscError } from '../../lambda/core/errors.ts';
import type { ImportSubmission, IscClient } from '../../lambda/isc/isc-client.ts';

// An in-memory ISC for the unit tests of the after-state export and the restore submission: an
// export job that completes after a number of polls, documents served from memory, and an import
// endpoint that reads the submitted data stream whole and records what it received.

export interface ReceivedImport {
  readonly path: string;
  readonly data: Buffer;
  readonly dataBytes: number | undefined;
  readonly options: unknown;
}

export interface ScriptedIscOptions {
  /** The export job id ISC names when an export is started. */
  readonly exportJobId?: string;
  /** Statuses answered in turn to the export's status polls (the start answers NOT_STARTED); the last one repeats. */
  readonly exportStatuses?: readonly string[];
  /** The body of the export's status answers besides jobId and status. */
  readonly exportFields?: Record<string, unknown>;
  /** Documents by download path. */
  readonly documents?: Readonly<Record<string, string>>;
  /** What the import endpoint answers once it has read the data (default: a job id). */
  readonly importAnswer?: unknown;
  /** Thrown by postJson instead of starting an export. */
  readonly exportError?: Error;
  /** Thrown by postImport after the data was read (or as it is read, when the stream fails). */
  readonly importError?: Error;
}

export function iscError(code: string, httpStatus: number, extra: { trackingId?: string } = {}): IscError {
  return new IscError(code, `ISC answered ${httpStatus}`, {
    phase: 'changes',
    retryable: false,
    httpStatus,
    ...(extra.trackingId ? { trackingId: extra.trackingId } : {}),
  });
}

export function scriptedIsc(options: ScriptedIscOptions = {}): IscClient & {
  readonly calls: string[];
  readonly posted: unknown[];
  readonly imports: ReceivedImport[];
  readonly importFailures: unknown[];
} {
  const calls: string[] = [];
  const posted: unknown[] = [];
  const imports: ReceivedImport[] = [];
  const importFailures: unknown[] = [];
  const exportJobId = options.exportJobId ?? 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const statuses = options.exportStatuses ?? ['COMPLETE'];
  let polls = 0;
  const status = (s: string) => ({ jobId: exportJobId, status: s, type: 'EXPORT', ...options.exportFields });
  return {
    calls,
    posted,
    imports,
    importFailures,
    requestCount: () => calls.length,
    async getJson(path) {
      calls.push(`GET ${path}`);
      return status(statuses[Math.min(polls++, statuses.length - 1)] ?? 'COMPLETE');
    },
    async download(path, _ctx, consume) {
      calls.push(`GET ${path}`);
      const body = options.documents?.[path];
      if (body === undefined) throw iscError('IscNotFound', 404);
      const bytes = Buffer.from(body);
      return consume(Readable.from([bytes]), { contentLength: bytes.length });
    },
    async postJson(path, body) {
      calls.push(`POST ${path}`);
      posted.push(body);
      if (options.exportError) throw options.exportError;
      return { jobId: exportJobId, status: 'NOT_STARTED', type: 'EXPORT' };
    },
    async postImport(path, submission: ImportSubmission) {
      calls.push(`POST ${path}`);
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of submission.data() as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
      } catch (error) {
        importFailures.push(error);
        throw error;
      }
      imports.push({ path, data: Buffer.concat(chunks), dataBytes: submission.dataBytes, options: submission.options });
      if (options.importError) throw options.importError;
      return options.importAnswer ?? { jobId: 'C0FFEE00C0FFEE00C0FFEE00C0FFEE00', status: 'NOT_STARTED' };
    },
  };
}
