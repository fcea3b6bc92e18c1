import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { METRICS_NAMESPACE, PRODUCT } from '../../../lambda/contract/constants.ts';
import { ArchiverError, ImportStillRunningError } from '../../../lambda/core/errors.ts';
import { ArchiveMetrics, asLog, createLogger } from '../../../lambda/telemetry/telemetry.ts';

// What operators see: one embedded-metric-format line per invocation with the values of that
// invocation, failures by kind, and structured log lines.

let printed: string[];
beforeEach(() => {
  printed = [];
  const capture = (chunk: unknown) => (printed.push(String(chunk)), true);
  vi.spyOn(process.stdout, 'write').mockImplementation(capture as never);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture as never);
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
  vi.spyOn(console, 'info').mockImplementation((line: unknown) => void printed.push(String(line)));
  vi.spyOn(console, 'warn').mockImplementation((line: unknown) => void printed.push(String(line)));
  vi.spyOn(console, 'error').mockImplementation((line: unknown) => void printed.push(String(line)));
  vi.spyOn(console, 'debug').mockImplementation((line: unknown) => void printed.push(String(line)));
});
afterEach(() => {
  vi.restoreAllMocks();
});

const lines = () =>
  printed
    .flatMap((p) => p.split('\n'))
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);
const metricLines = () => lines().filter((l) => l._aws?.CloudWatchMetrics);
const summary = (errors: number, warnings: number) => ({
  summary: { byType: {}, totals: { infos: 3, warnings, errors, importedObjects: 2 } },
});
const names = (line: Record<string, any>) => line._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name).sort();

describe('ArchiveMetrics', () => {
  it('records an archived import with its counts, bytes and duration', () => {
    const metrics = new ArchiveMetrics();
    metrics.archived('ARCHIVED', summary(4, 2), 12_345, 678);
    metrics.flush();
    const [line, ...rest] = metricLines();
    expect(rest).toEqual([]);
    expect(line).toMatchObject({
      JobsArchived: 1,
      ImportErrors: 4,
      ImportWarnings: 2,
      ImportsWithErrors: 1,
      BytesArchived: 12_345,
      ArchiveDuration: 678,
      service: PRODUCT,
    });
    expect(line!._aws.CloudWatchMetrics[0].Namespace).toBe(METRICS_NAMESPACE);
    expect(names(line!)).toEqual([
      'ArchiveDuration',
      'BytesArchived',
      'ImportErrors',
      'ImportWarnings',
      'ImportsWithErrors',
      'JobsArchived',
    ]);
  });

  it('counts an import without errors as no import with errors', () => {
    const metrics = new ArchiveMetrics();
    metrics.archived('ARCHIVED', summary(0, 1), 10, 1);
    metrics.flush();
    expect(metricLines()[0]).toMatchObject({ ImportsWithErrors: 0, ImportErrors: 0, ImportWarnings: 1 });
  });

  it('counts a CANCELLED import apart from archived ones', () => {
    const metrics = new ArchiveMetrics();
    metrics.archived('CANCELLED', summary(0, 0), 10, 1);
    metrics.flush();
    const line = metricLines()[0]!;
    expect(line.CancelledArchived).toBe(1);
    expect(line.JobsArchived).toBeUndefined();
  });

  it('counts a duplicate as AlreadyArchived and nothing else', () => {
    const metrics = new ArchiveMetrics();
    metrics.archived('ALREADY_ARCHIVED', summary(5, 5), 0, 3);
    metrics.flush();
    expect(names(metricLines()[0]!)).toEqual(['AlreadyArchived']);
    expect(metricLines()[0]!.AlreadyArchived).toBe(1);
  });

  it('records the changes counts only when they were computed', () => {
    const metrics = new ArchiveMetrics();
    const counts = { created: 2, changed: 3, unchanged: 4, unknown: 0 };
    metrics.archived(
      'ARCHIVED',
      { ...summary(0, 0), changes: { state: 'COMPUTED', reason: '', afterExportJobId: null, afterExportedAt: null, counts } },
      1,
      1,
    );
    metrics.flush();
    expect(metricLines()[0]).toMatchObject({ ObjectsChanged: 3, ObjectsCreated: 2 });
    metrics.archived(
      'ARCHIVED',
      { ...summary(0, 0), changes: { state: 'DISABLED', reason: '', afterExportJobId: null, afterExportedAt: null, counts } },
      1,
      1,
    );
    metrics.flush();
    expect(metricLines()[1]!.ObjectsChanged).toBeUndefined();
  });

  it('records failures by kind, in a line of their own, and in the aggregate', () => {
    const metrics = new ArchiveMetrics();
    metrics.failed(new ImportStillRunningError('a'.repeat(32), 'IN_PROGRESS', 361));
    metrics.failed(new Error('boom'));
    metrics.flush();
    const byKind = metricLines().filter((l) => l.FailureKind !== undefined);
    expect(byKind.map((l) => [l.FailureKind, l.Failures])).toEqual([
      ['ImportStillRunning', 1],
      ['Unexpected', 1],
    ]);
    // Two values in one line: CloudWatch sums them.
    expect(metricLines().filter((l) => l.FailureKind === undefined)).toEqual([expect.objectContaining({ Failures: [1, 1] })]);
  });

  it('records a continuation and a hand-off', () => {
    const metrics = new ArchiveMetrics();
    metrics.continued();
    metrics.accepted();
    metrics.flush();
    expect(metricLines()[0]).toMatchObject({ ContinuedWaiting: 1, HandedOff: 1 });
  });

  it('prints nothing for an invocation that recorded nothing, and flushes each invocation once', () => {
    const metrics = new ArchiveMetrics();
    metrics.flush();
    expect(metricLines()).toEqual([]);
    metrics.accepted();
    metrics.flush();
    metrics.flush();
    expect(metricLines()).toHaveLength(1);
  });
});

