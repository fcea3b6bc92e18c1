import { InvokeCommand } from '@aws-sdk/client-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { API_BUDGET_MS } from '../../../lambda/contract/constants.ts';
import { RestoreRefusedError } from '../../../lambda/core/errors.ts';
import { answerApi } from '../../../lambda/invocation/api-door.ts';
import { runRestoreInBackground, startRestore } from '../../../lambda/invocation/restore-door.ts';
import { metrics } from '../../../lambda/invocation/runtime.ts';
import { answerBatch } from '../../../lambda/invocation/sqs-door.ts';
import { type RestoreStarted, startRestore as submitRestore } from '../../../lambda/restore/restore-job.ts';
import { fakeIsc } from '../../support/archive-fakes.ts';
import { useDoorTestBed } from '../../support/door-test-bed.ts';
import { invocationRuntime, lambdaClock } from '../../support/invocation-runtime.ts';
import type { LocalS3Store } from '../../support/local-s3-store.ts';

// The restore door: what it asks the restore flow for, the hand-off of the restore job's archive,
// the metric, and the answer. The restore flow itself is tested in test/unit/restore/; here it is
// replaced so the door's own behaviour is the subject.
vi.mock('../../../lambda/restore/restore-job.ts', () => ({ startRestore: vi.fn() }));

const ORIGINAL = 'ef38f94347e94562b5bb8424a56397d8';
const RESTORE_JOB = '4fb105031c4946038f8d886e1f6aa47b';
const PREVIEW_JOB = 'aa38f94347e94562b5bb8424a56397d8';

let s3: LocalS3Store;
const { lambda, output } = useDoorTestBed((store) => (s3 = store));
beforeEach(() => {
  vi.mocked(submitRestore).mockReset();
});

const started = (preview: boolean): RestoreStarted => ({
  jobId: RESTORE_JOB,
  restoreOf: ORIGINAL,
  preview,
  selection: { includeTypes: ['SOURCE'], objectOptions: {} } as unknown as RestoreStarted['selection'],
  notRestorable: [],
  previewJobId: preview ? null : PREVIEW_JOB,
});
const rt = () => invocationRuntime(s3, fakeIsc(ORIGINAL, { statuses: ['COMPLETE'] }));
const handedOff = () =>
  lambda.commandCalls(InvokeCommand).map((c) => JSON.parse(Buffer.from(c.args[0].input.Payload as Uint8Array).toString()));
const metricLine = () => {
  metrics.flush();
  return output().find((l) => l._aws && l.FailureKind === undefined) ?? {};
};

describe('a restore preview', () => {
  it('asks for a preview (no preview job) and answers 202 with the restore job', async () => {
    vi.mocked(submitRestore).mockResolvedValue(started(true));
    const runtime = rt();
    const response = await answerApi(
      { source: 'api', format: 'http', work: { action: 'restore-preview', jobId: ORIGINAL, types: ['SOURCE'] } },
      runtime,
      lambdaClock(900_000),
      'req-1',
    );
    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body)).toEqual(started(true));
    const [request, deps, deadline] = vi.mocked(submitRestore).mock.calls[0]!;
    expect(request).toEqual({ jobId: ORIGINAL, types: ['SOURCE'], previewJobId: undefined, requestId: 'req-1' });
    // The restore runs on this container's clients and settings, not on new ones.
    expect(deps).toMatchObject({ isc: runtime.isc, store: runtime.store, config: runtime.config });
    // The API's budget caps the deadline, however long the invocation may run.
    expect(deadline.endsAt() - Date.now()).toBeLessThanOrEqual(API_BUDGET_MS);
    expect(deadline.endsAt() - Date.now()).toBeGreaterThan(API_BUDGET_MS - 1_000);
  });

  it('hands the restore job’s archive to a later invocation, unforced, and counts a preview', async () => {
    vi.mocked(submitRestore).mockResolvedValue(started(true));
    const before = Date.now();
    await startRestore(
      { action: 'restore-preview', jobId: ORIGINAL },
      rt(),
      { remainingMs: () => 1, endsAt: () => 1, sleep: async () => false },
      'r',
    );
    const [payload, ...more] = handedOff();
    expect(more).toEqual([]);
    expect(payload).toMatchObject({ jobId: RESTORE_JOB, force: false });
    expect(Date.parse(payload.waitingSince)).toBeGreaterThanOrEqual(before - 1);
    expect(metricLine()).toMatchObject({ RestorePreviews: 1 });
    expect(metricLine().RestoresApplied).toBeUndefined();
  });
});

