import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ARCHIVED_EVENT, METRICS_NAMESPACE, PRODUCT } from '../../lambda/contract/constants.ts';
import { completeResults, failedResults } from '../../local/import-results.ts';
import { DEMO_CLIENT } from '../../local/isc-double.ts';
import { hex, useArtifactHarness } from '../support/artifact-harness.ts';
import { restEvent, routeEvent } from '../support/events.ts';
import type { LambdaContainer } from '../support/lambda-container.ts';

// What the function tells operators (logs, embedded-format metrics, the archived event), and what
// it never tells anyone (docs/contract.md, "Never").

const h = useArtifactHarness();

/** The embedded-format metric lines a container printed since `mark`, with their values. */
function metricsSince(container: LambdaContainer, mark: number) {
  return container.jsonLines(mark).filter((l) => l._aws?.CloudWatchMetrics);
}

/** The one aggregate metrics line (no FailureKind) printed since `mark`. */
function flushedSince(container: LambdaContainer, mark: number) {
  const lines = metricsSince(container, mark).filter((l) => l.FailureKind === undefined);
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('credentials and secrecy', () => {
  it.each([
    ['missing', undefined, /secret isc-import-archiver\/missing \(ResourceNotFoundException\)/],
    ['not JSON', 'clientSecret=hunter2-very-secret', /not valid JSON/],
    ['without clientSecret', JSON.stringify({ baseUrl: 'https://acme.api.identitynow.com', clientId: 'abc' }), /lack "clientSecret"/],
  ])('fails with a configuration error when the secret is %s, never printing its value', async (what, value, message) => {
    const secretId = what === 'missing' ? 'isc-import-archiver/missing' : `isc-import-archiver/${randomUUID()}`;
    if (value !== undefined) h.stack.dev.secrets.setSecret(secretId, value);
    const container = await h.container({ ISC_SECRET_ID: secretId });
    const result = await container.invoke({ jobId: hex() });
    expect(result).toMatchObject({ ok: false, error: { name: 'Permanent.Configuration', phase: 'secret' } });
    expect((result as any).error.message).toMatch(message);
    expect(container.output).not.toContain('hunter2');
    await container.stop();
  });

  it('never prints the client secret, an access token or an Authorization header', async () => {
    const container = await h.container({ POWERTOOLS_LOG_LEVEL: 'DEBUG' });
    const [ok, expired, forbidden, retried] = [hex(), hex(), hex(), hex()];
    h.stack.isc.addJob(ok, { status: 'COMPLETE', results: completeResults() });
    h.stack.isc.addJob(expired, {
      status: 'COMPLETE',
      results: completeResults(),
      faults: [
        { on: 'results', expireToken: true },
        { on: 'status', expireToken: true },
      ],
    });
    h.stack.isc.addJob(forbidden, { status: 'COMPLETE', results: completeResults(), faults: [{ on: 'status', status: 403 }] });
    h.stack.isc.addJob(retried, {
      status: 'COMPLETE',
      results: completeResults(),
      faults: [
        { on: 'results', reset: 'mid-body' },
        { on: 'results', status: 500 },
      ],
    });
    for (const jobId of [ok, expired, forbidden, retried]) await container.invoke({ jobId });
    await container.invoke(restEvent('POST', `/imports/${hex()}/archive`, undefined));
    await container.invoke(routeEvent('archive', forbidden));

    const output = container.output;
    expect(output.length).toBeGreaterThan(1000);
    expect(output).not.toContain(DEMO_CLIENT.clientSecret);
    expect(h.stack.isc.issuedTokens.length).toBeGreaterThan(1);
    for (const token of h.stack.isc.issuedTokens) {
      expect(output).not.toContain(token);
      expect(output).not.toContain(token.split('.')[2]);
    }
    expect(output.toLowerCase()).not.toContain('bearer ');
    expect(output.toLowerCase()).not.toContain('authorization');
  });

  it('logs one JSON line per step with the job id', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    const mark = h.lambda.mark();
    await h.lambda.invoke({ jobId });
    const lines = h.lambda.jsonLines(mark).filter((l) => l.jobId === jobId);
    expect(lines.map((l) => l.message)).toEqual(
      expect.arrayContaining(['Import status read', 'Results archived', 'Report written', 'Manifest written', 'Archive done']),
    );
    expect(lines.find((l) => l.message === 'Results archived')).toMatchObject({
      level: 'INFO',
      service: PRODUCT,
      bytes: completeResults().length,
    });
  });
});

