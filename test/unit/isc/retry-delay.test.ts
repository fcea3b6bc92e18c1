import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, MIN_ATTEMPT_MS, parseRetryAfter, retryDelay } from '../../../lambda/isc/retry-delay.ts';

const half = (): number => 0.5;
const top = (): number => 0.999999;

describe('retryDelay', () => {
  it.each([
    // attempt, retryAfterMs, remainingMs, random, expected
    [1, undefined, 60_000, half, 200],
    [2, undefined, 60_000, half, 400],
    [3, undefined, 60_000, top, 1_599],
    [5, undefined, 60_000, top, 6_399],
    // the step is capped at 10 s whatever the attempt
    [20, undefined, 60_000, top, undefined],
    [5, undefined, 60_000, (): number => 0, 0],
    // Retry-After is obeyed, with at most 250 ms of jitter on top
    [1, 3_000, 60_000, (): number => 0, 3_000],
    [1, 3_000, 60_000, top, 3_249],
    // a Retry-After longer than we honour stops here
    [1, 31_000, 120_000, half, undefined],
    // not enough time left for the wait and one more attempt
    [1, 3_000, 3_500, (): number => 0, undefined],
    [1, undefined, MIN_ATTEMPT_MS + 200, half, 200],
  ] as const)('attempt %i, Retry-After %s, %i ms left → %s', (attempt, retryAfterMs, remainingMs, random, expected) => {
    expect(retryDelay({ attempt, retryAfterMs, remainingMs, random })).toBe(expected);
  });

  it('stops after the last attempt', () => {
    expect(retryDelay({ attempt: DEFAULT_RETRY_POLICY.maxAttempts, remainingMs: 600_000, random: half })).toBeUndefined();
    expect(retryDelay({ attempt: DEFAULT_RETRY_POLICY.maxAttempts - 1, remainingMs: 600_000, random: half })).toBeGreaterThan(0);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-28T10:00:00Z');
  it.each([
    ['5', 5_000],
    ['0', 0],
    [' 2 ', 2_000],
    ['1.5', 1_500],
    ['Sat, 28 Nov 2026 10:00:07 GMT', 7_000],
    ['Sat, 28 Nov 2026 09:59:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
  ])('%j → %s', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});
