import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import got from 'got';
import { afterEach, describe, expect, it } from 'vitest';
import type { Deadline } from '../../../lambda/core/deadline.ts';
import { silentLog } from '../../../lambda/core/log.ts';
import { createIscClient, type ImportSubmission } from '../../../lambda/isc/isc-client.ts';
import { iscPaths } from '../../../lambda/isc/isc-paths.ts';
import { type Handler, type SeenRequest, startServer, type TestServer, tokenAnswer } from '../../support/test-servers.ts';

type Answer = (res: Parameters<Handler>[1], seen: SeenRequest) => void;

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
const deadline = (ms = 20_000, onSleep?: () => Promise<void>): Deadline => {
  const end = Date.now() + ms;
  return { endsAt: () => Date.now() + 60_000, remainingMs: () => end - Date.now(), sleep: async () => (await onSleep?.(), true) };
};

const job = { jobId: 'c'.repeat(32), status: 'NOT_STARTED', type: 'IMPORT' };
const accepted: Answer = (res) => res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify(job));
const options = { includeTypes: ['SOURCE'], objectOptions: { SOURCE: { includedIds: ['s1'], includedNames: [] } } };
/** A backup's bytes, not all ASCII, so a re-encoding would show. */
const document = Buffer.from(
  JSON.stringify({ version: 1, objects: [{ self: { type: 'SOURCE', id: 's1', name: 'Zoë — ✓' }, object: { a: 'x'.repeat(5000) } }] }),
);

async function importApi(answers: Answer[], serverOptions: { early?: boolean } = {}) {
  let n = 0;
  const api = await startServer(
    (req, res, seen) =>
      req.url === '/oauth/token'
        ? tokenAnswer(res, `token-${api.seen.filter((r) => r.url === '/oauth/token').length}`)
        : answers[Math.min(n++, answers.length - 1)]!(res, seen),
    serverOptions,
  );
  servers.push(api);
  return api;
}
function clientFor(baseUrl: () => string, tokenBase: string) {
  return createIscClient({
    http: got,
    credentials: {
      get: async () => ({ baseUrl: baseUrl(), tokenUrl: `${tokenBase}/oauth/token`, tenant: 'acme', clientId: 'i', clientSecret: 's' }),
    },
    log: silentLog,
    random: () => 0,
  });
}
const imports = (api: TestServer) => api.seen.filter((r) => r.url !== '/oauth/token');
function submission(
  chunks: () => Iterable<Buffer> | AsyncIterable<Buffer> = () => [document],
  dataBytes?: number,
): ImportSubmission & { opened: number } {
  const s = {
    opened: 0,
    data: () => {
      s.opened++;
      return Readable.from(chunks());
    },
    dataBytes,
    options,
  };
  return s;
}

/** Parses the multipart body as a server framework would. */
async function parts(seen: SeenRequest) {
  const form = await new Request('http://isc.test/', {
    method: 'POST',
    headers: { 'content-type': String(seen.headers['content-type']) },
    body: new Uint8Array(seen.body),
  }).formData();
  const data = form.get('data') as File;
  return {
    data,
    bytes: Buffer.from(await data.arrayBuffer()),
    options: JSON.parse(String(form.get('options'))) as unknown,
    names: [...form.keys()],
  };
}

