import { describe, expect, it } from 'vitest';
import { completeResults, failedResults } from '../../local/import-results.ts';
import { hex, keysOf, useArtifactHarness } from '../support/artifact-harness.ts';
import { httpEvent, restEvent, routeEvent } from '../support/events.ts';

// The API Gateway routes through the built handler, REST (payload 1.0) and HTTP API (2.0):
// JSON bodies, ISC's error envelope, 202 and a hand-off for work that outlasts the API.

const h = useArtifactHarness();
const bodyOf = (answer: any) => JSON.parse(answer.value.body);

describe('the API routes', () => {
  it('answers POST with 200 and the result, then GET with the manifest and the report (REST and HTTP API)', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'FAILED', results: failedResults() });
    const post = await h.lambda.invoke(httpEvent('POST', `/imports/${jobId}/archive`, jobId));
    expect(post).toMatchObject({ ok: true, value: { statusCode: 200, headers: { 'content-type': 'application/json' } } });
    expect(bodyOf(post)).toMatchObject({ outcome: 'ARCHIVED', status: 'FAILED' });
    const get = await h.lambda.invoke(restEvent('GET', `/imports/${jobId}`, jobId));
    expect(bodyOf(get)).toEqual({ ...(await h.manifestOf(jobId)), restores: [] });
    const report = await h.lambda.invoke(httpEvent('GET', `/imports/${jobId}/report`, jobId));
    expect(report).toMatchObject({ ok: true, value: { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8' } } });
    expect((report as any).value.body).toBe((await h.stack.getObject(keysOf(jobId).report))!.body.toString());
  });

  it("answers GET with 404 in ISC's envelope for a job not archived", async () => {
    const jobId = hex();
    for (const path of [`/imports/${jobId}`, `/imports/${jobId}/report`]) {
      const result = await h.lambda.invoke(restEvent('GET', path, jobId));
      expect(result).toMatchObject({ ok: true, value: { statusCode: 404 } });
      expect(bodyOf(result)).toMatchObject({ detailCode: '404 Not found', messages: [{ text: `Import ${jobId} has not been archived.` }] });
    }
  });

  it('answers GET .../report with 404 while a report.html exists without a manifest (a run that did not finish)', async () => {
    const jobId = hex();
    await h.stack.putObject(keysOf(jobId).report, '<!doctype html><title>unfinished</title>', 'text/html; charset=utf-8');
    for (const route of ['report', 'status'] as const) {
      const answer = await h.lambda.invoke(routeEvent(route, jobId));
      expect(answer).toMatchObject({ ok: true, value: { statusCode: 404 } });
      expect(bodyOf(answer).messages[0].text).toBe(`Import ${jobId} has not been archived.`);
    }
  });

  it('answers POST for a running job with 202 and hands it to an asynchronous invocation', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', runningForMs: 60_000, results: completeResults() });
    const before = h.stack.dev.lambda.invocations.length;
    const result = await h.lambda.invoke(restEvent('POST', `/imports/${jobId}/archive`, jobId));
    expect(result).toMatchObject({ ok: true, value: { statusCode: 202 } });
    expect(bodyOf(result)).toMatchObject({ jobId, status: 'NOT_STARTED' });
    expect(h.stack.dev.lambda.invocations.slice(before)).toEqual([
      { functionName: 'isc-import-archiver', payload: { jobId, force: false, waitingSince: expect.any(String) } },
    ]);
  });

  it('hands a rearchive of a running job on with force kept', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', runningForMs: 60_000, results: completeResults() });
    const before = h.stack.dev.lambda.invocations.length;
    const result = await h.lambda.invoke(routeEvent('rearchive', jobId));
    expect(result).toMatchObject({ ok: true, value: { statusCode: 202 } });
    expect(h.stack.dev.lambda.invocations.slice(before)).toEqual([
      { functionName: 'isc-import-archiver', payload: { jobId, force: true, waitingSince: expect.any(String) } },
    ]);
  });

  it('answers 404 for an unknown job and 502 when ISC keeps failing', async () => {
    const unknown = hex();
    const notFound = await h.lambda.invoke(restEvent('POST', `/imports/${unknown}/archive`, unknown));
    expect(notFound).toMatchObject({ ok: true, value: { statusCode: 404 } });
    expect(bodyOf(notFound).trackingId).toMatch(/^[0-9a-f]{32}$/);
    const failing = hex();
    h.stack.isc.addJob(failing, { status: 'COMPLETE', results: '{}', faults: [{ on: 'status', status: 403 }] });
    const bad = await h.lambda.invoke(restEvent('POST', `/imports/${failing}/archive`, failing));
    expect(bad).toMatchObject({ ok: true, value: { statusCode: 502 } });
    expect(bodyOf(bad)).toMatchObject({
      detailCode: '502 Bad Gateway',
      messages: [{ locale: 'en-US', localeOrigin: 'DEFAULT', text: expect.stringContaining('403') }],
    });
  });
});
