import { describe, expect, it } from 'vitest';
import { ARCHIVE_RESERVE, POLL, pollInterval, waitForImport } from '../../../lambda/archive/wait-for-import.ts';
import type { Deadline } from '../../../lambda/core/deadline.ts';
import type { ImportStatus, ImportStatusValue } from '../../../lambda/isc/job-status.ts';

// The poll schedule through an injected sleep and a virtual clock: no test waits for real time.

const status = (value: ImportStatusValue): ImportStatus => ({
  jobId: 'ef38f94347e94562b5bb8424a56397d8',
  status: value,
  type: 'IMPORT',
  message: null,
  created: null,
  modified: null,
  completed: null,
  expiration: null,
});

/** A deadline over a virtual clock: `sleep` advances it, and refuses past `budgetMs`. */
function virtualDeadline(budgetMs: number) {
  let now = 0;
  const sleeps: number[] = [];
  const deadline: Deadline = {
    remainingMs: () => budgetMs - now,
    endsAt: () => budgetMs,
    sleep: async (ms) => {
      if (ms > budgetMs - now) return false;
      sleeps.push(ms);
      now += ms;
      return true;
    },
  };
  return { deadline, sleeps, now: () => now };
}

function recorder() {
  const lines: { message: string; extra?: Record<string, unknown> }[] = [];
  const log = {
    debug() {},
    warn() {},
    error() {},
    info: (message: string, extra?: Record<string, unknown>) => lines.push({ message, extra }),
  };
  return { lines, log };
}

/** ISC answering the given statuses in turn, and when each poll happened on the virtual clock. */
function isc(statuses: ImportStatusValue[], clock: () => number) {
  const polledAt: number[] = [];
  return {
    polledAt,
    poll: async () => {
      polledAt.push(clock());
      return status(statuses.shift() ?? 'COMPLETE');
    },
  };
}

describe('the poll schedule', () => {
  it('starts at 2 s and grows by 1.5 times to a 15 s cap', () => {
    expect(POLL).toEqual({ firstMs: 2_000, factor: 1.5, capMs: 15_000 });
    expect(Array.from({ length: 8 }, (_, n) => pollInterval(n))).toEqual([2_000, 3_000, 4_500, 6_750, 10_125, 15_000, 15_000, 15_000]);
  });
});

describe('waitForImport', () => {
  it('polls a running import on that schedule until it ends, and returns the final status', async () => {
    const time = virtualDeadline(600_000);
    const iscDouble = isc(['IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'FAILED'], time.now);
    const { log, lines } = recorder();
    const final = await waitForImport(status('NOT_STARTED'), iscDouble.poll, time.deadline, log);
    expect(final.status).toBe('FAILED');
    expect(time.sleeps).toEqual([2_000, 3_000, 4_500, 6_750, 10_125, 15_000, 15_000]);
    expect(iscDouble.polledAt).toEqual([2_000, 5_000, 9_500, 16_250, 26_375, 41_375, 56_375]);
    expect(lines[0]).toEqual({
      message: 'Import still running; waiting',
      extra: { jobId: status('NOT_STARTED').jobId, status: 'NOT_STARTED', waitMs: 2_000 },
    });
    expect(lines.map((l) => l.extra?.status)).toEqual([
      'NOT_STARTED',
      'IN_PROGRESS',
      'IN_PROGRESS',
      'IN_PROGRESS',
      'IN_PROGRESS',
      'IN_PROGRESS',
      'IN_PROGRESS',
    ]);
  });

  it('returns a finished import at once, without sleeping or polling', async () => {
    const time = virtualDeadline(60_000);
    const iscDouble = isc([], time.now);
    for (const done of ['COMPLETE', 'FAILED', 'CANCELLED'] as const) {
      expect(await waitForImport(status(done), iscDouble.poll, time.deadline, recorder().log)).toEqual(status(done));
    }
    expect(time.sleeps).toEqual([]);
    expect(iscDouble.polledAt).toEqual([]);
  });

  it('hands back the running status when the next wait would eat into the time kept for the archive, without polling again', async () => {
    // 30 s: 10 s are kept for the archive. 2 + 3 + 4.5 + 6.75 = 16.25 s leave 13.75 s; 10.125 s more would leave 3.6 s.
    const time = virtualDeadline(30_000);
    const iscDouble = isc(Array(10).fill('IN_PROGRESS'), time.now);
    const last = await waitForImport(status('NOT_STARTED'), iscDouble.poll, time.deadline, recorder().log);
    expect(last.status).toBe('IN_PROGRESS');
    expect(time.sleeps).toEqual([2_000, 3_000, 4_500, 6_750]);
    expect(iscDouble.polledAt).toHaveLength(4);
  });

  it('keeps a third of a long budget for the archive: an import ending at the last poll still has that time', async () => {
    const time = virtualDeadline(300_000);
    const iscDouble = isc(Array(100).fill('IN_PROGRESS'), time.now);
    await waitForImport(status('NOT_STARTED'), iscDouble.poll, time.deadline, recorder().log);
    const left = 300_000 - time.now();
    expect(left).toBeGreaterThanOrEqual(ARCHIVE_RESERVE.share * 300_000);
    // ...and it did not stop early: one more 15 s wait would have eaten into the reserve.
    expect(left - POLL.capMs).toBeLessThan(ARCHIVE_RESERVE.share * 300_000);
  });

  it('hands back NOT_STARTED when not even the first wait fits', async () => {
    const time = virtualDeadline(1_999);
    const iscDouble = isc([], time.now);
    expect((await waitForImport(status('NOT_STARTED'), iscDouble.poll, time.deadline, recorder().log)).status).toBe('NOT_STARTED');
    expect(iscDouble.polledAt).toEqual([]);
  });
});
