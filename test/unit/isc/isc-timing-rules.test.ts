import { describe, expect, it } from 'vitest';
import { TimeBudgetError } from '../../../lambda/core/errors.ts';
import { iscPaths } from '../../../lambda/isc/isc-paths.ts';
import { iscUrl, MAX_REDIRECTS } from '../../../lambda/isc/redirects.ts';
import { DEFAULT_RETRY_POLICY, MIN_ATTEMPT_MS, retryDelay } from '../../../lambda/isc/retry-delay.ts';
import { deadlineSignal, untilAborted } from '../../../lambda/isc/time-limit.ts';
import { TokenCache } from '../../../lambda/isc/token-cache.ts';

const zero = () => 0;
const top = () => 0.999999;

describe('retry timing at its edges', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({ maxAttempts: 6, baseMs: 400, capMs: 10_000, retryAfterCapMs: 30_000 });
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY)).toBe(true);
    expect(MIN_ATTEMPT_MS).toBe(1_000);
  });

  it.each([
    // attempt, retryAfterMs, remainingMs, random, expected
    [1, 30_000, 120_000, zero, 30_000],
    [1, 30_001, 120_000, zero, undefined],
    [1, undefined, 1_000, zero, 0],
    [1, undefined, 999, zero, undefined],
    [1, 2_000, 3_000, zero, 2_000],
    [1, 2_000, 2_999, zero, undefined],
    [4, undefined, 60_000, top, 3_199],
    [5, 0, 60_000, zero, 0],
  ] as const)('attempt %i, Retry-After %s, %i ms left → %s', (attempt, retryAfterMs, remainingMs, random, expected) => {
    expect(retryDelay({ attempt, retryAfterMs, remainingMs, random })).toBe(expected);
  });

  it('follows a policy passed in: its attempts, base, cap and Retry-After cap', () => {
    const policy = { maxAttempts: 3, baseMs: 100, capMs: 250, retryAfterCapMs: 500 };
    expect(retryDelay({ attempt: 1, remainingMs: 60_000, random: top, policy })).toBe(99);
    expect(retryDelay({ attempt: 2, remainingMs: 60_000, random: top, policy })).toBe(199);
    expect(retryDelay({ attempt: 3, remainingMs: 60_000, random: top, policy })).toBeUndefined();
    expect(retryDelay({ attempt: 2, remainingMs: 60_000, random: top, policy: { ...policy, maxAttempts: 9 } })).toBe(199);
    expect(retryDelay({ attempt: 4, remainingMs: 60_000, random: top, policy: { ...policy, maxAttempts: 9 } })).toBe(249);
    expect(retryDelay({ attempt: 1, retryAfterMs: 501, remainingMs: 60_000, random: zero, policy })).toBeUndefined();
  });
});

describe('paths and URLs', () => {
  it.each([
    ['beta', '/beta/sp-config/export', '/beta/sp-config/import', '/beta/sp-config/import?preview=true'],
    ['v1', '/sp-config/v1/export', '/sp-config/v1/import', '/sp-config/v1/import?preview=true'],
  ] as const)('starts exports and imports in the %s family', (version, exportStart, importStart, preview) => {
    const paths = iscPaths(version);
    expect([paths.exportStart(), paths.importStart(false), paths.importStart(true)]).toEqual([exportStart, importStart, preview]);
  });

  it('encodes a job id in the path as a second guard', () => {
    expect(iscPaths('beta').importStatus('../x?y')).toBe('/beta/sp-config/import/..%2Fx%3Fy');
  });

  it.each([
    ['https://a.example.com', '/beta/x', 'https://a.example.com/beta/x'],
    ['https://a.example.com//', '//beta/x', 'https://a.example.com/beta/x'],
    ['https://a.example.com/base', '/beta/x?preview=true', 'https://a.example.com/base/beta/x?preview=true'],
  ])('joins %s and %s', (base, path, url) => {
    expect(iscUrl(base, path).href).toBe(url);
  });

  it('follows at most five redirects', () => {
    expect(MAX_REDIRECTS).toBe(5);
  });
});

describe('time limits', () => {
  it('throws at once, naming what there was no time for, when no time is left', () => {
    const spent = { endsAt: () => 0, remainingMs: () => 0, sleep: async () => false };
    expect(() => deadlineSignal(spent, 'download', 'download the results', 'j')).toThrow(TimeBudgetError);
    expect(() => deadlineSignal(spent, 'download', 'download the results', 'j')).toThrow('No time left to download the results.');
  });

  it('gives a live signal while time is left', () => {
    expect(deadlineSignal({ endsAt: () => 0, remainingMs: () => 5_000, sleep: async () => true }, 'status', 'x').aborted).toBe(false);
  });

  it('untilAborted settles as the promise does, or leaves with the reason', async () => {
    await expect(untilAborted(Promise.resolve(1), undefined)).resolves.toBe(1);
    await expect(untilAborted(Promise.resolve(2), new AbortController().signal)).resolves.toBe(2);
    await expect(untilAborted(Promise.reject(new Error('no')), new AbortController().signal)).rejects.toThrow('no');
    const aborted = new AbortController();
    aborted.abort(new Error('late'));
    await expect(untilAborted(new Promise(() => {}), aborted.signal)).rejects.toThrow('late');
    const later = new AbortController();
    const waiting = untilAborted(new Promise(() => {}), later.signal);
    later.abort(new Error('now'));
    await expect(waiting).rejects.toThrow('now');
  });
});

describe('TokenCache edges', () => {
  it('fetches again at every get for a token with no lifetime', async () => {
    let n = 0;
    const cache = new TokenCache(
      async () => ({ accessToken: `t${++n}`, expiresIn: -5 }),
      () => 0,
    );
    expect(await cache.get()).toBe('t1');
    expect(await cache.get()).toBe('t2');
  });

  it('keeps a token that was not the one refused', async () => {
    let n = 0;
    let now = 0;
    const cache = new TokenCache(
      async () => ({ accessToken: `t${++n}`, expiresIn: 3_600 }),
      () => now,
    );
    expect(await cache.get()).toBe('t1');
    cache.invalidate('other');
    expect(await cache.get()).toBe('t1');
    now = 3_540_000 - 1;
    expect(await cache.get()).toBe('t1');
    now = 3_540_000;
    expect(await cache.get()).toBe('t2');
    cache.invalidate('t2');
    expect(await cache.get()).toBe('t3');
  });

  it('passes the first caller’s signal to the fetch', async () => {
    const seen: (AbortSignal | undefined)[] = [];
    const cache = new TokenCache(async (signal) => (seen.push(signal), { accessToken: 't', expiresIn: 600 }));
    const signal = new AbortController().signal;
    await cache.get(signal);
    expect(seen).toEqual([signal]);
  });
});
