import type { ServerResponse } from 'node:http';
import got from 'got';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLog } from '../../../lambda/core/log.ts';
import type { CredentialReadOptions } from '../../../lambda/isc/secret-source.ts';
import { requestToken } from '../../../lambda/isc/token-request.ts';
import { startServer, type TestServer } from '../../support/test-servers.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

type Answer = (res: ServerResponse) => void;

/** A token endpoint answering each request with the next answer (the last one repeats). */
async function tokenEndpoint(...answers: Answer[]) {
  let n = 0;
  server = await startServer((_req, res) => answers[Math.min(n++, answers.length - 1)]!(res));
  const reads: CredentialReadOptions[] = [];
  const url = server.url;
  const credentials = {
    get: async (options: CredentialReadOptions = {}) => {
      reads.push(options);
      return { baseUrl: url, tokenUrl: `${url}/oauth/token`, tenant: 'acme', clientId: 'id-1', clientSecret: `secret-${reads.length}` };
    },
  };
  let counted = 0;
  const run = () =>
    requestToken(got, credentials, silentLog, () => {
      counted++;
    });
  return { run, reads, counted: () => counted, seen: () => server!.seen };
}

const json =
  (status: number, body: unknown): Answer =>
  (res) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));

describe('requestToken', () => {
  it('posts the client credentials as a form and returns the token and its lifetime', async () => {
    const endpoint = await tokenEndpoint(json(200, { access_token: 'tok', expires_in: 749 }));
    await expect(endpoint.run()).resolves.toEqual({ accessToken: 'tok', expiresIn: 749 });
    const [request] = endpoint.seen();
    expect(request).toMatchObject({ method: 'POST', url: '/oauth/token' });
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(request!.body.toString()))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'id-1',
      client_secret: 'secret-1',
    });
    expect(endpoint.reads).toEqual([{ refresh: false, signal: undefined }]);
    expect(endpoint.counted()).toBe(1);
  });

  it.each([
    [{ access_token: 't' }, 600],
    [{ access_token: 't', expires_in: 'soon' }, 600],
    [{ access_token: 't', expires_in: '120' }, 120],
  ])('reads the lifetime of %j as %i seconds', async (body, expiresIn) => {
    const endpoint = await tokenEndpoint(json(200, body));
    await expect(endpoint.run()).resolves.toEqual({ accessToken: 't', expiresIn });
  });

  it.each([400, 401])('re-reads the secret once after a %i and uses the fresh one', async (status) => {
    const endpoint = await tokenEndpoint(json(status, { error: 'invalid_client' }), json(200, { access_token: 'fresh', expires_in: 60 }));
    await expect(endpoint.run()).resolves.toEqual({ accessToken: 'fresh', expiresIn: 60 });
    expect(endpoint.reads.map((r) => r.refresh)).toEqual([false, true]);
    expect(new URLSearchParams(endpoint.seen()[1]!.body.toString()).get('client_secret')).toBe('secret-2');
    expect(endpoint.counted()).toBe(2);
  });

  it.each([400, 401])('calls a second %i a permanent IscCredentialsRejected with the trackingId', async (status) => {
    const endpoint = await tokenEndpoint(json(status, { error: 'invalid_client', trackingId: 'trk-7' }));
    await expect(endpoint.run()).rejects.toMatchObject({
      name: 'Permanent.IscCredentialsRejected',
      retryable: false,
      phase: 'token',
      httpStatus: status,
      trackingId: 'trk-7',
      message: `ISC refused the client credentials (${status}, trackingId trk-7): check clientId and clientSecret in the secret.`,
    });
    expect(endpoint.seen()).toHaveLength(2);
  });

  it('leaves the trackingId out of the message when ISC sent none', async () => {
    const endpoint = await tokenEndpoint(json(401, 'Unauthorized'));
    await expect(endpoint.run()).rejects.toMatchObject({
      message: 'ISC refused the client credentials (401): check clientId and clientSecret in the secret.',
      trackingId: undefined,
    });
  });

  it.each([
    [403, 'Permanent.IscForbidden', false],
    [429, 'IscRateLimited', true],
    [503, 'IscServerError', true],
  ])('passes a %i on as %s without re-reading the secret', async (status, name, retryable) => {
    const endpoint = await tokenEndpoint(json(status, { message: 'no' }));
    await expect(endpoint.run()).rejects.toMatchObject({ name, retryable, phase: 'token', httpStatus: status });
    expect(endpoint.reads).toHaveLength(1);
    expect(endpoint.seen()).toHaveLength(1);
  });

  it.each([
    ['a body that is not JSON', json(200, '<html>'), 'ISC answered the token request with a body that is not JSON.'],
    ['no access_token', json(200, { expires_in: 60 }), 'ISC answered the token request without an access_token.'],
    ['an empty access_token', json(200, { access_token: '' }), 'ISC answered the token request without an access_token.'],
    ['a numeric access_token', json(200, { access_token: 5 }), 'ISC answered the token request without an access_token.'],
  ])('calls %s a retryable IscInvalidResponse', async (_case, answer, message) => {
    const endpoint = await tokenEndpoint(answer);
    await expect(endpoint.run()).rejects.toMatchObject({ name: 'IscInvalidResponse', retryable: true, phase: 'token', message });
  });

  it.each([301, 302, 307, 308])('refuses a %i redirect without following it', async (status) => {
    const endpoint = await tokenEndpoint((res) => res.writeHead(status, { location: 'https://elsewhere.example/steal' }).end());
    await expect(endpoint.run()).rejects.toMatchObject({
      name: 'Permanent.IscRedirectRefused',
      httpStatus: status,
      phase: 'token',
      message: `ISC answered ${status} to POST /oauth/token, redirecting to https://elsewhere.example; not followed: the token request carries the client secret and is never redirected; check tokenUrl in the secret.`,
    });
    expect(endpoint.seen()).toHaveLength(1);
  });

  it('calls a dropped connection a retryable IscUnreachable in the token phase', async () => {
    const endpoint = await tokenEndpoint((res) => res.socket?.destroy());
    await expect(endpoint.run()).rejects.toMatchObject({ name: 'IscUnreachable', retryable: true, phase: 'token', attempts: 1 });
  });
});
