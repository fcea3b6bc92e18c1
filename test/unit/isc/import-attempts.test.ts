import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import got from 'got';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../lambda/core/errors.ts';
import { silentLog } from '../../../lambda/core/log.ts';
import { createIscClient, type ImportSubmission } from '../../../lambda/isc/isc-client.ts';
import { answer, instantDeadline, type ScriptedIsc, scriptedIsc } from '../../support/scripted-isc.ts';
import { startServer, type TestServer, tokenAnswer } from '../../support/test-servers.ts';

const PATH = '/beta/sp-config/import';
const JOB = { jobId: 'c'.repeat(32), status: 'NOT_STARTED' };
const DATA = Buffer.from('{"version":1,"objects":[]}');
const submission = (): ImportSubmission => ({
  data: () => Readable.from([DATA]),
  dataBytes: DATA.length,
  options: { includeTypes: ['RULE'] },
});

let isc: ScriptedIsc | undefined;
const servers: TestServer[] = [];
afterEach(async () => {
  await isc?.api.close();
  isc = undefined;
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const submit = (deadline = instantDeadline()) => isc!.client.postImport(PATH, submission(), { phase: 'restore', jobId: 'j1', deadline });

describe('which answers an import takes as accepted', () => {
  it.each([200, 202])('%i, with the job ISC answered; the token and the import are counted as requests', async (status) => {
    isc = await scriptedIsc([answer(status, JOB)]);
    expect(await submit()).toEqual(JOB);
    expect(isc.client.requestCount()).toBe(2);
  });

  it.each([
    [300, 'Permanent.IscRedirectRefused'],
    [400, 'Permanent.IscBadRequest'],
  ])('not %i: %s, sent once', async (status, name) => {
    isc = await scriptedIsc([answer(status, {}, { location: 'https://elsewhere.example/import' })]);
    await expect(submit()).rejects.toMatchObject({ name, httpStatus: status, phase: 'restore', jobId: 'j1' });
    expect(isc.calls()).toHaveLength(1);
  });
});

describe('when an import is sent again', () => {
  it('after 429s with Retry-After, six times in all, then the last 429 with its attempt count', async () => {
    isc = await scriptedIsc([answer(429, {}, { 'retry-after': '0' })]);
    const deadline = instantDeadline(2_000);
    await expect(submit(deadline)).rejects.toMatchObject({ name: 'IscRateLimited', retryable: true, attempts: 6 });
    expect(isc.calls()).toHaveLength(6);
    expect(deadline.slept).toHaveLength(5);
  });

  it('never for another refusal that carries a Retry-After', async () => {
    isc = await scriptedIsc([answer(403, {}, { 'retry-after': '0' }), answer(202, JOB)]);
    await expect(submit()).rejects.toMatchObject({ name: 'Permanent.IscForbidden', attempts: 1 });
    expect(isc.calls()).toHaveLength(1);
  });

  it('once after a 401, with a fresh token; a second 401 is the first attempt failing', async () => {
    isc = await scriptedIsc([answer(401, { error: 'JWT is expired' })]);
    await expect(submit(instantDeadline(2_000))).rejects.toMatchObject({ name: 'Permanent.IscUnauthorized', attempts: 1 });
    expect(isc.calls().map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });
});

describe('an import that cannot start', () => {
  it('stops at a credential read that fails, with its error, sending nothing', async () => {
    const broken = new ConfigurationError('The ISC credentials in secret isc/creds lack "clientId".', 'secret');
    isc = await scriptedIsc([answer(202, JOB)], async () => {
      throw broken;
    });
    await expect(submit()).rejects.toBe(broken);
    expect(isc.api.seen).toHaveLength(0);
  });

  it('sends nothing when the token took the time that was left', async () => {
    isc = await scriptedIsc([answer(202, JOB)]);
    let n = 0;
    const deadline = instantDeadline(5_000, () => (n++ === 0 ? 5_000 : 0));
    await expect(submit(deadline)).rejects.toMatchObject({ code: 'TimeBudgetExhausted', phase: 'restore', jobId: 'j1' });
    expect(isc.calls()).toHaveLength(0);
  });

  it('ends a slow read of the base URL at the deadline', async () => {
    let reads = 0;
    isc = await scriptedIsc([answer(202, JOB)], async (read, options) => {
      if (++reads > 1) await sleep(2_000, undefined, { signal: options?.signal });
      return read();
    });
    const started = Date.now();
    await expect(submit(instantDeadline(100))).rejects.toMatchObject({ code: 'TimeBudgetExhausted' });
    expect(Date.now() - started).toBeLessThan(1_200);
    expect(isc.calls()).toHaveLength(0);
  });
});

describe('an import ISC answers before reading it', () => {
  it('stops reading the data: the backup stream is closed', async () => {
    const api = await startServer((req, res) => (req.url === '/oauth/token' ? tokenAnswer(res) : res.writeHead(403).end('{}')), {
      early: true,
    });
    servers.push(api);
    const client = createIscClient({
      http: got,
      credentials: {
        get: async () => ({ baseUrl: api.url, tokenUrl: `${api.url}/oauth/token`, tenant: 'acme', clientId: 'i', clientSecret: 's' }),
      },
      log: silentLog,
      random: () => 0,
    });
    let data: Readable | undefined;
    async function* endless() {
      for (;;) {
        yield Buffer.alloc(64 * 1024, 0x61);
        await sleep(1);
      }
    }
    const error = await client
      .postImport(
        PATH,
        { data: () => (data = Readable.from(endless())), options: {} },
        { phase: 'restore', deadline: instantDeadline(3_000) },
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'Permanent.IscForbidden' });
    for (let i = 0; i < 200 && !data!.destroyed; i++) await sleep(5);
    expect(data!.destroyed).toBe(true);
  });
});
