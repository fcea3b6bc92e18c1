import type { Readable } from 'node:stream';
import type { Got } from 'got';
import { ArchiverError, IscError, StorageError, TimeBudgetError } from '../core/errors.ts';
import type { Log } from '../core/log.ts';
import type { CallContext } from './call-context.ts';
import { type ImportSubmission, submitImport } from './import-submission.ts';
import { asBuffer, firstHeader, iscErrorFrom, networkError, redirectRefused, unexpectedSuccess } from './isc-error.ts';
import { iscUrl, openGet } from './redirects.ts';
import { parseRetryAfter, retryDelay } from './retry-delay.ts';
import type { CredentialSource } from './secret-source.ts';
import { deadlineSignal } from './time-limit.ts';
import { TokenCache } from './token-cache.ts';
import { ISC_REQUEST_OPTIONS, requestToken } from './token-request.ts';

export type { ImportSubmission } from './import-submission.ts';

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
  /**
   * POSTs a JSON body and returns ISC's JSON answer (any 2xx; `POST .../sp-config/export` answers
   * 202 with the job). Retried like a GET (429, 5xx, network errors): only for requests that are
   * harmless to repeat, such as starting an export.
   */
  postJson(path: string, body: unknown, ctx: CallContext): Promise<unknown>;
  /**
   * POSTs an sp-config import (multipart `data` and `options`, streamed) and returns ISC's answer
   * (202 with the job). Never sent twice once ISC may have it: see submitImport.
   */
  postImport(path: string, submission: ImportSubmission, ctx: CallContext): Promise<unknown>;
  /** Requests sent to ISC since the container started (token requests included). */
  readonly requestCount: () => number;
}

export interface IscClientOptions {
  readonly http: Got;
  readonly credentials: CredentialSource;
  readonly log: Log;
  readonly random?: () => number;
}

type Headers = Record<string, string | string[] | undefined>;
type Attempt<T> = (token: string, signal: AbortSignal) => Promise<{ status: number; body?: Buffer; headers: Headers; value?: T }>;

/** A JSON answer larger than this is not a status document; it is refused rather than held. */
const JSON_LIMIT_BYTES = 16 * 1024 * 1024;

