import { Readable } from 'node:stream';
import type { ArchiveDeps } from '../../lambda/archive/archive-types.ts';
import { loadConfig } from '../../lambda/contract/config.ts';
import type { Deadline } from '../../lambda/core/deadline.ts';
import { IscError } from '../../lambda/core/errors.ts';
import type { Log } from '../../lambda/core/log.ts';
import type { IscClient } from '../../lambda/isc/isc-client.ts';
import type { ArchiveStore } from '../../lambda/storage/archive-store.ts';

// Stand-ins for unit tests of the archive flow: an ISC client that serves documents from memory
// (no retries: a retryable error reaches the flow as it is), a log that records, a virtual deadline.

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly extra?: Record<string, unknown>;
}

export function recordingLog(): Log & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (message: string, extra?: Record<string, unknown>) =>
    void lines.push({ level, message, ...(extra ? { extra } : {}) });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A deadline of `budgetMs` from `start` whose sleeps advance a virtual clock instead of waiting. */
/** The flow's S3 calls end at the deadline on the wall clock, so a flow test's virtual clock starts at the real now (to the second). */
export function wallClockNow(): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}

export function virtualDeadline(budgetMs = 600_000, start = Date.parse('2026-12-01T10:00:00.000Z')) {
  let now = start;
  const sleeps: number[] = [];
  const deadline: Deadline = {
    remainingMs: () => start + budgetMs - now,
    endsAt: () => start + budgetMs,
    sleep: async (ms) => {
      if (ms > start + budgetMs - now) return false;
      sleeps.push(ms);
      now += ms;
      return true;
    },
  };
  return { deadline, sleeps, now: () => now };
}

export type Served = string | Buffer | 'gone' | { readonly body: string | Buffer; readonly contentLength: number };

export interface FakeIscJob {
  /** Statuses answered in turn; the last one repeats. */
  readonly statuses: readonly string[];
  readonly results?: Served;
  readonly backups?: Readonly<Record<string, Served>>;
}

export function fakeIsc(jobId: string, job: FakeIscJob): IscClient & { readonly calls: string[] } {
  const calls: string[] = [];
  let polls = 0;
  const statuses = [...job.statuses];
  const notFound = (path: string) =>
    new IscError('IscNotFound', `ISC answered 404 to GET ${path}`, {
      phase: path.endsWith('/download') ? 'download' : 'status',
      retryable: false,
      httpStatus: 404,
      jobId,
      trackingId: 'a'.repeat(32),
    });
  return {
    calls,
    requestCount: () => calls.length,
    async getJson(path) {
      calls.push(`GET ${path}`);
      if (!path.includes(jobId)) throw notFound(path);
      const status = statuses[Math.min(polls++, statuses.length - 1)];
      return {
        jobId,
        status,
        type: 'IMPORT',
        message: status === 'FAILED' ? 'Import halted because of errors.' : null,
        created: '2026-12-01T09:00:00Z',
        modified: '2026-12-01T09:05:00Z',
        completed: '2026-12-01T09:05:00Z',
      };
    },
    async download(path, _ctx, consume) {
      calls.push(`GET ${path}`);
      const exportId = /\/export\/([^/]+)\/download$/.exec(path)?.[1];
      const served = exportId ? job.backups?.[exportId] : job.results;
      if (served === undefined || served === 'gone') throw notFound(path);
      const body = typeof served === 'object' && !Buffer.isBuffer(served) ? served.body : served;
      const bytes = Buffer.from(body);
      const contentLength = typeof served === 'object' && !Buffer.isBuffer(served) ? served.contentLength : bytes.length;
      // Two chunks, as a network body arrives.
      const half = Math.floor(bytes.length / 2);
      return consume(Readable.from([bytes.subarray(0, half), bytes.subarray(half)].filter((c) => c.length > 0)), { contentLength });
    },
    // Starting jobs is for the changes and restore flows, tested against the ISC double: here ISC refuses.
    async postJson(path) {
      calls.push(`POST ${path}`);
      throw new IscError('IscForbidden', `ISC answered 403 to POST ${path}`, {
        phase: 'changes',
        retryable: false,
        httpStatus: 403,
        jobId,
      });
    },
    async postImport(path) {
      calls.push(`POST ${path}`);
      throw new IscError('IscForbidden', `ISC answered 403 to POST ${path}`, {
        phase: 'restore',
        retryable: false,
        httpStatus: 403,
        jobId,
      });
    },
  };
}

export function archiveDeps(
  store: ArchiveStore,
  isc: IscClient,
  options: { env?: Record<string, string>; log?: Log; now?: () => Date } = {},
): ArchiveDeps {
  return {
    // The after-state export and its comparison are tested against the ISC double (changes.test.ts).
    config: loadConfig({ ARCHIVE_BUCKET: store.bucket, ARCHIVE_CHANGES: 'false', ...options.env }),
    credentials: {
      get: async () => ({
        baseUrl: 'https://acme.api.identitynow.com',
        tokenUrl: 'https://acme.api.identitynow.com/oauth/token',
        tenant: 'acme',
        clientId: 'id',
        clientSecret: 'secret',
      }),
    },
    isc,
    store,
    log: options.log ?? recordingLog(),
    ...(options.now ? { now: options.now } : {}),
  };
}
