import { afterEach, describe, expect, it } from 'vitest';
import { answer, instantDeadline, type ScriptedIsc, scriptedIsc } from '../../support/scripted-isc.ts';

const STATUS = '/beta/sp-config/import/j1';
const EXPORT = '/beta/sp-config/export';
/** The largest JSON answer the client holds (16 MiB): a status document is far smaller. */
const LIMIT = 16 * 1024 * 1024;
const ctx = () => ({ phase: 'status' as const, jobId: 'j1', deadline: instantDeadline() });

let isc: ScriptedIsc | undefined;
afterEach(async () => {
  await isc?.api.close();
  isc = undefined;
});

/** A JSON string document of exactly `bytes` bytes. */
const jsonOf = (bytes: number) => `"${'a'.repeat(bytes - 2)}"`;

describe('a JSON answer to a GET', () => {
  it('is read whole up to 16 MiB; one byte more is a permanent IscInvalidBody, asked once', async () => {
    isc = await scriptedIsc([answer(200, jsonOf(LIMIT)), answer(200, jsonOf(LIMIT + 1))]);
    expect(((await isc.client.getJson(STATUS, ctx())) as string).length).toBe(LIMIT - 2);
    const error = await isc.client.getJson(STATUS, ctx()).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'Permanent.IscInvalidBody',
      code: 'IscInvalidBody',
      retryable: false,
      phase: 'status',
      jobId: 'j1',
    });
    expect(isc.calls()).toHaveLength(2);
  });

  it('is asked for again when it is not JSON (a proxy page, a body cut short)', async () => {
    isc = await scriptedIsc([answer(200, '<html>busy</html>'), answer(200, { status: 'COMPLETE' })]);
    const deadline = instantDeadline();
    expect(await isc.client.getJson(STATUS, { phase: 'status', deadline })).toEqual({ status: 'COMPLETE' });
    expect(isc.calls()).toHaveLength(2);
    expect(deadline.slept).toHaveLength(1);
  });

  it('that is never JSON ends as a retryable IscInvalidBody once the attempts are spent', async () => {
    isc = await scriptedIsc([answer(200, '{"status":')]);
    const error = await isc.client.getJson(STATUS, ctx()).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'IscInvalidBody', code: 'IscInvalidBody', retryable: true, phase: 'status', jobId: 'j1' });
    expect(isc.calls()).toHaveLength(6);
  });

  it('is asked for with Accept: application/json', async () => {
    isc = await scriptedIsc([answer(200, {})]);
    await isc.client.getJson(STATUS, ctx());
    expect(isc.calls()[0]!.headers.accept).toBe('application/json');
  });
});

describe('a GET answered with an error status', () => {
  it('404 is IscNotFound with ISC trackingId, not retried', async () => {
    isc = await scriptedIsc([answer(404, { detailCode: '404 Not found', trackingId: 't-404', messages: [{ text: 'gone' }] })]);
    const error = await isc.client.getJson(STATUS, ctx()).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'Permanent.IscNotFound', httpStatus: 404, trackingId: 't-404', detailCode: '404 Not found' });
    expect(isc.calls()).toHaveLength(1);
  });

  it('300 (not a redirect it follows) is a permanent client error, not an empty document', async () => {
    isc = await scriptedIsc([answer(300, { trackingId: 't-300' })]);
    const error = await isc.client.getJson(STATUS, ctx()).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'Permanent.IscClientError', httpStatus: 300, trackingId: 't-300' });
    expect(isc.calls()).toHaveLength(1);
  });
});

describe('the answer to a JSON POST', () => {
  const post = () =>
    isc!.client.postJson(EXPORT, { includeTypes: ['RULE'] }, { phase: 'download', jobId: 'x', deadline: instantDeadline() });

  it('200 carries the job as 202 does, asked for with Accept: application/json', async () => {
    isc = await scriptedIsc([answer(200, { jobId: 'e1' })]);
    expect(await post()).toEqual({ jobId: 'e1' });
    expect(isc.calls()[0]!.headers.accept).toBe('application/json');
  });

  it('a 2xx that is not JSON is sent again (starting an export twice is harmless)', async () => {
    isc = await scriptedIsc([answer(202, 'accepted'), answer(202, { jobId: 'e1' })]);
    expect(await post()).toEqual({ jobId: 'e1' });
    expect(isc.calls()).toHaveLength(2);
  });

  it('a 2xx that is never JSON ends as a retryable IscInvalidBody', async () => {
    isc = await scriptedIsc([answer(202, 'accepted')]);
    await expect(post()).rejects.toMatchObject({ name: 'IscInvalidBody', retryable: true, phase: 'download', jobId: 'x' });
    expect(isc.calls()).toHaveLength(6);
  });

  it('300 is a redirect refused, and 400 a bad request: neither is sent again', async () => {
    isc = await scriptedIsc([answer(300, {}, { location: '/elsewhere' }), answer(400, { trackingId: 't-400' })]);
    await expect(post()).rejects.toMatchObject({ name: 'Permanent.IscRedirectRefused', httpStatus: 300 });
    await expect(post()).rejects.toMatchObject({ name: 'Permanent.IscBadRequest', httpStatus: 400, trackingId: 't-400' });
    expect(isc.calls().map((r) => r.url)).toEqual([EXPORT, EXPORT]);
  });
});
