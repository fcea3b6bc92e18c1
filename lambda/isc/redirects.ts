import type { IncomingHttpHeaders } from 'node:http';
import type { Got, Request } from 'got';
import { IscError, type Phase } from '../core/errors.ts';
import { firstHeader, redirectRefused } from './isc-error.ts';
import { ISC_REQUEST_OPTIONS } from './token-request.ts';

/** Hops an ISC GET follows at most (a download may go on to a storage host, rarely further). */
export const MAX_REDIRECTS = 5;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface OpenedGet {
  /** The body of the last response, not yet read. */
  readonly body: Request;
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
}

export interface GetTarget {
  readonly url: URL;
  readonly token: string;
  readonly signal: AbortSignal;
  readonly phase: Phase;
  readonly jobId?: string | undefined;
}

/**
 * GETs an ISC URL with the token, following redirects by hand so that the rules are ours and
 * visible: only to https (the loopback exception is for configured URLs, never a redirect's
 * target), at most MAX_REDIRECTS hops, and the Authorization header only while every hop has
 * stayed on the configured origin (scheme, host and port). Once a hop leaves it, the token is
 * never sent again, even on a hop back.
 */
export async function openGet(http: Got, target: GetTarget): Promise<OpenedGet> {
  const origin = target.url.origin;
  let url = target.url;
  let authorized = true;
  for (let hops = 0; ; hops++) {
    const body = http.stream(url, {
      headers: { accept: 'application/json', ...(authorized ? { authorization: `Bearer ${target.token}` } : {}) },
      ...ISC_REQUEST_OPTIONS,
      signal: target.signal,
      decompress: true,
    });
    const response = await responseOf(body);
    if (!REDIRECTS.has(response.statusCode)) return { body, ...response };
    // The redirect's own body is of no interest; drop it and its connection.
    body.destroy();
    const location = firstHeader(response.headers.location);
    const refuse = (why: string) => redirectRefused('GET', url.href, response.statusCode, location, target.phase, target.jobId, why);
    if (location === undefined) throw refuse('the redirect names no target');
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw refuse('the target is not a URL');
    }
    if (next.protocol !== 'https:') throw refuse('ISC GETs follow redirects to https URLs only');
    if (hops + 1 > MAX_REDIRECTS) {
      throw new IscError('IscTooManyRedirects', `ISC redirected GET ${target.url.pathname} more than ${MAX_REDIRECTS} times.`, {
        phase: target.phase,
        retryable: false,
        jobId: target.jobId,
        httpStatus: response.statusCode,
      });
    }
    if (next.origin !== origin) authorized = false;
    url = next;
  }
}

function responseOf(body: Request): Promise<{ statusCode: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    body.once('response', (response: { statusCode: number; headers: IncomingHttpHeaders }) =>
      resolve({ statusCode: response.statusCode, headers: response.headers }),
    );
    // Stays attached: an error after the response (before the reader listens) must not go unhandled.
    body.on('error', reject);
  });
}

/** The configured base URL and an ISC path, as one URL (the base may carry a path of its own). */
export function iscUrl(baseUrl: string, path: string): URL {
  return new URL(`${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`);
}
