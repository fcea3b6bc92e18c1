import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deadlineFrom, marginFor } from '../../../lambda/core/deadline.ts';

// Time is the subject here: Date is faked, Lambda's clock is a function of it, and the sleep
// (node:timers/promises, which fake timers do not reach) advances that fake time.
vi.mock('node:timers/promises', () => ({ setTimeout: vi.fn(async (ms: number) => void vi.setSystemTime(Date.now() + ms)) }));

const START = Date.parse('2026-12-01T10:00:00.000Z');
beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(START);
});
afterEach(() => {
  vi.useRealTimers();
  vi.mocked(sleep).mockClear();
});

/** Lambda's context: the time left counts down with the (fake) clock. */
const lambdaClock = (totalMs: number) => ({ getRemainingTimeInMillis: () => START + totalMs - Date.now() });

describe('marginFor', () => {
  it.each([
    [5_000, 1_500],
    [15_000, 1_500],
    [20_000, 2_000],
    [60_000, 6_000],
    [100_000, 10_000],
    [900_000, 10_000],
  ])('of %i ms, keeps %i ms back to finish cleanly (a tenth, at least 1.5 s, at most 10 s)', (total, margin) => {
    expect(marginFor(total)).toBe(margin);
  });
});

describe('deadlineFrom', () => {
  it('leaves the time Lambda gives, less the margin, and counts down with the clock', () => {
    const deadline = deadlineFrom(lambdaClock(60_000));
    expect(deadline.remainingMs()).toBe(54_000);
    vi.advanceTimersByTime(10_000);
    expect(deadline.remainingMs()).toBe(44_000);
    expect(deadline.endsAt()).toBe(START + 60_000);
  });

  it('caps the budget (the API answers within 25 s whatever the function timeout)', () => {
    const deadline = deadlineFrom(lambdaClock(300_000), { capMs: 25_000 });
    expect(deadline.remainingMs()).toBe(25_000 - 2_500);
    expect(deadline.endsAt()).toBe(START + 25_000);
    vi.advanceTimersByTime(20_000);
    expect(deadline.remainingMs()).toBe(5_000 - 2_500);
  });

  it('follows Lambda when its clock runs faster than ours', () => {
    let lost = 0;
    const deadline = deadlineFrom({ getRemainingTimeInMillis: () => START + 60_000 - Date.now() - lost });
    lost = 30_000;
    expect(deadline.remainingMs()).toBe(60_000 - 30_000 - 6_000);
  });

  it('goes negative once the margin is eaten into', () => {
    const deadline = deadlineFrom(lambdaClock(10_000));
    vi.advanceTimersByTime(9_000);
    expect(deadline.remainingMs()).toBe(1_000 - 1_500);
  });

  it('sleeps for the time asked when it fits, and says so', async () => {
    const deadline = deadlineFrom(lambdaClock(60_000));
    expect(await deadline.sleep(5_000)).toBe(true);
    expect(vi.mocked(sleep).mock.calls).toEqual([[5_000]]);
    expect(Date.now()).toBe(START + 5_000);
    expect(deadline.remainingMs()).toBe(49_000);
  });

  it('refuses at once a sleep that would eat into the margin; one that exactly fits is allowed', async () => {
    const deadline = deadlineFrom(lambdaClock(60_000));
    expect(await deadline.sleep(54_001)).toBe(false);
    expect(vi.mocked(sleep)).not.toHaveBeenCalled();
    expect(await deadline.sleep(54_000)).toBe(true);
    expect(vi.mocked(sleep).mock.calls).toEqual([[54_000]]);
    expect(await deadline.sleep(1)).toBe(false);
  });
});
