import type { Readable } from 'node:stream';
import type { Got } from 'got';
import { ArchiverError, IscError, StorageError, TimeBudgetError, type Phase } from '../core/errors.ts';
import { asBuffer, iscErrorFrom, networkError } from './isc-error.ts';
import { ISC_REQUEST_OPTIONS, requestToken } from './token-request.ts';
import { parseRetryAfter, retryDelay } from './retry-delay.ts';
import { TokenCache } from './token-cache.ts';
import type { CredentialSource } from './secret-source.ts';
import type { Deadline } from '../core/deadline.ts';
import type { Log } from '../core/log.ts';

export interface CallContext {
  readonly phase: Phase;
  readonly jobId?: string | undefined;
  readonly deadline: Deadline;
}

export interface DownloadInfo {
  readonly contentLength: number | undefined;
}

export interface IscClient {
  /** GETs a JSON document; retries what can be retried within the deadline. */
  getJson(path: string, ctx: CallContext): Promise<unknown>;
  /**
   * GETs a document as a stream and hands it to `consume`. A body cut short (reset, timeout,
   * length mismatch) fails `consume`, and the whole download is tried again from the start.
   */
  download<T>(path: string, ctx: CallContext, consume: (body: Readable, info: DownloadInfo) => Promise<T>): Promise<T>;
  /** Requests sent to ISC since the container started (token requests included). */
  readonly requestCount: () => number;
}

export interface IscClientOptions {
  readonly http: Got;
  readonly credentials: CredentialSource;
  readonly log: Log;
  readonly random?: () => number;
}

type Attempt<T> = (token: string | undefined, signal: AbortSignal) => Promise<{ status: number; body?: Buffer; headers: Record<string, string | string[] | undefined>; value?: T }>;


export function createIscClient(options: IscClientOptions): IscClient {
  const { http, credentials, log } = options;
  const random = options.random ?? Math.random;
  let requests = 0;

  const tokens = new TokenCache(() => requestToken(http, credentials, log, () => requests++));

  async function withRetries<T>(method: string, path: string, ctx: CallContext, attempt: Attempt<T>): Promise<T> {
    let refreshedAfter401 = false;
    for (let n = 1; ; n++) {
      const remaining = ctx.deadline.remainingMs();
      if (remaining <= 0) throw new TimeBudgetError(`No time left to call ${method} ${path}.`, ctx.phase, ctx.jobId);
      let failure: ArchiverError;
      let retryAfterMs: number | undefined;
      let token: string | undefined;
      try {
        token = await tokens.get();
        requests++;
        const result = await attempt(token, AbortSignal.timeout(remaining));
        if (result.status >= 200 && result.status < 300) return result.value as T;
        if (result.status === 401 && !refreshedAfter401) {
          // Tokens expire mid-job (about 12 minutes): get a new one once and try again.
          refreshedAfter401 = true;
          tokens.invalidate(token);
          log.info('ISC refused the token; fetching a new one', { jobId: ctx.jobId, path });
          n--;
          continue;
        }
        failure = iscErrorFrom({ status: result.status, method, path, body: result.body ?? Buffer.alloc(0), phase: ctx.phase, jobId: ctx.jobId, attempts: n });
        retryAfterMs = parseRetryAfter(header(result.headers['retry-after']), Date.now());
      } catch (error) {
        if (error instanceof ArchiverError) {
          // S3 already retried inside the SDK; downloading again would not help it.
          if (!error.retryable || error instanceof StorageError) throw error;
          failure = error;
        } else {
          failure = networkError(error, ctx.phase, ctx.jobId, n);
        }
      }
      if (!failure.retryable) throw failure;
      const delay = retryDelay({ attempt: n, retryAfterMs, remainingMs: ctx.deadline.remainingMs(), random });
      if (delay === undefined) throw failure;
      log.warn('ISC call failed; retrying', {
        jobId: ctx.jobId, path, attempt: n, delayMs: delay, httpStatus: failure.httpStatus, trackingId: failure.trackingId, code: failure.code,
      });
      await ctx.deadline.sleep(delay);
    }
  }

  return {
    requestCount: () => requests,
    async getJson(path, ctx) {
      return withRetries('GET', path, ctx, async (token, signal) => {
        const creds = await credentials.get();
        const response = await http.get(path.replace(/^\//, ''), {
          prefixUrl: creds.baseUrl,
          headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
          responseType: 'buffer',
          ...ISC_REQUEST_OPTIONS,
          signal,
        });
        if (response.statusCode !== 200) return { status: response.statusCode, body: asBuffer(response.body), headers: response.headers };
        try {
          return { status: 200, headers: response.headers, value: JSON.parse(asBuffer(response.body).toString('utf8')) };
        } catch {
          throw new IscError('IscInvalidBody', `ISC answered GET ${path} with a body that is not JSON.`, { phase: ctx.phase, retryable: true, jobId: ctx.jobId });
        }
      });
    },
    async download(path, ctx, consume) {
      return withRetries('GET', path, ctx, async (token, signal) => {
        const creds = await credentials.get();
        const stream = http.stream(path.replace(/^\//, ''), {
          prefixUrl: creds.baseUrl,
          headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
          ...ISC_REQUEST_OPTIONS,
          signal,
          decompress: true,
        });
        const response = await new Promise<{ statusCode: number; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
          stream.once('response', resolve);
          stream.once('error', reject);
        });
        if (response.statusCode !== 200) {
          return { status: response.statusCode, body: await readBounded(stream, 64 * 1024), headers: response.headers };
        }
        const length = Number(header(response.headers['content-length']));
        const value = await consume(stream, { contentLength: Number.isFinite(length) && header(response.headers['content-encoding']) === undefined ? length : undefined });
        return { status: 200, headers: response.headers, value };
      });
    },
  };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function readBounded(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      if (size < limit) chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch {
    // An error body cut short still says enough in its first bytes.
  }
  return Buffer.concat(chunks).subarray(0, limit);
}
