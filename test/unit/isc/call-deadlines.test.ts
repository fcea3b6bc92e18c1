import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { IscCredentials } from '../../../lambda/isc/credentials.ts';
import type { CredentialReadOptions } from '../../../lambda/isc/secret-source.ts';
import { answer, instantDeadline, type ScriptedIsc, scriptedIsc } from '../../support/scripted-isc.ts';

const STATUS = '/beta/sp-config/import/j1';

let isc: ScriptedIsc | undefined;
afterEach(async () => {
  await isc?.api.close();
  isc = undefined;
});

/** Time left as a script says: one value per call, the last one for ever after. */
const remaining = (...values: number[]) => {
  let n = 0;
  return () => values[Math.min(n++, values.length - 1)]!;
};

/** The first credential read (the token's) is quick; every later one takes two seconds unless its signal ends it. */
const slowAfterFirst = () => {
  let reads = 0;
  return async (read: () => IscCredentials, options: CredentialReadOptions | undefined) => {
    if (++reads > 1) await sleep(2_000, undefined, { signal: options?.signal });
    return read();
  };
};

describe('an ISC call and its deadline', () => {
  it('sends nothing when the token took the time that was left', async () => {
    isc = await scriptedIsc([answer(200, { status: 'COMPLETE' })]);
    // 5 s when the call starts; nothing once the token is in.
    const deadline = instantDeadline(5_000, remaining(5_000, 0));
    await expect(isc.client.getJson(STATUS, { phase: 'status', jobId: 'j1', deadline })).rejects.toMatchObject({
      code: 'TimeBudgetExhausted',
      retryable: true,
      phase: 'status',
      jobId: 'j1',
    });
    expect(isc.tokenRequests()).toHaveLength(1);
    expect(isc.calls()).toHaveLength(0);
  });

  it.each([
    ['GET', (s: ScriptedIsc, deadline: ReturnType<typeof instantDeadline>) => s.client.getJson(STATUS, { phase: 'status', deadline })],
    [
      'POST',
      (s: ScriptedIsc, deadline: ReturnType<typeof instantDeadline>) =>
        s.client.postJson('/beta/sp-config/export', {}, { phase: 'download', deadline }),
    ],
  ])('ends a slow read of the base URL for a %s at the deadline', async (_method, call) => {
    isc = await scriptedIsc([answer(200, {})], slowAfterFirst());
    const started = Date.now();
    await expect(call(isc, instantDeadline(100))).rejects.toMatchObject({ code: 'TimeBudgetExhausted' });
    expect(Date.now() - started).toBeLessThan(1_200);
    expect(isc.calls()).toHaveLength(0);
  });

  it('does not try again once the deadline ended a request, even when the clock still shows time', async () => {
    // The first request never gets an answer; a second one would.
    isc = await scriptedIsc([() => {}, answer(200, { status: 'COMPLETE' })]);
    const deadline = instantDeadline(60_000, remaining(100, 60_000));
    await expect(isc.client.getJson(STATUS, { phase: 'status', deadline })).rejects.toMatchObject({ code: 'TimeBudgetExhausted' });
    expect(isc.calls()).toHaveLength(1);
    expect(deadline.slept).toEqual([]);
  });
});

describe('a retried ISC call', () => {
  it('logs what failed, with what ISC support asks for, before each new attempt', async () => {
    isc = await scriptedIsc([answer(503, { trackingId: 't-503' }), answer(200, { status: 'COMPLETE' })]);
    await isc.client.getJson(STATUS, { phase: 'status', jobId: 'j1', deadline: instantDeadline() });
    expect(isc.logged).toEqual([
      {
        level: 'warn',
        message: expect.any(String),
        fields: { jobId: 'j1', path: STATUS, attempt: 1, delayMs: 0, httpStatus: 503, trackingId: 't-503', code: 'IscServerError' },
      },
    ]);
  });
});
