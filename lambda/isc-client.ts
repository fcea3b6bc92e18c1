import type { Readable } from 'node:stream';
import { RequestError, type Got } from 'got';
import { ArchiverError, IscError, StorageError, TimeBudgetError, type Phase } from './errors.ts';
import { iscErrorFrom } from './isc-error.ts';
import { parseRetryAfter, retryDelay } from './retry-delay.ts';
import { TokenCache } from './token-cache.ts';
import type { CredentialSource } from './secret-source.ts';
import type { Deadline } from './deadline.ts';
import type { Log } from './log.ts';

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

/** Per-request limits: ISC answers metadata in well under a second; bodies may take minutes. */
/** Retries are ours (Retry-After, deadline, jitter): got must never retry on its own. */
const NO_RETRY = { limit: 0 } as const;

export const REQUEST_TIMEOUTS = { lookup: 5_000, connect: 5_000, secureConnect: 5_000, send: 10_000, response: 30_000, socket: 30_000 } as const;

export function createIscClient(options: IscClientOptions): IscClient {
  const { http, credentials, log } = options;
  const random = options.random ?? Math.random;
  let requests = 0;

  const tokens = new TokenCache(async () => {
    // Token requests get no deadline of their own beyond the request timeouts: they are short.
    const issue = async (refresh: boolean) => {
      const creds = await credentials.get({ refresh });
      requests++;
      const response = await http.post(creds.tokenUrl, {
        form: { grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret },
        responseType: 'buffer',
        throwHttpErrors: false,
        timeout: REQUEST_TIMEOUTS,
          retry: NO_RETRY,
      });
      return response;
    };
    let response = await issue(false).catch((error: unknown) => {
      throw networkError(error, 'token', undefined, 1);
    });
    if (response.statusCode === 400 || response.statusCode === 401) {
      // The secret may have been rotated since it was cached: read it again once.
      response = await issue(true);
    }
    if (response.statusCode !== 200) {
      const error = iscErrorFrom({ status: response.statusCode, method: 'POST', path: '/oauth/token', body: asBuffer(response.body), phase: 'token' });
      if (response.statusCode === 400 || response.statusCode === 401) {
        throw new IscError('IscCredentialsRejected', `ISC refused the client credentials (${response.statusCode}${error.trackingId ? `, trackingId ${error.trackingId}` : ''}): check clientId and clientSecret in the secret.`, {
          phase: 'token',
          retryable: false,
          httpStatus: response.statusCode,
          trackingId: error.trackingId,
        });
      }
      throw error;
    }
    let parsed: { access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(asBuffer(response.body).toString('utf8')) as typeof parsed;
    } catch {
      throw new IscError('IscInvalidResponse', 'ISC answered the token request with a body that is not JSON.', { phase: 'token', retryable: true });
    }
    if (typeof parsed.access_token !== 'string' || parsed.access_token === '') {
      throw new IscError('IscInvalidResponse', 'ISC answered the token request without an access_token.', { phase: 'token', retryable: true });
    }
    const expiresIn = typeof parsed.expires_in === 'number' ? parsed.expires_in : Number(parsed.expires_in ?? 600);
    log.debug('ISC token issued', { expiresIn });
    return { accessToken: parsed.access_token, expiresIn: Number.isFinite(expiresIn) ? expiresIn : 600 };
  });

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
          throwHttpErrors: false,
          timeout: REQUEST_TIMEOUTS,
          retry: NO_RETRY,
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
          throwHttpErrors: false,
          timeout: REQUEST_TIMEOUTS,
          retry: NO_RETRY,
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

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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

function networkError(error: unknown, phase: Phase, jobId: string | undefined, attempts: number): ArchiverError {
  if (error instanceof ArchiverError) return error;
  const name = (error as Error | undefined)?.name;
  if (name === 'AbortError' || name === 'TimeoutError' && (error as { code?: string }).code === 'ABORT_ERR') {
    return new TimeBudgetError('The invocation ran out of time while talking to ISC.', phase, jobId);
  }
  const code = error instanceof RequestError ? error.code : (error as { code?: string } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return new IscError('IscUnreachable', `ISC could not be reached or its answer was cut short (${code ?? name ?? 'error'}: ${message}).`, {
    phase, retryable: true, jobId, attempts, cause: error,
  });
}
