import { afterEach, describe, expect, it } from 'vitest';
import { answer, instantDeadline, type ScriptedIsc, scriptedIsc } from '../../support/scripted-isc.ts';

const STATUS = '/beta/sp-config/import/j1';
const expired = answer(401, { error: 'JWT is expired' });

let isc: ScriptedIsc | undefined;
afterEach(async () => {
  await isc?.api.close();
  isc = undefined;
});

describe('an ISC call refused with 401', () => {
  it('is sent again once with a fresh token, and its answer is the one the caller gets', async () => {
    isc = await scriptedIsc([expired, answer(200, { status: 'COMPLETE' })]);
    const status = await isc.client.getJson(STATUS, { phase: 'status', jobId: 'j1', deadline: instantDeadline() });
    expect(status).toEqual({ status: 'COMPLETE' });
    expect(isc.calls().map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(isc.tokenRequests()).toHaveLength(2);
    expect(isc.client.requestCount()).toBe(4);
    expect(isc.logged).toEqual([{ level: 'info', message: expect.any(String), fields: { jobId: 'j1', path: STATUS } }]);
  });

  it('stops at a second 401: permanent IscUnauthorized on the first attempt, no third request', async () => {
    isc = await scriptedIsc([expired]);
    const deadline = instantDeadline(3_000);
    const error = await isc.client.getJson(STATUS, { phase: 'status', jobId: 'j1', deadline }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'Permanent.IscUnauthorized',
      httpStatus: 401,
      retryable: false,
      attempts: 1,
      phase: 'status',
      jobId: 'j1',
    });
    expect(isc.calls()).toHaveLength(2);
    expect(deadline.slept).toEqual([]);
  });

  it('refreshes the token for an export POST too, sending the same body again', async () => {
    isc = await scriptedIsc([expired, answer(202, { jobId: 'e1', status: 'NOT_STARTED' })]);
    const job = await isc.client.postJson(
      '/beta/sp-config/export',
      { includeTypes: ['RULE'] },
      { phase: 'download', deadline: instantDeadline() },
    );
    expect(job).toEqual({ jobId: 'e1', status: 'NOT_STARTED' });
    expect(isc.calls().map((r) => [r.headers.authorization, r.body.toString()])).toEqual([
      ['Bearer token-1', '{"includeTypes":["RULE"]}'],
      ['Bearer token-2', '{"includeTypes":["RULE"]}'],
    ]);
  });
});
