import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { handler as Handler } from '../../../lambda/handler.ts';
import { completeResults } from '../../../local/import-results.ts';
import { DEMO_CLIENT, IscDouble } from '../../../local/isc-double.ts';
import { eventBridgeEvent, routeEvent } from '../../support/events.ts';
import { captureOutput, freshHandler, localS3Env, restoreProcessEnv } from '../../support/invocation-runtime.ts';
import { type LocalS3Store, startLocalS3Store } from '../../support/local-s3-store.ts';

// The handler of a deployment configured by its environment, archiving from a local ISC into the
// local S3: which door each kind of event goes through, what it answers, what the invocation
// prints, and that warm invocations reuse what the cold start built.

const hex = () => randomBytes(16).toString('hex');
const context = (awsRequestId: string) => ({ awsRequestId, getRemainingTimeInMillis: () => 60_000 });

let s3: LocalS3Store;
let isc: IscDouble;
let handler: typeof Handler;
let output: () => Record<string, any>[];

beforeAll(async () => {
  [s3, isc] = await Promise.all([startLocalS3Store(), IscDouble.start()]);
  handler = await freshHandler({
    ...localS3Env(s3),
    SAIL_BASE_URL: isc.url,
    SAIL_TENANT: isc.tenant,
    SAIL_CLIENT_ID: DEMO_CLIENT.clientId,
    SAIL_CLIENT_SECRET: DEMO_CLIENT.clientSecret,
  });
});
afterAll(async () => {
  restoreProcessEnv();
  await Promise.all([s3?.close(), isc?.close()]);
});
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const completedJob = () => {
  const jobId = hex();
  isc.addJob(jobId, { status: 'COMPLETE', results: completeResults() });
  return jobId;
};
const tokenRequests = () => isc.requests.filter((r) => r.path === '/oauth/token').length;

describe('the handler', () => {
  it('archives a job at a direct invoke and returns the result itself, its metrics flushed and its lines tracked', async () => {
    const jobId = completedJob();
    const answer = await handler({ jobId }, context('11-aa'));
    expect(answer).toMatchObject({ outcome: 'ARCHIVED', jobId, status: 'COMPLETE', bucket: s3.bucket });
    expect(answer).not.toHaveProperty('statusCode');
    const manifest = await s3.read((answer as { manifestKey: string }).manifestKey);
    expect(JSON.parse(String(manifest))).toMatchObject({ jobId, status: 'COMPLETE' });
    const lines = output();
    expect(lines.find((l) => l._aws)).toMatchObject({ JobsArchived: 1 });
    const logged = lines.filter((l) => l.level === 'INFO');
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) expect(line).toMatchObject({ function_request_id: '11-aa', jobId });
  });

  it('archives a job named by an EventBridge event the same way', async () => {
    const jobId = completedJob();
    await expect(handler(eventBridgeEvent({ jobId }), context('22-bb'))).resolves.toMatchObject({ outcome: 'ARCHIVED', jobId });
  });

  it('answers the API with an HTTP response for the same work', async () => {
    const jobId = completedJob();
    const response = await handler(routeEvent('archive', jobId), context('33-cc'));
    expect(response).toMatchObject({ statusCode: 200 });
    expect(JSON.parse((response as { body: string }).body)).toMatchObject({ outcome: 'ARCHIVED', jobId });
  });

  it('reuses what the cold start built: warm invocations ask ISC for no new token', async () => {
    const before = tokenRequests();
    expect(before).toBe(1);
    await handler({ jobId: completedJob() }, context('44-dd'));
    expect(tokenRequests()).toBe(before);
  });
});