describe('IscClient.postImport', () => {
  it.each([
    ['with a Content-Length when the size is known', document.length],
    ['chunked when it is not', undefined],
  ])('sends the data part byte-exact and the options as JSON, %s', async (_how, dataBytes) => {
    const api = await importApi([accepted]);
    const client = clientFor(() => api.url, api.url);
    const answer = await client.postImport(iscPaths('beta').importStart(true), submission(undefined, dataBytes), {
      phase: 'download',
      deadline: deadline(),
    });
    expect(answer).toEqual(job);
    const [sent] = imports(api);
    expect(sent).toMatchObject({ method: 'POST', url: '/beta/sp-config/import?preview=true', complete: true });
    expect(sent!.headers.authorization).toBe('Bearer token-1');
    expect(sent!.headers['content-length']).toBe(dataBytes === undefined ? undefined : String(sent!.body.length));
    const { data, bytes, options: sentOptions, names } = await parts(sent!);
    expect(names).toEqual(['data', 'options']);
    expect(data.name).toBe('backup.json');
    expect(data.type).toBe('application/json');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(createHash('sha256').update(document).digest('hex'));
    expect(sentOptions).toEqual(options);
  });

  it('streams the data: bytes reach ISC before the data has ended', async () => {
    const api = await importApi([accepted]);
    const client = clientFor(() => api.url, api.url);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    async function* big() {
      for (let i = 0; i < 64; i++) yield chunk; // 4 MiB
      // Held back until ISC has most of what came before: a client that buffered the body would never get here.
      const until = Date.now() + 5_000;
      while ((imports(api)[0]?.received ?? 0) < 2 * 1024 * 1024) {
        if (Date.now() > until) throw new Error('the body was not streamed');
        await sleep(10);
      }
      for (let i = 0; i < 64; i++) yield chunk;
    }
    await client.postImport('/beta/sp-config/import', submission(big), { phase: 'download', deadline: deadline() });
    expect((await parts(imports(api)[0]!)).bytes.length).toBe(128 * 64 * 1024);
  });

  it.each([
    ['known', 1024 * 1024 + 10],
    ['unknown', undefined],
  ])(
    'aborts the request when the data fails mid-way (size %s): the error comes back unchanged and ISC never has a complete body',
    async (_size, dataBytes) => {
      const api = await importApi([accepted]);
      const client = clientFor(() => api.url, api.url);
      const mismatch = new Error('sha256 of the backup does not match the manifest');
      async function* failing() {
        for (let i = 0; i < 16; i++) yield Buffer.alloc(64 * 1024, 0x62);
        await sleep(50);
        throw mismatch;
      }
      const error = await client
        .postImport('/beta/sp-config/import', submission(failing, dataBytes), { phase: 'download', deadline: deadline() })
        .catch((e: unknown) => e);
      expect(error).toBe(mismatch);
      await sleep(100);
      expect(imports(api)).toHaveLength(1);
      expect(imports(api)[0]!.complete).toBe(false);
    },
  );

  it('stops a data stream that is longer than announced before its end is sent', async () => {
    const api = await importApi([accepted]);
    const client = clientFor(() => api.url, api.url);
    const error = await client
      .postImport(
        '/beta/sp-config/import',
        submission(() => [document, Buffer.from('extra')], document.length),
        { phase: 'download', deadline: deadline() },
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'Permanent.IscImportDataLength' });
    await sleep(100);
    expect(imports(api).every((r) => !r.complete)).toBe(true);
  });

  it('answers a 5xx with IscImportOutcomeUnknown and never sends the import again', async () => {
    const api = await importApi([
      (res) => res.writeHead(500).end(JSON.stringify({ trackingId: 't-5', messages: [{ text: 'oops' }] })),
      accepted,
    ]);
    const client = clientFor(() => api.url, api.url);
    const error = await client
      .postImport('/beta/sp-config/import', submission(), { phase: 'download', deadline: deadline() })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'Permanent.IscImportOutcomeUnknown', httpStatus: 500, trackingId: 't-5', retryable: false });
    expect(imports(api)).toHaveLength(1);
  });

  it('answers a connection cut after the whole body with IscImportOutcomeUnknown, without sending it again', async () => {
    const api = await importApi([(res) => res.socket?.destroy(), accepted]);
    const client = clientFor(() => api.url, api.url);
    await expect(
      client.postImport('/beta/sp-config/import', submission(), { phase: 'download', deadline: deadline() }),
    ).rejects.toMatchObject({ name: 'Permanent.IscImportOutcomeUnknown' });
    expect(imports(api)).toHaveLength(1);
  });

  it('reports a connection cut before the body was complete as such (ISC cannot have acted), without sending it again', async () => {
    const api = await importApi(
      [
        (res, seen) => {
          const cut = setInterval(() => {
            if (seen.received > 256 * 1024) {
              clearInterval(cut);
              res.socket?.destroy();
            }
          }, 5);
        },
      ],
      { early: true },
    );
    const client = clientFor(() => api.url, api.url);
    async function* slow() {
      for (let i = 0; i < 200; i++) {
        yield Buffer.alloc(64 * 1024, 0x63);
        await sleep(2);
      }
    }
    const error = await client
      .postImport('/beta/sp-config/import', submission(slow), { phase: 'download', deadline: deadline() })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'IscUnreachable', retryable: true });
    expect(imports(api)).toHaveLength(1);
  });

  it('sends it again after a 429 with Retry-After, with a fresh data stream', async () => {
    const api = await importApi([(res) => res.writeHead(429, { 'retry-after': '0' }).end('{"message":" Rate Limit Exceeded "}'), accepted]);
    const client = clientFor(() => api.url, api.url);
    const data = submission();
    expect(await client.postImport('/beta/sp-config/import', data, { phase: 'download', deadline: deadline() })).toEqual(job);
    expect(data.opened).toBe(2);
    expect(imports(api)).toHaveLength(2);
    expect((await parts(imports(api)[1]!)).bytes).toEqual(document);
  });

  it('does not send it again after a 429 without Retry-After', async () => {
    const api = await importApi([(res) => res.writeHead(429).end('{}'), accepted]);
    const client = clientFor(() => api.url, api.url);
    await expect(
      client.postImport('/beta/sp-config/import', submission(), { phase: 'download', deadline: deadline() }),
    ).rejects.toMatchObject({ name: 'IscRateLimited' });
    expect(imports(api)).toHaveLength(1);
  });

  it('gets one fresh token after a 401, and stops at a second', async () => {
    const api = await importApi([(res) => res.writeHead(401).end('{"error":"JWT is expired"}')]);
    const client = clientFor(() => api.url, api.url);
    const data = submission();
    await expect(client.postImport('/beta/sp-config/import', data, { phase: 'download', deadline: deadline() })).rejects.toMatchObject({
      name: 'Permanent.IscUnauthorized',
    });
    expect(imports(api).map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(data.opened).toBe(2);
  });

  it('sends it again when the connection was refused (nothing was sent)', async () => {
    const api = await importApi([accepted]);
    // A port that refuses at first, then ISC listens there during the back-off.
    const closed: Server = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    let target = `http://127.0.0.1:${port}`;
    const client = clientFor(() => target, api.url);
    const answer = await client.postImport('/beta/sp-config/import', submission(), {
      phase: 'download',
      deadline: deadline(20_000, async () => {
        target = api.url;
      }),
    });
    expect(answer).toEqual(job);
    expect(imports(api)).toHaveLength(1);
  });
});
