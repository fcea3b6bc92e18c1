import type { Readable } from 'node:stream';
import got from 'got';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLog } from '../../../lambda/core/log.ts';
import { createIscClient } from '../../../lambda/isc/isc-client.ts';
import type { CredentialSource } from '../../../lambda/isc/secret-source.ts';
import { selfSignedCertificate, startServer, type TestServer, tokenAnswer } from '../../support/test-servers.ts';

const deadline = (ms = 20_000) => {
  const end = Date.now() + ms;
  return {
    endsAt: () => Date.now() + 60_000,
    remainingMs: () => end - Date.now(),
    sleep: async (d: number) => (await new Promise((r) => setTimeout(r, d)), true),
  };
};
const ctx = () => ({ phase: 'download' as const, jobId: 'j', deadline: deadline() });
const tls = selfSignedCertificate();
// The test's got trusts the test certificate, as the Lambda's trusts the public CAs.
const http = got.extend({ https: { certificateAuthority: tls.cert } });

const credentials = (baseUrl: string, tokenUrl = `${baseUrl}/oauth/token`): CredentialSource => ({
  get: async () => ({ baseUrl, tokenUrl, tenant: 'acme', clientId: 'id', clientSecret: 'the-client-secret' }),
});

const servers: TestServer[] = [];
async function server(...args: Parameters<typeof startServer>) {
  const started = await startServer(...args);
  servers.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** An ISC stand-in: answers the token request, and hands every other request to `rest`. */
function isc(rest: Parameters<typeof startServer>[0]): Parameters<typeof startServer>[0] {
  return (req, res, seen) => (req.url === '/oauth/token' ? tokenAnswer(res) : rest(req, res, seen));
}

describe('redirects', () => {
  it('never follows a redirect of the token request: the other host receives nothing', async () => {
    const elsewhere = await server((_req, res) => tokenAnswer(res));
    const tokens = await server((_req, res) => res.writeHead(307, { location: `${elsewhere.url}/steal` }).end());
    const api = await server((_req, res) => res.writeHead(200).end('{}'));
    const client = createIscClient({ http, credentials: credentials(api.url, `${tokens.url}/oauth/token`), log: silentLog });

    const error = await client.getJson('/beta/sp-config/import/x', ctx()).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'Permanent.IscRedirectRefused', httpStatus: 307, phase: 'token' });
    expect(String((error as Error).message)).not.toContain('the-client-secret');
    expect(tokens.seen).toHaveLength(1);
    expect(elsewhere.seen).toHaveLength(0);
    expect(api.seen).toHaveLength(0);
  });

  it('refuses a download redirected to a plain-http host: named error, nothing consumed, nothing sent there', async () => {
    const plain = await server((_req, res) => res.writeHead(200).end('{"results":{}}'));
    const api = await server(isc((_req, res) => res.writeHead(302, { location: `${plain.url}/results.json` }).end()));
    const client = createIscClient({ http, credentials: credentials(api.url), log: silentLog });
    let consumed = 0;

    const error = await client
      .download('/beta/sp-config/import/x/download', ctx(), async (body) => {
        consumed++;
        return readAll(body);
      })
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'Permanent.IscRedirectRefused', code: 'IscRedirectRefused', httpStatus: 302 });
    expect((error as Error).message).toContain(plain.url);
    expect(consumed).toBe(0);
    expect(plain.seen).toHaveLength(0);
    // Not retried: the same redirect would come back.
    expect(api.seen.filter((r) => r.url !== '/oauth/token')).toHaveLength(1);
  });

  it('refuses a redirect to http even on the same loopback origin as a configured http base', async () => {
    const api = await server(
      isc((req, res) => (req.url === '/moved' ? res.writeHead(200).end('{}') : res.writeHead(301, { location: '/moved' }).end())),
    );
    const client = createIscClient({ http, credentials: credentials(api.url), log: silentLog });
    await expect(client.getJson('/beta/sp-config/import/x', ctx())).rejects.toMatchObject({ code: 'IscRedirectRefused' });
    expect(api.seen.map((r) => r.url)).not.toContain('/moved');
  });

  it('follows a redirect to https on another origin without the Authorization header', async () => {
    const storage = await server(
      (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"results":{"SOURCE":{}}}'),
      { tls },
    );
    const api = await server(
      isc((_req, res) => res.writeHead(302, { location: `${storage.url}/bucket/results.json?sig=abc` }).end()),
      { tls },
    );
    const client = createIscClient({ http, credentials: credentials(api.url), log: silentLog });

    const body = await client.download('/beta/sp-config/import/x/download', ctx(), readAll);

    expect(body.toString()).toBe('{"results":{"SOURCE":{}}}');
    expect(api.seen.find((r) => r.url.startsWith('/beta'))!.headers.authorization).toBe('Bearer token-1');
    expect(storage.seen).toHaveLength(1);
    expect(storage.seen[0]!.url).toBe('/bucket/results.json?sig=abc');
    expect(storage.seen[0]!.headers.authorization).toBeUndefined();
  });

  it('keeps the Authorization header on a same-origin redirect', async () => {
    const api = await server(
      isc((req, res) =>
        req.url === '/v2/status' ? res.writeHead(200).end('{"status":"COMPLETE"}') : res.writeHead(308, { location: '/v2/status' }).end(),
      ),
      { tls },
    );
    const client = createIscClient({ http, credentials: credentials(api.url), log: silentLog });

    expect(await client.getJson('/beta/sp-config/import/x', ctx())).toEqual({ status: 'COMPLETE' });
    expect(api.seen.filter((r) => r.url !== '/oauth/token').map((r) => [r.url, r.headers.authorization])).toEqual([
      ['/beta/sp-config/import/x', 'Bearer token-1'],
      ['/v2/status', 'Bearer token-1'],
    ]);
  });

  it('never sends the token again once a hop has left the configured origin, even back to it', async () => {
    let api!: TestServer;
    const other = await server((_req, res) => res.writeHead(302, { location: `${api.url}/back` }).end(), { tls });
    api = await server(
      isc((req, res) => (req.url === '/back' ? res.writeHead(200).end('{}') : res.writeHead(302, { location: `${other.url}/away` }).end())),
      { tls },
    );
    const client = createIscClient({ http, credentials: credentials(api.url), log: silentLog });

    await client.getJson('/beta/sp-config/import/x', ctx());
    expect(other.seen[0]!.headers.authorization).toBeUndefined();
    expect(api.seen.find((r) => r.url === '/back')!.headers.authorization).toBeUndefined();
  });

  it('stops after a few hops', async () => {
    const api = await server(
      isc((req, res) => res.writeHead(302, { location: `${req.url}x` }).end()),
      { tls },
    );
    const client = createIscClient({ http, credentials: credentials(api.url), log: silentLog });
    await expect(client.getJson('/loop', ctx())).rejects.toMatchObject({ name: 'Permanent.IscTooManyRedirects' });
    expect(api.seen.filter((r) => r.url.startsWith('/loop'))).toHaveLength(6);
  });
});
