import { setTimeout as sleep } from 'node:timers/promises';
import got from 'got';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLog } from '../../../lambda/core/log.ts';
import { createIscClient } from '../../../lambda/isc/isc-client.ts';
import { iscUrl } from '../../../lambda/isc/redirects.ts';
import { instantDeadline } from '../../support/scripted-isc.ts';
import { type Handler, selfSignedCertificate, startServer, type TestServer, tokenAnswer } from '../../support/test-servers.ts';

const tls = selfSignedCertificate();
const http = got.extend({ https: { certificateAuthority: tls.cert } });
const ctx = () => ({ phase: 'download' as const, jobId: 'j1', deadline: instantDeadline() });

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** An ISC over https that answers the token request and hands the rest to `rest`. */
async function httpsIsc(rest: Handler) {
  const api = await startServer((req, res, seen) => (req.url === '/oauth/token' ? tokenAnswer(res) : rest(req, res, seen)), { tls });
  servers.push(api);
  const client = createIscClient({
    http,
    credentials: {
      get: async () => ({ baseUrl: api.url, tokenUrl: `${api.url}/oauth/token`, tenant: 'acme', clientId: 'i', clientSecret: 's' }),
    },
    log: silentLog,
    random: () => 0,
  });
  return { client, calls: () => api.seen.filter((r) => r.url !== '/oauth/token').map((r) => r.url) };
}

describe('a redirect an ISC GET does not follow', () => {
  it.each([
    ['names no target', {}],
    ['names a target that is not a URL', { location: 'https://[not-a-host' }],
  ])('%s: permanent IscRedirectRefused, and nothing else is asked', async (_what, headers) => {
    const isc = await httpsIsc((_req, res) => res.writeHead(302, headers).end());
    const error = await isc.client.getJson('/beta/sp-config/import/j1', ctx()).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'Permanent.IscRedirectRefused', httpStatus: 302, phase: 'download', jobId: 'j1' });
    expect(isc.calls()).toEqual(['/beta/sp-config/import/j1']);
  });

  it('past the fifth hop: permanent IscTooManyRedirects with the status and the job', async () => {
    const isc = await httpsIsc((req, res) => res.writeHead(307, { location: `${req.url}x` }).end());
    const error = await isc.client.getJson('/loop', ctx()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'IscTooManyRedirects', retryable: false, httpStatus: 307, phase: 'download', jobId: 'j1' });
  });

  it('has its body dropped with its connection, not left half read', async () => {
    let closed: { finished: boolean } | undefined;
    const isc = await httpsIsc((_req, res) => {
      res.writeHead(302, { location: 'http://127.0.0.1:9/plain' });
      res.on('close', () => {
        closed = { finished: res.writableFinished };
      });
      // A redirect whose body never ends: only the client can close it.
      const timer = setInterval(() => res.write(Buffer.alloc(16 * 1024, 0x20)), 5);
      res.on('close', () => clearInterval(timer));
    });
    await expect(isc.client.getJson('/beta/sp-config/import/j1', ctx())).rejects.toMatchObject({ code: 'IscRedirectRefused' });
    for (let i = 0; i < 200 && closed === undefined; i++) await sleep(5);
    expect(closed).toEqual({ finished: false });
  });
});

describe('iscUrl', () => {
  it.each([
    ['https://acme.api.identitynow.com', '/beta/sp-config/import', 'https://acme.api.identitynow.com/beta/sp-config/import'],
    ['https://acme.api.identitynow.com/', 'beta/sp-config/import', 'https://acme.api.identitynow.com/beta/sp-config/import'],
    ['https://proxy.example/isc//', '//v2025/sp-config/export', 'https://proxy.example/isc/v2025/sp-config/export'],
  ])('joins %s and %s with one slash, keeping every slash inside the path', (base, path, url) => {
    expect(iscUrl(base, path).href).toBe(url);
  });
});
