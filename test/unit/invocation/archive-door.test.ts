import { randomBytes } from 'node:crypto';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { archiveKeys } from '../../../lambda/contract/archive-keys.ts';
import { archiveInBackground } from '../../../lambda/invocation/archive-door.ts';
import { metrics } from '../../../lambda/invocation/runtime.ts';
import { completeResults } from '../../../local/import-results.ts';
import { type FakeIscJob, fakeIsc } from '../../support/archive-fakes.ts';
import { useDoorTestBed } from '../../support/door-test-bed.ts';
import { invocationRuntime, lambdaClock } from '../../support/invocation-runtime.ts';
import type { LocalS3Store } from '../../support/local-s3-store.ts';

// The asynchronous door beyond the happy path: a job another delivery holds (watched, then either
// found archived or taken over), a wait that is already overdue, and what an archive tells
// operators (its log line, its metrics, the archived event).

let s3: LocalS3Store;
const { lambda, events, output } = useDoorTestBed((store) => (s3 = store));

const hex = () => randomBytes(16).toString('hex');
const rt = (jobId: string, job: FakeIscJob, env: Record<string, string> = {}) => invocationRuntime(s3, fakeIsc(jobId, job), env);
const keysOf = (jobId: string) => archiveKeys('sp-config/', 'acme', jobId);
const holdLease = (jobId: string, inMs: number) =>
  s3.write(keysOf(jobId).lease, JSON.stringify({ requestId: 'req-other', deadline: new Date(Date.now() + inMs).toISOString() }));

describe('a job another delivery is archiving', () => {
  it('is answered from the manifest that delivery writes, without archiving again even when forced', async () => {
    const jobId = hex();
    const runtime = rt(jobId, { statuses: ['COMPLETE'], results: completeResults() }, { ARCHIVE_EVENT_BUS: 'audit' });
    await archiveInBackground({ action: 'archive', jobId, force: false }, runtime, lambdaClock(60_000), 'first');
    const manifest = (await s3.read(keysOf(jobId).manifest))!;
    await s3.s3.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: keysOf(jobId).manifest }));
    events.resetHistory();
    // A lease short enough that the watcher's first look-again comes soon (it sleeps until just
    // past the holder's deadline), long enough to be still held when this delivery reads it.
    await holdLease(jobId, 600);
    // The other delivery finishes while this one watches.
    const finishing = new Promise<void>((resolve) => setTimeout(() => void s3.write(keysOf(jobId).manifest, manifest).then(resolve), 200));

    const answer = await archiveInBackground({ action: 'archive', jobId, force: true }, runtime, lambdaClock(60_000), 'second');
    await finishing;
    expect(answer).toMatchObject({ outcome: 'ALREADY_ARCHIVED', jobId, status: 'COMPLETE' });
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('is taken over once that delivery’s deadline has passed without a manifest', async () => {
    const jobId = hex();
    await holdLease(jobId, 500);
    const answer = await archiveInBackground(
      { action: 'archive', jobId, force: false },
      rt(jobId, { statuses: ['COMPLETE'], results: completeResults() }),
      lambdaClock(60_000),
      'taker',
    );
    expect(answer).toMatchObject({ outcome: 'ARCHIVED', jobId });
    expect(JSON.parse(String(await s3.read(keysOf(jobId).manifest)))).toMatchObject({ jobId, status: 'COMPLETE' });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    // It watched the holder first rather than taking a lease that was still live.
    expect(output().some((l) => l.holder === 'req-other')).toBe(true);
  });
});

describe('a wait already past MAX_WAIT_MINUTES', () => {
  it('looks once more but does not wait again, failing permanently if the import still runs', async () => {
    const jobId = hex();
    const waitingSince = new Date(Date.now() - 31 * 60_000).toISOString();
    const isc = fakeIsc(jobId, { statuses: ['IN_PROGRESS', 'COMPLETE'], results: completeResults() });
    await expect(
      archiveInBackground(
        { action: 'archive', jobId, force: false, waitingSince },
        invocationRuntime(s3, isc, { MAX_WAIT_MINUTES: '30' }),
        lambdaClock(60_000),
        'r',
      ),
    ).rejects.toMatchObject({ name: 'Permanent.ImportStillRunning', status: 'IN_PROGRESS', waitedMinutes: 31 });
    expect(isc.calls.filter((c) => c.includes('/status') || c.startsWith('GET'))).toHaveLength(1);
  });

  it('archives an import that ended meanwhile', async () => {
    const jobId = hex();
    const waitingSince = new Date(Date.now() - 400 * 60_000).toISOString();
    const answer = await archiveInBackground(
      { action: 'archive', jobId, force: false, waitingSince },
      rt(jobId, { statuses: ['COMPLETE'], results: completeResults() }),
      lambdaClock(60_000),
      'r',
    );
    expect(answer).toMatchObject({ outcome: 'ARCHIVED' });
  });
});

