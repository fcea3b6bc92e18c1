import got from 'got';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLog } from '../../../lambda/core/log.ts';
import { createIscClient } from '../../../lambda/isc/isc-client.ts';
import { iscPaths } from '../../../lambda/isc/isc-paths.ts';
import { type Handler, startServer, type TestServer, tokenAnswer } from '../../support/test-servers.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
const deadline = () => {
  const end = Date.now() + 20_000;
  return { endsAt: () => Date.now() + 60_000, remainingMs: () => end - Date.now(), sleep: async () => true };
};
const payload = {
  description: 'after-state',
  includeTypes: ['SOURCE'],
  objectOptions: { SOURCE: { includedIds: ['s1'], includedNames: [] } },
};
const job = { jobId: 'b'.repeat(32), status: 'NOT_STARTED', type: 'EXPORT' };

async function exportApi(answers: ((res: Parameters<Handler>[1]) => void)[]) {
  let n = 0;
  const api = await startServer((req, res) =>
    req.url === '/oauth/token' ? tokenAnswer(res) : answers[Math.min(n++, answers.length - 1)]!(res),
  );
  servers.push(api);
  const client = createIscClient({
    http: got,
    credentials: {
      get: async () => ({ baseUrl: api.url, tokenUrl: `${api.url}/oauth/token`, tenant: 'acme', clientId: 'i', clientSecret: 's' }),
    },
    log: silentLog,
    random: () => 0,
  });
  const posts = () => api.seen.filter((r) => r.url !== '/oauth/token');
  return { client, posts };
}
const accepted = (res: Parameters<Handler>[1]) => res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify(job));

describe('IscClient.postJson (starting an export)', () => {
  it('POSTs the payload as JSON with the token and answers the job ISC accepted', async () => {
    const { client, posts } = await exportApi([accepted]);
    const path = iscPaths('v2025').exportStart();
    expect(await client.postJson(path, payload, { phase: 'download', deadline: deadline() })).toEqual(job);
    expect(posts()).toHaveLength(1);
    expect(posts()[0]).toMatchObject({ method: 'POST', url: '/v2025/sp-config/export' });
    expect(posts()[0]!.headers).toMatchObject({ authorization: 'Bearer token-1', 'content-type': 'application/json' });
    expect(JSON.parse(posts()[0]!.body.toString())).toEqual(payload);
  });

  it.each([
    ['a 503', (res: Parameters<Handler>[1]) => res.writeHead(503).end('{"message":"busy"}')],
    [
      'a 429 with Retry-After',
      (res: Parameters<Handler>[1]) => res.writeHead(429, { 'retry-after': '0' }).end('{"message":" Rate Limit Exceeded "}'),
    ],
    ['a reset connection', (res: Parameters<Handler>[1]) => res.socket?.destroy()],
  ])('sends it again after %s: a duplicate export is harmless', async (_what, first) => {
    const { client, posts } = await exportApi([first, accepted]);
    expect(await client.postJson('/beta/sp-config/export', payload, { phase: 'download', deadline: deadline() })).toEqual(job);
    expect(posts()).toHaveLength(2);
  });

  it('does not retry a 403 and says what ISC said', async () => {
    const { client, posts } = await exportApi([
      (res) =>
        res
          .writeHead(403)
          .end(JSON.stringify({ detailCode: '403 Forbidden', trackingId: 't-1', messages: [{ text: 'missing sp:config:read' }] })),
    ]);
    await expect(client.postJson('/beta/sp-config/export', payload, { phase: 'download', deadline: deadline() })).rejects.toMatchObject({
      name: 'Permanent.IscForbidden',
      trackingId: 't-1',
    });
    expect(posts()).toHaveLength(1);
  });

  it('never follows a redirect of a POST', async () => {
    const elsewhere = await startServer((_req, res) => accepted(res));
    servers.push(elsewhere);
    const { client } = await exportApi([(res) => res.writeHead(307, { location: `${elsewhere.url}/export` }).end()]);
    await expect(client.postJson('/beta/sp-config/export', payload, { phase: 'download', deadline: deadline() })).rejects.toMatchObject({
      name: 'Permanent.IscRedirectRefused',
    });
    expect(elsewhere.seen).toHaveLength(0);
  });
});