describe('metrics, from this test’s own invocations', () => {
  it('counts a FAILED import’s errors and warnings, and one import with errors', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'FAILED', results: failedResults() });
    const mark = h.lambda.mark();
    await h.lambda.invoke({ jobId });
    const manifest = await h.manifestOf(jobId);
    const line = flushedSince(h.lambda, mark);
    expect(line).toMatchObject({ JobsArchived: 1, ImportErrors: 2, ImportWarnings: 1, ImportsWithErrors: 1, service: PRODUCT });
    expect(line.BytesArchived).toBe(manifest.objects.reduce((sum: number, o: any) => sum + o.bytes, 0));
    expect(line.ArchiveDuration).toBeGreaterThan(0);
    expect(line._aws.CloudWatchMetrics[0].Namespace).toBe(METRICS_NAMESPACE);
    const units = Object.fromEntries(line._aws.CloudWatchMetrics[0].Metrics.map((m: any) => [m.Name, m.Unit]));
    expect(units).toMatchObject({ JobsArchived: 'Count', ImportErrors: 'Count', BytesArchived: 'Bytes', ArchiveDuration: 'Milliseconds' });
  });

  it('counts a clean import as no import with errors', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    const mark = h.lambda.mark();
    await h.lambda.invoke({ jobId });
    expect(flushedSince(h.lambda, mark)).toMatchObject({ JobsArchived: 1, ImportErrors: 0, ImportWarnings: 1, ImportsWithErrors: 0 });
  });

  it('counts a duplicate as AlreadyArchived and nothing else, and a CANCELLED import apart', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    await h.lambda.invoke({ jobId });
    const mark = h.lambda.mark();
    await h.lambda.invoke({ jobId });
    const duplicate = flushedSince(h.lambda, mark);
    expect(duplicate).toMatchObject({ AlreadyArchived: 1 });
    for (const name of ['JobsArchived', 'ImportErrors', 'ImportsWithErrors', 'BytesArchived'])
      expect(duplicate[name], name).toBeUndefined();

    const cancelled = hex();
    h.stack.isc.addJob(cancelled, { status: 'CANCELLED' });
    const again = h.lambda.mark();
    await h.lambda.invoke({ jobId: cancelled });
    const line = flushedSince(h.lambda, again);
    expect(line).toMatchObject({ CancelledArchived: 1, ImportErrors: 0, ImportsWithErrors: 0 });
    expect(line.JobsArchived).toBeUndefined();
  });

  it('counts failures by kind, and a hand-off', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults(), faults: [{ on: 'status', status: 403 }] });
    const mark = h.lambda.mark();
    await h.lambda.invoke({ jobId });
    const lines = metricsSince(h.lambda, mark);
    expect(lines.find((m) => m.FailureKind !== undefined)).toMatchObject({ FailureKind: 'IscForbidden', Failures: 1, service: PRODUCT });
    expect(lines.find((m) => m.FailureKind === undefined)).toMatchObject({ Failures: 1 });

    const running = hex();
    h.stack.isc.addJob(running, { status: 'COMPLETE', runningForMs: 60_000, results: completeResults() });
    const again = h.lambda.mark();
    await h.lambda.invoke(routeEvent('archive', running));
    expect(flushedSince(h.lambda, again)).toMatchObject({ HandedOff: 1 });
  });
});

describe('the archived event', () => {
  it('is published on ARCHIVE_EVENT_BUS once per archive', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'FAILED', results: failedResults() });
    const bus = await h.container({ ARCHIVE_EVENT_BUS: 'audit-bus' });
    await bus.invoke({ jobId });
    const published = h.stack.dev.events.events.filter((e) => e.Detail?.includes(jobId));
    expect(published).toEqual([
      expect.objectContaining({ EventBusName: 'audit-bus', Source: ARCHIVED_EVENT.source, DetailType: ARCHIVED_EVENT.detailType }),
    ]);
    expect(JSON.parse(published[0]!.Detail!)).toMatchObject({ jobId, status: 'FAILED', totals: { errors: 2, warnings: 1 } });
  });

  it('is not published when ARCHIVE_EVENT_BUS is unset', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
    const quiet = await h.container({ ARCHIVE_EVENT_BUS: '' });
    const eventsBefore = h.stack.dev.events.events.length;
    expect(await quiet.invoke({ jobId })).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED' } });
    expect(h.stack.dev.events.events.length).toBe(eventsBefore);
  });
});