describe('a restore apply', () => {
  it('passes the preview that allows it and counts an applied restore', async () => {
    vi.mocked(submitRestore).mockResolvedValue(started(false));
    const answer = await runRestoreInBackground(
      { action: 'restore-apply', jobId: ORIGINAL, previewJobId: PREVIEW_JOB, types: undefined },
      rt(),
      lambdaClock(900_000),
      'req-2',
    );
    expect(answer).toEqual(started(false));
    expect(vi.mocked(submitRestore).mock.calls[0]![0]).toEqual({
      jobId: ORIGINAL,
      types: undefined,
      previewJobId: PREVIEW_JOB,
      requestId: 'req-2',
    });
    const deadline = vi.mocked(submitRestore).mock.calls[0]![2];
    expect(deadline.endsAt() - Date.now()).toBeLessThanOrEqual(API_BUDGET_MS);
    expect(handedOff()).toEqual([expect.objectContaining({ jobId: RESTORE_JOB, force: false })]);
    const line = metricLine();
    expect(line).toMatchObject({ RestoresApplied: 1 });
    expect(line.RestorePreviews).toBeUndefined();
  });

  it('hands nothing off and counts nothing when the restore is refused', async () => {
    vi.mocked(submitRestore).mockRejectedValue(new RestoreRefusedError('No backup.', ORIGINAL));
    await expect(
      runRestoreInBackground({ action: 'restore-preview', jobId: ORIGINAL }, rt(), lambdaClock(60_000), 'r'),
    ).rejects.toMatchObject({ name: 'Permanent.RestoreRefused' });
    expect(handedOff()).toEqual([]);
    expect(metricLine()).toEqual({});
  });
});

describe('a restore through the queue', () => {
  it('runs under the delivery’s name and names a refused record in the batch answer, logging why', async () => {
    vi.mocked(submitRestore).mockImplementation(async (request) => {
      if (request.previewJobId) throw new RestoreRefusedError('The preview had errors.', ORIGINAL);
      return started(true);
    });
    const answer = await answerBatch(
      {
        source: 'sqs',
        records: [
          { messageId: 'm-preview', request: { source: 'direct', work: { action: 'restore-preview', jobId: ORIGINAL } } },
          {
            messageId: 'm-apply',
            request: { source: 'direct', work: { action: 'restore-apply', jobId: ORIGINAL, previewJobId: PREVIEW_JOB } },
          },
        ],
      },
      rt(),
      lambdaClock(60_000),
      'batch-request',
    );
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-apply' }] });
    expect(vi.mocked(submitRestore).mock.calls.map((c) => c[0].requestId)).toEqual([
      'sqs:m-preview:batch-request',
      'sqs:m-apply:batch-request',
    ]);
    expect(output().find((l) => l.message === 'Archive failed')).toMatchObject({
      level: 'ERROR',
      messageId: 'm-apply',
      errorName: 'Permanent.RestoreRefused',
      errorCode: 'RestoreRefused',
      errorMessage: 'The preview had errors.',
      phase: 'restore',
      jobId: ORIGINAL,
    });
    expect(metricLine()).toMatchObject({ RestorePreviews: 1, Failures: 1 });
    expect(output().find((l) => l.FailureKind)).toMatchObject({ FailureKind: 'RestoreRefused', Failures: 1 });
  });

  it('logs an unexpected failure by its name and message, and an unreadable record by its problem', async () => {
    vi.mocked(submitRestore).mockRejectedValue(new TypeError('undefined is not a function'));
    const answer = await answerBatch(
      {
        source: 'sqs',
        records: [
          { messageId: 'm-bad', request: { invalid: new Error('An SQS record body is not JSON.') } },
          { messageId: 'm-bug', request: { source: 'direct', work: { action: 'restore-preview', jobId: ORIGINAL } } },
        ],
      },
      rt(),
      lambdaClock(60_000),
      'batch-request',
    );
    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: 'm-bad' }, { itemIdentifier: 'm-bug' }]);
    expect(output().find((l) => l.message === 'A queue message is not a request')).toMatchObject({
      level: 'ERROR',
      messageId: 'm-bad',
      errorMessage: 'An SQS record body is not JSON.',
    });
    expect(output().find((l) => l.message === 'Archive failed')).toMatchObject({
      messageId: 'm-bug',
      errorName: 'TypeError',
      errorMessage: 'undefined is not a function',
    });
    const kinds =
      (metrics.flush(),
      output()
        .filter((l) => l.FailureKind)
        .map((l) => l.FailureKind));
    expect(kinds).toEqual(['Unexpected', 'Unexpected']);
  });
});
