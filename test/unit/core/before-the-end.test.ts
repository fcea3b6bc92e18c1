import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { beforeTheEnd, type Deadline } from '../../../lambda/core/deadline.ts';

// The writes kept for the margin may use it, but stop half a second before Lambda stops the
// invocation. Real (short) time: AbortSignal.timeout is the subject.

const endingIn = (ms: number): Deadline => {
  const endsAt = Date.now() + ms;
  return { remainingMs: () => endsAt - Date.now(), endsAt: () => endsAt, sleep: async () => false };
};

describe('beforeTheEnd', () => {
  it('aborts half a second before the invocation ends, not sooner', async () => {
    const signal = beforeTheEnd(endingIn(800));
    await sleep(150);
    expect(signal.aborted).toBe(false);
    await sleep(350);
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).name).toBe('TimeoutError');
  });

  it('aborts at once when less than half a second is left, or the end has passed', async () => {
    const almost = beforeTheEnd(endingIn(300));
    const past = beforeTheEnd(endingIn(-5_000));
    await sleep(30);
    expect(almost.aborted).toBe(true);
    expect(past.aborted).toBe(true);
  });
});
