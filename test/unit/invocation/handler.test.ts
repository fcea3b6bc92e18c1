import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { archiveKeys } from '../../../lambda/contract/archive-keys.ts';
import { DEFAULTS } from '../../../lambda/contract/constants.ts';
import type { handler as Handler } from '../../../lambda/handler.ts';
import { routeEvent, sqsEvent } from '../../support/events.ts';
import { captureOutput, freshHandler, localS3Env, restoreProcessEnv } from '../../support/invocation-runtime.ts';
import { type LocalS3Store, startLocalS3Store } from '../../support/local-s3-store.ts';

// The handler builds its runtime from process.env when it is first imported: each block sets the
// environment, imports a fresh copy, and drives it with events as AWS sends them. Routes that need
// S3 alone are driven here (the local S3); archiving through a local ISC is handler-archive.test.ts.

const hex = () => randomBytes(16).toString('hex');
const context = (awsRequestId?: string) => ({ getRemainingTimeInMillis: () => 60_000, ...(awsRequestId ? { awsRequestId } : {}) });
let output: () => Record<string, any>[];

beforeEach(() => {
  output = captureOutput();
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(() => {
  restoreProcessEnv();
});

const body = (response: unknown) => JSON.parse((response as { body: string }).body) as Record<string, any>;
const metricLines = () => output().filter((l) => l._aws);

describe('a deployment with a configuration error', () => {
  let handler: typeof Handler;
  beforeAll(async () => {
    handler = await freshHandler({ SAIL_BASE_URL: 'https://acme.api.identitynow.com' });
  });

  it('answers the API with 502 naming the variable, instead of failing to start', async () => {
    const response = await handler(routeEvent('status', hex()), context('11-22'));
    expect(response).toMatchObject({ statusCode: 502 });
    expect(body(response)).toMatchObject({
      detailCode: '502 Bad Gateway',
      trackingId: '1122',
      messages: [{ text: expect.stringContaining('ARCHIVE_BUCKET is not set') }],
    });
  });

  it('throws the configuration error at a direct invoke, and logs and counts it', async () => {
    await expect(handler({ jobId: hex() }, context('r'))).rejects.toMatchObject({ name: 'Permanent.Configuration' });
    expect(output().find((l) => l.message === 'Request failed')).toMatchObject({
      level: 'ERROR',
      errorCode: 'Configuration',
      phase: 'config',
    });
    expect(metricLines().find((l) => l.FailureKind)).toMatchObject({ FailureKind: 'Configuration', Failures: 1 });
  });

  it('still refuses an invalid event as such, before the configuration matters', async () => {
    await expect(handler({ nothing: true }, context('r'))).rejects.toMatchObject({ name: 'Permanent.InvalidInput' });
  });
});

describe('a configured deployment', () => {
  let s3: LocalS3Store;
  let handler: typeof Handler;
  beforeAll(async () => {
    s3 = await startLocalS3Store();
    handler = await freshHandler({
      ...localS3Env(s3),
      SAIL_BASE_URL: 'https://acme.api.identitynow.com',
      SAIL_CLIENT_ID: 'id',
      SAIL_CLIENT_SECRET: 'secret',
    });
  });
  afterAll(async () => {
    await s3?.close();
  });

  it('answers GET /imports/{jobId} of a job not archived with 404, tracked by the request id', async () => {
    const jobId = hex();
    const response = await handler(routeEvent('status', jobId), context('aa-bb-cc'));
    expect(response).toMatchObject({ statusCode: 404, isBase64Encoded: false });
    expect(body(response)).toEqual({
      detailCode: '404 Not found',
      trackingId: 'aabbcc',
      messages: [{ locale: 'en-US', localeOrigin: 'DEFAULT', text: `Import ${jobId} has not been archived.` }],
    });
    // A read records no metric, so nothing is printed for it.
    expect(metricLines()).toEqual([]);
  });

  it('answers a request it cannot route with 400, tracked as "local" without a request id', async () => {
    const response = await handler(
      { httpMethod: 'DELETE', path: '/imports/x', requestContext: { stage: 'prod' }, pathParameters: null },
      context(),
    );
    expect(response).toMatchObject({ statusCode: 400 });
    expect(body(response)).toMatchObject({ detailCode: '400.1 Bad Request Content', trackingId: 'local' });
    expect(metricLines().find((l) => l.FailureKind)).toMatchObject({ FailureKind: 'InvalidInput' });
  });

  it('throws a refused restore at a direct invoke, logging it with the job id, then forgets the job id', async () => {
    const jobId = hex();
    await expect(handler({ jobId, action: 'restore-preview' }, context('r'))).rejects.toMatchObject({
      name: 'Permanent.RestoreRefused',
      jobId,
    });
    expect(output().find((l) => l.message === 'Request failed')).toMatchObject({ jobId, errorCode: 'RestoreRefused' });
    // The next invocation's lines do not carry the previous job.
    await handler({ Records: [] }, context('r2'));
    await expect(handler({ nothing: true }, context('r3'))).rejects.toThrow();
    expect(
      output()
        .filter((l) => l.message === 'Request failed')
        .at(-1)!.jobId,
    ).toBeUndefined();
  });

  it('answers a stored object it cannot read as a manifest with 500, logged with the job and counted as unexpected', async () => {
    const jobId = hex();
    await s3.write(archiveKeys(DEFAULTS.prefix, 'acme', jobId).manifest, '{"not":"a manifest"}');
    const response = await handler(routeEvent('status', jobId), context('dd-ee'));
    expect(response).toMatchObject({ statusCode: 500 });
    expect(body(response)).toMatchObject({ trackingId: 'ddee' });
    // The error itself knows no job: the line names it because the invocation does.
    expect(output().find((l) => l.message === 'Request failed')).toMatchObject({
      level: 'ERROR',
      errorName: 'Error',
      errorMessage: expect.stringContaining('not an archiver manifest'),
      jobId,
      function_request_id: 'dd-ee',
    });
    expect(metricLines().find((l) => l.FailureKind)).toMatchObject({ FailureKind: 'Unexpected', Failures: 1 });
    // The next invocation, a queue batch, is about no job: its lines do not name this one.
    await handler(sqsEvent([{ messageId: 'm1', body: '{' }]), context('ff'));
    const refused = output().find((l) => l.message === 'A queue message is not a request');
    expect(refused).toMatchObject({ messageId: 'm1', function_request_id: 'ff' });
    expect(refused).not.toHaveProperty('jobId');
  });

  it('rethrows whatever a direct invoke throws as it is, even a thrown nothing', async () => {
    const event = {
      get jobId(): string {
        throw undefined;
      },
    };
    await expect(handler(event, context('r'))).rejects.toBeUndefined();
    expect(metricLines().find((l) => l.FailureKind)).toMatchObject({ FailureKind: 'Unexpected' });
  });

  it('answers a queue batch with the records to retry', async () => {
    const answer = await handler(
      sqsEvent([
        { messageId: 'not-json', body: '{' },
        { messageId: 'no-job', body: { hello: 1 } },
      ]),
      context('r'),
    );
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'not-json' }, { itemIdentifier: 'no-job' }] });
  });

  it('answers an HTTP API (payload 2.0) request for a missing report with 404', async () => {
    const jobId = hex();
    const response = await handler(
      {
        version: '2.0',
        rawPath: `/imports/${jobId}/report`,
        pathParameters: { jobId },
        requestContext: { http: { method: 'GET', path: `/imports/${jobId}/report` } },
      },
      context('r'),
    );
    expect(response).toMatchObject({ statusCode: 404 });
  });
});
