import { describe, expect, it } from 'vitest';
import { bestEffort, handledElsewhere, startEarly } from '../../../lambda/core/background.ts';
import { eventLoopTurns } from '../../../lambda/core/event-loop-turns.ts';
import { recordingLog } from '../../support/archive-fakes.ts';

// Background work: a failure nobody awaits yet is logged, not an unhandled rejection; cleanup
// failures are logged and swallowed; long CPU work lets the event loop run.

const failing = (name: string, message: string) => Promise.reject(Object.assign(new Error(message), { name }));

describe('startEarly', () => {
  it('returns the work’s own result', async () => {
    const log = recordingLog();
    expect(await startEarly(Promise.resolve(7), log, 'The claim')).toBe(7);
    expect(log.lines).toEqual([]);
  });

  it('logs a failure at debug, by name, and still throws it to whoever awaits', async () => {
    const log = recordingLog();
    const work = startEarly(failing('ClaimError', 'taken'), log, 'The claim');
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.lines).toEqual([
      { level: 'debug', message: 'The claim failed; the step that awaits it reports the failure', extra: { errorName: 'ClaimError' } },
    ]);
    await expect(work).rejects.toThrow('taken');
  });
});

describe('bestEffort', () => {
  it('runs the work and logs nothing when it succeeds', async () => {
    const log = recordingLog();
    let ran = false;
    await bestEffort(
      async () => {
        ran = true;
      },
      log,
      'Removing the claim',
    );
    expect(ran).toBe(true);
    expect(log.lines).toEqual([]);
  });

  it('swallows a failure and warns with its name, message and the fields given', async () => {
    const log = recordingLog();
    await expect(bestEffort(() => failing('S3Error', 'denied'), log, 'Removing the claim', { jobId: 'j1' })).resolves.toBeUndefined();
    expect(log.lines).toEqual([
      { level: 'warn', message: 'Removing the claim failed', extra: { jobId: 'j1', errorName: 'S3Error', errorMessage: 'denied' } },
    ]);
  });

  it('warns without extra fields when none are given', async () => {
    const log = recordingLog();
    await bestEffort(() => failing('E', 'm'), log, 'Cleanup');
    expect(log.lines[0]!.extra).toEqual({ errorName: 'E', errorMessage: 'm' });
  });
});

describe('handledElsewhere', () => {
  it('leaves no unhandled rejection behind', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      handledElsewhere(failing('E', 'reported by another promise'));
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});

describe('eventLoopTurns', () => {
  it('does not yield before the slice has gone by', () => {
    const turn = eventLoopTurns(10_000);
    expect(turn()).toBeUndefined();
  });

  it('yields to the event loop once the slice has gone by, then starts a new slice', async () => {
    const turn = eventLoopTurns(5);
    const until = performance.now() + 10;
    while (performance.now() < until) {
      // CPU work over data that is already there.
    }
    let immediateRan = false;
    setImmediate(() => {
      immediateRan = true;
    });
    const pending = turn();
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    expect(immediateRan).toBe(true);
    expect(turn()).toBeUndefined();
  });

  it('has a default slice of a millisecond', async () => {
    const turn = eventLoopTurns();
    const until = performance.now() + 3;
    while (performance.now() < until) {
      // busy
    }
    expect(turn()).toBeInstanceOf(Promise);
  });
});
