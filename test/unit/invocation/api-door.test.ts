import { randomBytes } from 'node:crypto';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { archiveKeys } from '../../../lambda/contract/archive-keys.ts';
import { TimeBudgetError } from '../../../lambda/core/errors.ts';
import { answerApi } from '../../../lambda/invocation/api-door.ts';
import type { ApiRequest } from '../../../lambda/invocation/requests.ts';
import { metrics } from '../../../lambda/invocation/runtime.ts';
import { completeResults } from '../../../local/import-results.ts';
import { type FakeIscJob, fakeIsc } from '../../support/archive-fakes.ts';
import { useDoorTestBed } from '../../support/door-test-bed.ts';
import { invocationRuntime, lambdaClock } from '../../support/invocation-runtime.ts';
import type { LocalS3Store } from '../../support/local-s3-store.ts';

// The API door against the real local S3: reads answer 404 until archived, POST archives within
// the API's budget or answers 202 and hands off, and every answer has the shape the contract names.

let s3: LocalS3Store;
const { lambda, output } = useDoorTestBed((store) => (s3 = store));

const hex = () => randomBytes(16).toString('hex');
const api = (work: ApiRequest['work']): ApiRequest => ({ source: 'api', format: 'rest', work });
const body = (response: { body: string }) => JSON.parse(response.body) as Record<string, any>;
const handedOff = () =>
  lambda.commandCalls(InvokeCommand).map((c) => JSON.parse(Buffer.from(c.args[0].input.Payload as Uint8Array).toString()));
const rt = (jobId: string, job: FakeIscJob) => invocationRuntime(s3, fakeIsc(jobId, job));

describe('GET /imports/{jobId} and its report', () => {
  it.each(['status', 'report'] as const)('answers %s of a job not archived with 404 in ISC’s envelope', async (action) => {
    const jobId = hex();
    const response = await answerApi(api({ action, jobId }), rt(jobId, { statuses: ['COMPLETE'] }), lambdaClock(60_000), 'ab-cd-ef');
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe('application/json');
    expect(body(response)).toEqual({
      detailCode: '404 Not found',
      trackingId: 'abcdef',
      messages: [{ locale: 'en-US', localeOrigin: 'DEFAULT', text: `Import ${jobId} has not been archived.` }],
    });
  });

  it('answers an archived job with its manifest and the restores started from it, newest first', async () => {
    const jobId = hex();
    const runtime = rt(jobId, { statuses: ['COMPLETE'], results: completeResults() });
    await answerApi(api({ action: 'archive', jobId, force: false }), runtime, lambdaClock(60_000), 'r');
    const keys = archiveKeys('sp-config/', 'acme', jobId);
    const older = { jobId: hex(), preview: true, at: '2026-12-01T10:00:00.000Z', previewJobId: null };
    const newer = { jobId: hex(), preview: false, at: '2026-12-01T11:00:00.000Z', previewJobId: older.jobId };
    await s3.write(`${keys.restores}${older.jobId}.json`, JSON.stringify(older));
    await s3.write(`${keys.restores}${newer.jobId}.json`, JSON.stringify(newer));

    const response = await answerApi(api({ action: 'status', jobId }), runtime, lambdaClock(60_000), 'r');
    expect(response.statusCode).toBe(200);
    const manifest = body(response);
    expect(manifest).toMatchObject({ jobId, tenant: 'acme', status: 'COMPLETE' });
    expect(manifest.objects.map((o: { role: string }) => o.role)).toContain('report');
    expect(manifest.restores).toEqual([newer, older]);
  });

  it('serves the report the manifest names as HTML', async () => {
    const jobId = hex();
    const runtime = rt(jobId, { statuses: ['COMPLETE'], results: completeResults() });
    await answerApi(api({ action: 'archive', jobId, force: false }), runtime, lambdaClock(60_000), 'r');
    const response = await answerApi(api({ action: 'report', jobId }), runtime, lambdaClock(60_000), 'r');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toMatch(/^<!doctype html>/i);
    expect(response.body).toContain(jobId);
  });

  it('answers 404 when the report the manifest names is gone from the archive', async () => {
    const jobId = hex();
    const runtime = rt(jobId, { statuses: ['COMPLETE'], results: completeResults() });
    await answerApi(api({ action: 'archive', jobId, force: false }), runtime, lambdaClock(60_000), 'r');
    const manifest = body(await answerApi(api({ action: 'status', jobId }), runtime, lambdaClock(60_000), 'r'));
    const report = manifest.objects.find((o: { role: string }) => o.role === 'report');
    await s3.s3.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: report.key }));
    const response = await answerApi(api({ action: 'report', jobId }), runtime, lambdaClock(60_000), 'req-9');
    expect(response.statusCode).toBe(404);
    expect(body(response)).toMatchObject({
      trackingId: 'req9',
      messages: [{ text: `The report of import ${jobId} is missing from the archive.` }],
    });
  });
});

