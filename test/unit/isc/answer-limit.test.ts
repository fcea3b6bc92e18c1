import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLog } from '../../../lambda/core/log.ts';
import { createIscClient } from '../../../lambda/isc/isc-client.ts';
import { createIscHttp } from '../../../lambda/isc/isc-http.ts';
import { startServer, type TestServer, tokenAnswer } from '../../support/test-servers.ts';

// Answers read whole (the token, an export start, an accepted import) stop at a limit; streamed
// documents do not. The limit here is 1 MiB so the test stays quick; the function's is 16 MiB.

const LIMIT = 1024 * 1024;
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
const deadline = (ms: number) => {
  const end = Date.now() + ms;
  return { endsAt: () => end, remainingMs: () => end - Date.now(), sleep: async () => true };
};

/** A 200 JSON string of `mb` MiB, sent as fast as the client reads; counts what was written. */
function large(res: ServerResponse, mb: number, sent: { bytes: number }) {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  res.write('"');
  const pump = () => {
    while (sent.bytes < mb * LIMIT) {
      sent.bytes += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end('"');
  };
  res.on('error', () => {});
  pump();
}

async function client(answer: (req: { method: string; url: string }, res: ServerResponse) => void) {
  const api = await startServer((req, res) => answer({ method: req.method!, url: req.url! }, res));
  servers.push(api);
  return createIscClient({
    http: createIscHttp('test', LIMIT),
    credentials: {
      get: async () => ({ baseUrl: api.url, tokenUrl: `${api.url}/oauth/token`, tenant: 'acme', clientId: 'i', clientSecret: 's' }),
    },
    log: silentLog,
    random: () => 0,
  });
}

describe('answers read whole are bounded', () => {
  it('refuses an export-start answer past the limit as permanent, without reading it all', async () => {
    const sent = { bytes: 0 };
    const isc = await client((req, res) => (req.url === '/oauth/token' ? tokenAnswer(res) : large(res, 64, sent)));
    const ctx = { phase: 'changes' as const, jobId: 'j', deadline: deadline(30_000) };
    await expect(isc.postJson('/beta/sp-config/export', { includeTypes: ['SOURCE'] }, ctx)).rejects.toMatchObject({
      code: 'IscInvalidBody',
      retryable: false,
      message: expect.stringContaining(`more than ${LIMIT} bytes`) as unknown,
    });
    expect(sent.bytes).toBeLessThan(16 * LIMIT);
  });

  it('refuses a token answer past the limit instead of holding it', async () => {
    const sent = { bytes: 0 };
    const isc = await client((req, res) => (req.url === '/oauth/token' ? large(res, 64, sent) : res.writeHead(500).end()));
    const ctx = { phase: 'status' as const, jobId: 'j', deadline: deadline(30_000) };
    await expect(isc.getJson('/beta/sp-config/import/j', ctx)).rejects.toMatchObject({ code: 'IscInvalidBody', retryable: false });
    expect(sent.bytes).toBeLessThan(16 * LIMIT);
  });

  it('leaves streamed documents alone: a download larger than the limit arrives whole', async () => {
    const sent = { bytes: 0 };
    const isc = await client((req, res) => (req.url === '/oauth/token' ? tokenAnswer(res) : large(res, 3, sent)));
    const ctx = { phase: 'download' as const, jobId: 'j', deadline: deadline(30_000) };
    const bytes = await isc.download('/beta/sp-config/import/j/download', ctx, async (body) => {
      let n = 0;
      for await (const chunk of body) n += (chunk as Buffer).length;
      return n;
    });
    expect(bytes).toBe(3 * LIMIT + 2);
  });
});
