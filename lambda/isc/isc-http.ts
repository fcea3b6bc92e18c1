import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import got, { type Got, type HandlerFunction, type RequestPromise } from 'got';

/**
 * An answer read whole (a token, a job status, an accepted import or export) larger than this is
 * not one ISC sends: reading stops there. Documents are streamed, and bounded by their checks.
 */
export const ANSWER_LIMIT_BYTES = 16 * 1024 * 1024;

/** What stops a request whose answer passes the limit (the AbortError's cause; see answerLimitPassed). */
class AnswerTooLarge extends Error {
  override name = 'AnswerTooLarge';
  readonly limit: number;
  constructor(limit: number) {
    super(`answer over ${limit} bytes`);
    this.limit = limit;
  }
}

/** The HTTP client for ISC: connections kept alive, no retries of its own (the ISC client's), answers read whole bounded. */
export function createIscHttp(userAgent: string, answerLimitBytes = ANSWER_LIMIT_BYTES): Got {
  return got.extend({
    agent: { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) },
    http2: false,
    retry: { limit: 0 },
    headers: { 'user-agent': userAgent },
    handlers: [limitAnswers(answerLimitBytes)],
  });
}

/** Stops reading an answer that is read whole once it passes `limit` bytes; streams are left to their readers. */
function limitAnswers(limit: number): HandlerFunction {
  return (options, next) => {
    if (options.isStream) return next(options);
    const stop = new AbortController();
    options.signal = options.signal ? AbortSignal.any([options.signal as AbortSignal, stop.signal]) : stop.signal;
    const request = next(options);
    (request as RequestPromise).on('downloadProgress', ({ transferred }: { transferred: number }) => {
      if (transferred > limit && !stop.signal.aborted) stop.abort(new AnswerTooLarge(limit));
    });
    return request;
  };
}

/** The limit that stopped the request `error` ended, or undefined when no limit did. */
export function answerLimitPassed(error: unknown): number | undefined {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause instanceof AnswerTooLarge ? cause.limit : undefined;
}