describe('POST .../archive and .../rearchive', () => {
  it('archives a finished import within the API’s budget and answers 200 with the result', async () => {
    const jobId = hex();
    const response = await answerApi(
      api({ action: 'archive', jobId, force: false }),
      rt(jobId, { statuses: ['COMPLETE'], results: completeResults() }),
      lambdaClock(60_000),
      'r',
    );
    expect(response.statusCode).toBe(200);
    expect(body(response)).toMatchObject({
      outcome: 'ARCHIVED',
      jobId,
      status: 'COMPLETE',
      bucket: s3.bucket,
      manifestKey: archiveKeys('sp-config/', 'acme', jobId).manifest,
    });
    expect(handedOff()).toEqual([]);
  });

  it.each([false, true])('answers 202 for a running import and hands it off (force %s)', async (force) => {
    const jobId = hex();
    const before = Date.now();
    const response = await answerApi(
      api({ action: 'archive', jobId, force }),
      rt(jobId, { statuses: ['IN_PROGRESS'] }),
      lambdaClock(60_000),
      'r',
    );
    expect(response.statusCode).toBe(202);
    expect(body(response)).toMatchObject({
      jobId,
      status: 'IN_PROGRESS',
      message: 'The import is still running; it will be archived when it finishes.',
      job: { jobId, status: 'IN_PROGRESS' },
    });
    const [payload, ...more] = handedOff();
    expect(more).toEqual([]);
    expect(payload).toMatchObject({ jobId, force });
    expect(Date.parse(payload.waitingSince)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(payload.waitingSince)).toBeLessThanOrEqual(Date.now());
    metrics.flush();
    expect(output().find((l) => l.message === 'Handed to a background invocation')).toMatchObject({ jobId, via: 'invoke' });
    expect(output().find((l) => l._aws)).toMatchObject({ HandedOff: 1 });
  });

  it('answers 202 without a hand-off while another delivery archives the job', async () => {
    const jobId = hex();
    const lease = archiveKeys('sp-config/', 'acme', jobId).lease;
    await s3.write(lease, JSON.stringify({ requestId: 'req-live', deadline: new Date(Date.now() + 120_000).toISOString() }));
    const response = await answerApi(
      api({ action: 'archive', jobId, force: false }),
      rt(jobId, { statuses: ['COMPLETE'], results: completeResults() }),
      lambdaClock(60_000),
      'r',
    );
    expect(response.statusCode).toBe(202);
    expect(body(response)).toEqual({
      jobId,
      status: 'ARCHIVING',
      message: 'Another delivery is archiving this job now; its manifest will follow.',
    });
    // A background delivery makes that true even if the holder has crashed: it takes over after its deadline.
    expect(handedOff()).toEqual([{ jobId, force: false, waitingSince: expect.any(String) }]);
  });

  it('hands an archive that outlasts the API’s budget to the background and answers 202', async () => {
    const jobId = hex();
    const isc = fakeIsc(jobId, { statuses: ['COMPLETE'], results: completeResults() });
    const runtime = invocationRuntime(s3, {
      ...isc,
      download: async () => {
        throw new TimeBudgetError('Not enough time left to download', 'download', jobId);
      },
    });
    const response = await answerApi(api({ action: 'archive', jobId, force: true }), runtime, lambdaClock(60_000), 'r');
    expect(response.statusCode).toBe(202);
    expect(body(response)).toEqual({
      jobId,
      status: 'ARCHIVING',
      message: 'Archiving takes longer than the API can wait; it continues in the background.',
    });
    expect(handedOff()).toEqual([expect.objectContaining({ jobId, force: true })]);
  });

  it('lets any other failure reach the caller, handing nothing off', async () => {
    const jobId = hex();
    // The fake ISC knows another job only: this one is ISC's 404.
    await expect(
      answerApi(api({ action: 'archive', jobId, force: false }), rt(hex(), { statuses: ['COMPLETE'] }), lambdaClock(60_000), 'r'),
    ).rejects.toMatchObject({ httpStatus: 404, name: 'Permanent.IscNotFound' });
    expect(handedOff()).toEqual([]);
  });
});

describe('POST .../restore/preview', () => {
  it('is refused for a job that has no archive, before anything reaches ISC', async () => {
    const jobId = hex();
    const isc = fakeIsc(jobId, { statuses: ['COMPLETE'] });
    await expect(
      answerApi(api({ action: 'restore-preview', jobId }), invocationRuntime(s3, isc), lambdaClock(60_000), 'r'),
    ).rejects.toMatchObject({ name: 'Permanent.RestoreRefused', jobId });
    expect(isc.calls).toEqual([]);
    expect(handedOff()).toEqual([]);
  });
});
