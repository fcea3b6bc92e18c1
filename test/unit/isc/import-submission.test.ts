import { Readable } from 'node:stream';
import got from 'got';
import { afterEach, describe, expect, it } from 'vitest';
import type { Deadline } from '../../../lambda/core/deadline.ts';
import type { Log } from '../../../lambda/core/log.ts';
import { silentLog } from '../../../lambda/core/log.ts';
import { createIscClient } from '../../../lambda/isc/isc-client.ts';
import { type Handler, startServer, type TestServer, tokenAnswer } from '../../support/test-servers.ts';

type Answer = Parameters<Handler>[1];
const PATH = '/beta/sp-config/import';
const JOB = { jobId: 'c'.repeat(32), status: 'NOT_STARTED' };
const UNKNOWN_TAIL = "; it is not sent again: check ISC's import jobs before submitting it again.";

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const deadline = (): Deadline => {
  const end = Date.now() + 20_000;
  return { endsAt: () => Date.now() + 60_000, remainingMs: () => end - Date.now(), sleep: async () => true };
};

async function importApi(...answers: ((res: Answer) => void)[]) {
  let n = 0;
  const api = await startServer((req, res) =>
    req.url === '/oauth/token' ? tokenAnswer(res) : answers[Math.min(n++, answers.length - 1)]!(res),
  );
  servers.push(api);
  const warnings: [string, Record<string, unknown> | undefined][] = [];
  const log: Log = { ...silentLog, warn: (message: string, fields?: Record<string, unknown>) => warnings.push([message, fields]) };
  const client = createIscClient({
    http: got,
    credentials: {
      get: async () => ({ baseUrl: api.url, tokenUrl: `${api.url}/oauth/token`, tenant: 'acme', clientId: 'i', clientSecret: 's' }),
    },
    log,
    random: () => 0,
  });
  const submit = (fileName?: string) =>
    client.postImport(
      PATH,
      { data: () => Readable.from([Buffer.from('{"version":1,"objects":[]}')]), options: { includeTypes: ['RULE'] }, fileName },
      { phase: 'restore', jobId: 'j1', deadline: deadline() },
    );
  return { submit, warnings, imports: () => api.seen.filter((r) => r.url !== '/oauth/token') };
}

describe('submitting an import', () => {
  it('takes any 2xx as accepted, and names the data part as asked', async () => {
    const api = await importApi((res) => res.writeHead(201).end(JSON.stringify(JOB)));
    await expect(api.submit('restore-of-x.json')).resolves.toEqual(JOB);
    const [sent] = api.imports();
    const form = await new Request('http://isc.test/', {
      method: 'POST',
      headers: { 'content-type': String(sent!.headers['content-type']) },
      body: new Uint8Array(sent!.body),
    }).formData();
    expect((form.get('data') as File).name).toBe('restore-of-x.json');
    expect(JSON.parse(String(form.get('options')))).toEqual({ includeTypes: ['RULE'] });
    expect(sent!.headers.accept).toBe('application/json');
  });

  it('calls an acceptance that is not JSON an unknown outcome, and does not send it again', async () => {
    const api = await importApi((res) => res.writeHead(202).end('accepted!'));
    await expect(api.submit()).rejects.toMatchObject({
      name: 'Permanent.IscImportOutcomeUnknown',
      phase: 'restore',
      jobId: 'j1',
      retryable: false,
      message: `The import POST ${PATH} may have reached ISC, but ISC accepted it with an answer that is not JSON${UNKNOWN_TAIL}`,
    });
    expect(api.imports()).toHaveLength(1);
  });

  it('names the 5xx status in the unknown outcome', async () => {
    const api = await importApi((res) => res.writeHead(503).end(JSON.stringify({ trackingId: 't-9' })));
    await expect(api.submit()).rejects.toMatchObject({
      name: 'Permanent.IscImportOutcomeUnknown',
      httpStatus: 503,
      trackingId: 't-9',
      message: `The import POST ${PATH} may have reached ISC, but ISC answered 503${UNKNOWN_TAIL}`,
    });
  });

  it('never follows a redirect of the import', async () => {
    const api = await importApi((res) => res.writeHead(307, { location: 'https://other.example/import' }).end());
    await expect(api.submit()).rejects.toMatchObject({
      name: 'Permanent.IscRedirectRefused',
      httpStatus: 307,
      phase: 'restore',
      jobId: 'j1',
      message: `ISC answered 307 to POST ${PATH}, redirecting to https://other.example; not followed: an import is never re-sent elsewhere.`,
    });
    expect(api.imports()).toHaveLength(1);
  });

  it('passes a 4xx on as it is, after one attempt', async () => {
    const api = await importApi((res) => res.writeHead(403).end('{"messages":[{"text":"no access"}]}'));
    await expect(api.submit()).rejects.toMatchObject({ name: 'Permanent.IscForbidden', httpStatus: 403, attempts: 1, phase: 'restore' });
    expect(api.imports()).toHaveLength(1);
    expect(api.warnings).toEqual([]);
  });

  it('does not wait out a Retry-After longer than it honours', async () => {
    const api = await importApi((res) => res.writeHead(429, { 'retry-after': '60' }).end('{}'));
    await expect(api.submit()).rejects.toMatchObject({ name: 'IscRateLimited', retryable: true, attempts: 1 });
    expect(api.imports()).toHaveLength(1);
  });

  it('logs each new attempt after a 429 with what ISC answered', async () => {
    const api = await importApi(
      (res) => res.writeHead(429, { 'retry-after': '0' }).end('{}'),
      (res) => res.writeHead(202).end(JSON.stringify(JOB)),
    );
    await expect(api.submit()).resolves.toEqual(JOB);
    expect(api.warnings).toEqual([
      [
        'ISC did not take the import; sending it again',
        { jobId: 'j1', path: PATH, attempt: 1, delayMs: 0, httpStatus: 429, code: 'IscRateLimited' },
      ],
    ]);
  });
});
