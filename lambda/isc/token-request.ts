import type { Got } from 'got';
import { IscError } from '../core/errors.ts';
import type { Log } from '../core/log.ts';
import { asBuffer, firstHeader, iscErrorFrom, networkError, redirectRefused } from './isc-error.ts';
import type { CredentialSource } from './secret-source.ts';
import type { IssuedToken } from './token-cache.ts';

/**
 * Options of every request to ISC. Retries are ours (Retry-After, deadline, jitter), so got must
 * never retry on its own; per-request limits, since ISC answers metadata in well under a second
 * while bodies may take minutes (the socket limit is for a stalled body, not a slow one).
 * Redirects are ours too (see redirects.ts): got would re-send a POST body, client secret
 * included, to wherever a 307 points.
 */
export const ISC_REQUEST_OPTIONS = {
  throwHttpErrors: false,
  followRedirect: false,
  retry: { limit: 0 },
  timeout: { lookup: 5_000, connect: 5_000, secureConnect: 5_000, send: 10_000, response: 30_000, socket: 30_000 },
} as const;

/**
 * Asks ISC for an access token with the client credentials. A refusal re-reads the secret once, in
 * case it was rotated since it was cached; a second refusal is permanent. A redirect is never
 * followed: the body holds the client secret. `counted` is called for each request sent; `signal`
 * (the invocation's deadline) ends the request and the secret read.
 */
export async function requestToken(
  http: Got,
  credentials: CredentialSource,
  log: Log,
  counted: () => void,
  signal?: AbortSignal,
): Promise<IssuedToken> {
  const issue = async (refresh: boolean) => {
    const creds = await credentials.get({ refresh, signal });
    counted();
    const response = await http.post(creds.tokenUrl, {
      form: { grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret },
      responseType: 'buffer',
      ...ISC_REQUEST_OPTIONS,
      signal,
    });
    if (response.statusCode >= 300 && response.statusCode < 400) {
      throw redirectRefused(
        'POST',
        creds.tokenUrl,
        response.statusCode,
        firstHeader(response.headers.location),
        'token',
        undefined,
        'the token request carries the client secret and is never redirected; check tokenUrl in the secret',
      );
    }
    return response;
  };
  const send = (refresh: boolean) =>
    issue(refresh).catch((error: unknown) => {
      throw networkError(error, 'token', undefined, 1, signal);
    });
  let response = await send(false);
  if (response.statusCode === 400 || response.statusCode === 401) response = await send(true);
  if (response.statusCode !== 200) {
    const error = iscErrorFrom({
      status: response.statusCode,
      method: 'POST',
      path: '/oauth/token',
      body: asBuffer(response.body),
      phase: 'token',
    });
    if (response.statusCode !== 400 && response.statusCode !== 401) throw error;
    const tracking = error.trackingId ? `, trackingId ${error.trackingId}` : '';
    throw new IscError(
      'IscCredentialsRejected',
      `ISC refused the client credentials (${response.statusCode}${tracking}): check clientId and clientSecret in the secret.`,
      {
        phase: 'token',
        retryable: false,
        httpStatus: response.statusCode,
        trackingId: error.trackingId,
      },
    );
  }
  let parsed: { access_token?: unknown; expires_in?: unknown };
  try {
    parsed = JSON.parse(asBuffer(response.body).toString('utf8')) as typeof parsed;
  } catch {
    throw new IscError('IscInvalidResponse', 'ISC answered the token request with a body that is not JSON.', {
      phase: 'token',
      retryable: true,
    });
  }
  if (typeof parsed.access_token !== 'string' || parsed.access_token === '') {
    throw new IscError('IscInvalidResponse', 'ISC answered the token request without an access_token.', {
      phase: 'token',
      retryable: true,
    });
  }
  const expiresIn = Number(parsed.expires_in ?? 600);
  log.debug('ISC token issued', { expiresIn });
  return { accessToken: parsed.access_token, expiresIn: Number.isFinite(expiresIn) ? expiresIn : 600 };
}