export function createIscClient(options: IscClientOptions): IscClient {
  const { http, credentials, log } = options;
  const random = options.random ?? Math.random;
  let requests = 0;
  const counted = () => {
    requests++;
  };

  const tokens = new TokenCache((signal) => requestToken(http, credentials, log, counted, signal));

  async function withRetries<T>(method: string, path: string, ctx: CallContext, attempt: Attempt<T>): Promise<T> {
    let refreshedAfter401 = false;
    for (let n = 1; ; n++) {
      let failure: ArchiverError;
      let retryAfterMs: number | undefined;
      // One signal from the deadline bounds the token request, the secret read and the call itself.
      const signal = deadlineSignal(ctx.deadline, ctx.phase, `call ${method} ${path}`, ctx.jobId);
      let token: string | undefined;
      try {
        token = await tokens.get(signal);
        // The token may have taken most of the time: look again before sending.
        if (ctx.deadline.remainingMs() <= 0) throw new TimeBudgetError(`No time left to call ${method} ${path}.`, ctx.phase, ctx.jobId);
        counted();
        const result = await attempt(token, signal);
        if (result.status >= 200 && result.status < 300) return result.value as T;
        if (result.status === 401 && !refreshedAfter401) {
          // Tokens expire mid-job (about 12 minutes): get a new one once and try again.
          refreshedAfter401 = true;
          tokens.invalidate(token);
          log.info('ISC refused the token; fetching a new one', { jobId: ctx.jobId, path });
          n--;
          continue;
        }
        failure = iscErrorFrom({
          status: result.status,
          method,
          path,
          body: result.body ?? Buffer.alloc(0),
          phase: ctx.phase,
          jobId: ctx.jobId,
          attempts: n,
        });
        retryAfterMs = parseRetryAfter(firstHeader(result.headers['retry-after']), Date.now());
      } catch (error) {
        if (error instanceof ArchiverError) {
          // S3 already retried inside the SDK; downloading again would not help it.
          if (!error.retryable || error instanceof StorageError || error instanceof TimeBudgetError) throw error;
          failure = error;
        } else {
          failure = networkError(error, ctx.phase, ctx.jobId, n, signal);
          if (failure instanceof TimeBudgetError) throw failure;
        }
      }
      if (!failure.retryable) throw failure;
      const delay = retryDelay({ attempt: n, retryAfterMs, remainingMs: ctx.deadline.remainingMs(), random });
      if (delay === undefined) throw failure;
      log.warn('ISC call failed; retrying', {
        jobId: ctx.jobId,
        path,
        attempt: n,
        delayMs: delay,
        httpStatus: failure.httpStatus,
        trackingId: failure.trackingId,
        code: failure.code,
      });
      await ctx.deadline.sleep(delay);
    }
  }

  /** GETs with redirects handled by openGet; a 2xx other than 200 carries no document. */
  async function get(path: string, ctx: CallContext, token: string, signal: AbortSignal) {
    const { baseUrl } = await credentials.get({ signal });
    const opened = await openGet(http, { url: iscUrl(baseUrl, path), token, signal, phase: ctx.phase, jobId: ctx.jobId });
    if (opened.statusCode === 200) return opened;
    const body = await readBounded(opened.body, 64 * 1024);
    if (opened.statusCode >= 200 && opened.statusCode < 300) throw unexpectedSuccess(opened.statusCode, 'GET', path, ctx.phase, ctx.jobId);
    return { ...opened, failed: { status: opened.statusCode, body, headers: opened.headers } };
  }

  return {
    requestCount: () => requests,
    async getJson(path, ctx) {
      return withRetries('GET', path, ctx, async (token, signal) => {
        const opened = await get(path, ctx, token, signal);
        if ('failed' in opened) return opened.failed;
        const body = await readAll(opened.body, JSON_LIMIT_BYTES);
        if (body === undefined) {
          throw new IscError(
            'IscInvalidBody',
            `ISC answered GET ${path} with more than ${JSON_LIMIT_BYTES} bytes, where a small JSON document was expected.`,
            { phase: ctx.phase, retryable: false, jobId: ctx.jobId },
          );
        }
        try {
          return { status: 200, headers: opened.headers, value: JSON.parse(body.toString('utf8')) };
        } catch {
          throw new IscError('IscInvalidBody', `ISC answered GET ${path} with a body that is not JSON.`, {
            phase: ctx.phase,
            retryable: true,
            jobId: ctx.jobId,
          });
        }
      });
    },
    async download(path, ctx, consume) {
      return withRetries('GET', path, ctx, async (token, signal) => {
        const opened = await get(path, ctx, token, signal);
        if ('failed' in opened) return opened.failed;
        const length = Number(firstHeader(opened.headers['content-length']));
        const encoded = firstHeader(opened.headers['content-encoding']) !== undefined;
        const value = await consume(opened.body, { contentLength: Number.isFinite(length) && !encoded ? length : undefined });
        return { status: 200, headers: opened.headers, value };
      });
    },
    async postJson(path, body, ctx) {
      return withRetries('POST', path, ctx, async (token, signal) => {
        const url = iscUrl((await credentials.get({ signal })).baseUrl, path);
        const response = await http.post(url, {
          json: body,
          headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
          responseType: 'buffer',
          ...ISC_REQUEST_OPTIONS,
          signal,
        });
        const status = response.statusCode;
        if (status >= 300 && status < 400) {
          throw redirectRefused(
            'POST',
            url.href,
            status,
            firstHeader(response.headers.location),
            ctx.phase,
            ctx.jobId,
            'a POST to ISC is never redirected',
          );
        }
        if (status < 200 || status >= 300) return { status, body: asBuffer(response.body), headers: response.headers };
        try {
          return { status, headers: response.headers, value: JSON.parse(asBuffer(response.body).toString('utf8')) as unknown };
        } catch {
          throw new IscError('IscInvalidBody', `ISC answered POST ${path} with ${status} and a body that is not JSON.`, {
            phase: ctx.phase,
            retryable: true,
            jobId: ctx.jobId,
          });
        }
      });
    },
    postImport(path, submission, ctx) {
      return submitImport({ http, credentials, tokens, log, random, counted }, path, submission, ctx);
    },
  };
}

/** The whole body, or undefined once it passes `limit`; a body cut short fails (and is retried). */
async function readAll(stream: Readable, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      stream.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}

async function readBounded(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      if (size < limit) chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= limit) break;
    }
  } catch {
    // An error body cut short still says enough in its first bytes.
  }
  return Buffer.concat(chunks).subarray(0, limit);
}