describe('what an archive tells operators', () => {
  it('logs the outcome with the bytes written and ISC requests made, and records the metrics', async () => {
    const jobId = hex();
    const runtime = rt(jobId, { statuses: ['COMPLETE'], results: completeResults() });
    await archiveInBackground({ action: 'archive', jobId, force: false }, runtime, lambdaClock(60_000), 'r');
    const manifest = JSON.parse((await s3.read(keysOf(jobId).manifest))!.toString()) as { objects: { bytes: number }[] };
    const bytes = manifest.objects.reduce((sum, o) => sum + o.bytes, 0);
    expect(bytes).toBeGreaterThan(0);
    const done = output().find((l) => l.message === 'Archive done');
    expect(done).toMatchObject({
      level: 'INFO',
      jobId,
      outcome: 'ARCHIVED',
      status: 'COMPLETE',
      manifestKey: keysOf(jobId).manifest,
      bytes,
      iscRequests: runtime.isc.requestCount(),
    });
    expect(done!.iscRequests).toBeGreaterThan(0);
    metrics.flush();
    const line = output().find((l) => l._aws)!;
    expect(line).toMatchObject({ JobsArchived: 1, BytesArchived: bytes, ImportErrors: 0, ImportWarnings: 1 });
    expect(line.ArchiveDuration).toBeGreaterThanOrEqual(0);
    expect(line.ArchiveDuration).toBeLessThan(30_000);
  });

  it('records no bytes for a job already archived', async () => {
    const jobId = hex();
    const runtime = rt(jobId, { statuses: ['COMPLETE'], results: completeResults() });
    await archiveInBackground({ action: 'archive', jobId, force: false }, runtime, lambdaClock(60_000), 'r');
    metrics.flush();
    const again = await archiveInBackground({ action: 'archive', jobId, force: false }, runtime, lambdaClock(60_000), 'r');
    expect(again).toMatchObject({ outcome: 'ALREADY_ARCHIVED' });
    metrics.flush();
    const lines = output().filter((l) => l._aws);
    expect(lines.at(-1)).toMatchObject({ AlreadyArchived: 1 });
    expect(lines.at(-1)!.BytesArchived).toBeUndefined();
  });

  it('publishes the archived event with where the manifest is', async () => {
    const jobId = hex();
    await archiveInBackground(
      { action: 'archive', jobId, force: false },
      rt(jobId, { statuses: ['COMPLETE'], results: completeResults() }, { ARCHIVE_EVENT_BUS: 'audit' }),
      lambdaClock(60_000),
      'r',
    );
    const entry = events.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(JSON.parse(entry.Detail!)).toMatchObject({
      jobId,
      tenant: 'acme',
      status: 'COMPLETE',
      manifest: { bucket: s3.bucket, key: keysOf(jobId).manifest },
    });
  });

  it('counts a continuation and says how long it has waited', async () => {
    const jobId = hex();
    const waitingSince = new Date(Date.now() - 7 * 60_000 - 5_000).toISOString();
    await archiveInBackground(
      { action: 'archive', jobId, force: false, waitingSince },
      rt(jobId, { statuses: ['IN_PROGRESS'] }),
      lambdaClock(2_000),
      'r',
    );
    expect(output().find((l) => l.message === 'Still waiting; continuing in a new invocation')).toMatchObject({
      jobId,
      status: 'IN_PROGRESS',
      waitingSince,
      waitedMinutes: 7,
      via: 'invoke',
    });
    metrics.flush();
    expect(output().find((l) => l._aws)).toMatchObject({ ContinuedWaiting: 1 });
  });
});
