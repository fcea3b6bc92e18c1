import { describe, expect, it } from 'vitest';
import type { Deadline } from '../../../lambda/core/deadline.ts';
import { callSignal } from '../../../lambda/storage/store-call.ts';

/** A deadline frozen at `remaining` ms: time is the subject here, not the clock. */
const frozen = (remaining: number): Deadline => ({
  remainingMs: () => remaining,
  endsAt: () => Date.now() + 60_000,
  sleep: async () => false,
});

describe('callSignal: what bounds one S3 call', () => {
  it.each([0, -5])('refuses to start a call with %i ms left: a retryable TimeBudgetError of the archive phase', (remaining) => {
    expect(() => callSignal({ deadline: frozen(remaining) }, 'write s3://b/k')).toThrow(
      expect.objectContaining({ name: 'TimeBudgetExhausted', code: 'TimeBudgetExhausted', retryable: true, phase: 'archive' }),
    );
  });

  it('starts a call with 1 ms left, bounded by a signal that fires once that time is spent', async () => {
    const signal = callSignal({ deadline: frozen(1) }, 'write s3://b/k');
    expect(signal?.aborted).toBe(false);
    await new Promise<void>((resolve) => signal!.addEventListener('abort', () => resolve(), { once: true }));
    expect(signal!.aborted).toBe(true);
  });

  it('has no signal at all when the call is unbounded', () => {
    expect(callSignal(undefined, 'list')).toBeUndefined();
    expect(callSignal({}, 'list')).toBeUndefined();
  });

  it("ends with the caller's own signal when that is the only bound", () => {
    const caller = new AbortController();
    const signal = callSignal({ signal: caller.signal }, 'write');
    expect(signal?.aborted).toBe(false);
    caller.abort(new Error('margin spent'));
    expect(signal?.aborted).toBe(true);
  });

  it("ends with the caller's signal even while the deadline still has time", () => {
    const caller = new AbortController();
    const signal = callSignal({ deadline: frozen(60_000), signal: caller.signal }, 'write');
    expect(signal?.aborted).toBe(false);
    caller.abort();
    expect(signal?.aborted).toBe(true);
  });

  it("ends with the deadline even while the caller's signal has not fired", async () => {
    const caller = new AbortController();
    const signal = callSignal({ deadline: frozen(1), signal: caller.signal }, 'write');
    await new Promise<void>((resolve) => signal!.addEventListener('abort', () => resolve(), { once: true }));
    expect(caller.signal.aborted).toBe(false);
  });
});
