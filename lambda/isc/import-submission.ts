import type { Readable } from 'node:stream';
import type { Got } from 'got';
import { ArchiverError, IscError, TimeBudgetError } from '../core/errors.ts';
import type { Log } from '../core/log.ts';
import type { CallContext } from './call-context.ts';
import { asBuffer, firstHeader, iscErrorFrom, networkError, redirectRefused } from './isc-error.ts';
import { importRequestBody } from './multipart-body.ts';
import { iscUrl } from './redirects.ts';
import { parseRetryAfter, retryDelay } from './retry-delay.ts';
import type { CredentialSource } from './secret-source.ts';
import { deadlineSignal } from './time-limit.ts';
import type { TokenCache } from './token-cache.ts';
import { ISC_REQUEST_OPTIONS } from './token-request.ts';

export interface ImportSubmission {
  /**
   * The export document's bytes, as a fresh stream for each attempt. An error it raises (a read
   * failure, a failed integrity check) aborts the request before its end and is rethrown unchanged.
   */
  readonly data: () => Readable;
  /** The data's length when known: the request then carries a Content-Length, and a stream of any other length is stopped. */
  readonly dataBytes?: number | undefined;
  /** ImportOptions (includeTypes, objectOptions, ...), sent as the JSON `options` part. */
  readonly options: object;
  /** The `data` part's file name (default `backup.json`). */
  readonly fileName?: string | undefined;
}

export interface SubmissionDeps {
  readonly http: Got;
  readonly credentials: CredentialSource;
  readonly tokens: TokenCache;
  readonly log: Log;
  readonly random: () => number;
  readonly counted: () => void;
}

/** Connection failures that prove nothing was sent: ISC cannot have acted. */
const NOTHING_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * POSTs an sp-config import as multipart/form-data. An import writes to the tenant, so it is sent
 * again only when ISC certainly did not act: a 429 with Retry-After, a connection refused (or a
 * name not resolved) before any byte left, or one 401 answered with a fresh token. Any other
 * failure once a complete body may have reached ISC is IscImportOutcomeUnknown (permanent: look at
 * ISC's import jobs before submitting again); a failure while the body was still incomplete is
 * reported as it is (ISC cannot act on half a multipart request).
 */
export async function submitImport(deps: SubmissionDeps, path: string, submission: ImportSubmission, ctx: CallContext): Promise<unknown> {
  let refreshedAfter401 = false;
  for (let n = 1; ; n++) {
    const signal = deadlineSignal(ctx.deadline, ctx.phase, `submit POST ${path}`, ctx.jobId);
    let token: string;
    let baseUrl: string;
    try {
      token = await deps.tokens.get(signal);
      baseUrl = (await deps.credentials.get({ signal })).baseUrl;
    } catch (error) {
      throw networkError(error, ctx.phase, ctx.jobId, n, signal);
    }
    if (ctx.deadline.remainingMs() <= 0) throw new TimeBudgetError(`No time left to submit POST ${path}.`, ctx.phase, ctx.jobId);

    const body = importRequestBody({
      data: submission.data(),
      dataBytes: submission.dataBytes,
      options: submission.options,
      fileName: submission.fileName ?? 'backup.json',
      phase: ctx.phase,
    });
    let retryAfterMs: number | undefined;
    let failure: ArchiverError;
    try {
      deps.counted();
      const url = iscUrl(baseUrl, path);
      const response = await deps.http.post(url, {
        body: body.stream,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          'content-type': body.contentType,
          ...(body.contentLength === undefined ? {} : { 'content-length': String(body.contentLength) }),
        },
        responseType: 'buffer',
        ...ISC_REQUEST_OPTIONS,
        // A 200 MB body takes its time to send; ISC may take a while to accept it. The deadline bounds both.
        timeout: { ...ISC_REQUEST_OPTIONS.timeout, send: undefined, response: 120_000 },
        signal,
      });
      const status = response.statusCode;
      if (status >= 200 && status < 300) return parseAccepted(asBuffer(response.body), path, ctx);
      if (status >= 300 && status < 400) {
        throw redirectRefused(
          'POST',
          url.href,
          status,
          firstHeader(response.headers.location),
          ctx.phase,
          ctx.jobId,
          'an import is never re-sent elsewhere',
        );
      }
      if (status === 401 && !refreshedAfter401) {
        // ISC refused the token, so it did not act: one fresh token, one more try.
        refreshedAfter401 = true;
        deps.tokens.invalidate(token);
        n--;
        continue;
      }
      failure = iscErrorFrom({
        status,
        method: 'POST',
        path,
        body: asBuffer(response.body),
        phase: ctx.phase,
        jobId: ctx.jobId,
        attempts: n,
      });
      if (status >= 500) throw outcomeUnknown(path, ctx, `ISC answered ${status}`, failure);
      retryAfterMs = status === 429 ? parseRetryAfter(firstHeader(response.headers['retry-after']), Date.now()) : undefined;
      if (retryAfterMs === undefined) throw failure;
    } catch (error) {
      if (body.progress.dataError !== undefined) throw body.progress.dataError;
      if (error instanceof ArchiverError) throw error;
      const code = (error as { code?: string }).code;
      if (!(code !== undefined && NOTHING_SENT.has(code) && !signal.aborted)) {
        const cause = networkError(error, ctx.phase, ctx.jobId, n, signal);
        throw body.progress.complete ? outcomeUnknown(path, ctx, `no answer came (${cause.message})`, cause) : cause;
      }
      failure = networkError(error, ctx.phase, ctx.jobId, n, signal);
    } finally {
      // ISC may answer before reading the whole body (a 401, a 429): stop reading the data.
      body.stream.destroy();
    }
    const delay = retryDelay({ attempt: n, retryAfterMs, remainingMs: ctx.deadline.remainingMs(), random: deps.random });
    if (delay === undefined) throw failure;
    deps.log.warn('ISC did not take the import; sending it again', {
      jobId: ctx.jobId,
      path,
      attempt: n,
      delayMs: delay,
      httpStatus: failure.httpStatus,
      code: failure.code,
    });
    await ctx.deadline.sleep(delay);
  }
}

function parseAccepted(body: Buffer, path: string, ctx: CallContext): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw outcomeUnknown(path, ctx, 'ISC accepted it with an answer that is not JSON', error);
  }
}

function outcomeUnknown(path: string, ctx: CallContext, what: string, cause: unknown): IscError {
  return new IscError(
    'IscImportOutcomeUnknown',
    `The import POST ${path} may have reached ISC, but ${what}; it is not sent again: check ISC's import jobs before submitting it again.`,
    {
      phase: ctx.phase,
      retryable: false,
      jobId: ctx.jobId,
      httpStatus: (cause as { httpStatus?: number }).httpStatus,
      trackingId: (cause as { trackingId?: string }).trackingId,
      cause,
    },
  );
}