describe('the log', () => {
  it('writes structured lines at each level, with the extra fields when given', () => {
    const log = asLog(createLogger());
    log.info('plain');
    log.info('with fields', { jobId: 'j1' });
    log.warn('warned', { n: 1 });
    log.warn('warned plain');
    log.error('failed', { errorName: 'X' });
    log.error('failed plain');
    const seen = lines().filter((l) => l.message !== undefined);
    expect(seen.map((l) => [l.level, l.message])).toEqual([
      ['INFO', 'plain'],
      ['INFO', 'with fields'],
      ['WARN', 'warned'],
      ['WARN', 'warned plain'],
      ['ERROR', 'failed'],
      ['ERROR', 'failed plain'],
    ]);
    expect(seen[1]).toMatchObject({ jobId: 'j1', service: PRODUCT });
    expect(seen[2]).toMatchObject({ n: 1 });
    expect(seen[4]).toMatchObject({ errorName: 'X' });
    expect(new ArchiverError('X', 'm', { phase: 'input', retryable: false }).name).toBe('Permanent.X');
  });
  it('writes debug lines, with their fields, when the level allows them', () => {
    const before = process.env.POWERTOOLS_LOG_LEVEL;
    process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
    try {
      const log = asLog(createLogger());
      log.debug('traced');
      log.debug('traced with fields', { step: 'claim' });
    } finally {
      if (before === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
      else process.env.POWERTOOLS_LOG_LEVEL = before;
    }
    const seen = lines().filter((l) => l.level === 'DEBUG');
    expect(seen.map((l) => l.message)).toEqual(['traced', 'traced with fields']);
    expect(seen[1]).toMatchObject({ step: 'claim' });
    expect(seen[0]!.step).toBeUndefined();
  });

  it('does not write debug lines at the default level', () => {
    asLog(createLogger()).debug('hidden', { step: 'claim' });
    expect(lines().filter((l) => l.message === 'hidden')).toEqual([]);
  });
});
