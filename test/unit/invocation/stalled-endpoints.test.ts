import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lambda/contract/config.ts';
import { deadlineFrom } from '../../../lambda/core/deadline.ts';
import { answerApi } from '../../../lambda/invocation/api-door.ts';
import { handOff } from '../../../lambda/invocation/hand-off.ts';
import type { Runtime } from '../../../lambda/invocation/runtime.ts';
import { startRestore } from '../../../lambda/restore/restore-job.ts';
import { s3ArchiveStore } from '../../../lambda/storage/archive-store.ts';
import { publishArchived } from '../../../lambda/telemetry/archived-event.ts';
import { LOCAL_S3_CREDENTIALS } from '../../../local/s3-server.ts';
import { archiveDeps, recordingLog } from '../../support/archive-fakes.ts';
import { scriptedIsc } from '../../support/archive-restore-isc.ts';
import { lambdaClock, TENANT_CREDENTIALS } from '../../support/invocation-runtime.ts';
import { startServer, type TestServer } from '../../support/test-servers.ts';

// AWS endpoints that accept the connection and never answer: every call the function makes ends
// before its deadline all the same, with the SDK clients' own timeouts far longer than the test.

const open: TestServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
async function silent(): Promise<string> {
  const server = await startServer(() => {});
  open.push(server);
  return server.url;
}
const aws = { region: 'us-east-1', credentials: LOCAL_S3_CREDENTIALS, maxAttempts: 5 };
const s3 = (endpoint: string) => new S3Client({ ...aws, endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
async function timed(work: () => Promise<unknown>): Promise<{ outcome: unknown; ms: number }> {
  const started = Date.now();
  const outcome = await work().then(
    (value) => value,
    (error: unknown) => error,
  );
  return { outcome, ms: Date.now() - started };
}
const jobId = '0123456789abcdef0123456789abcdef';

describe('a stalled S3 behind the API reads', () => {
  it.each(['status', 'report'] as const)('GET %s answers out of time (504) before the invocation ends', async (action) => {
    const rt = {
      config: loadConfig({ ARCHIVE_BUCKET: 'stalled-bucket', ISC_SECRET_ID: 'x' }),
      credentials: { get: async () => TENANT_CREDENTIALS },
      store: s3ArchiveStore(s3(await silent()), 'stalled-bucket'),
    } as unknown as Runtime;
    // 3 s left: the deadline keeps 1.5 s back, so the read stops at about 1.5 s.
    const { outcome, ms } = await timed(() =>
      answerApi({ source: 'api', format: 'rest', work: { action, jobId } }, rt, lambdaClock(3_000), 'r'),
    );
    expect(outcome).toMatchObject({ code: 'TimeBudgetExhausted' });
    expect(ms).toBeLessThan(2_500);
  });
});

describe('a stalled S3 behind a restore', () => {
  it('stops reading the archive at the deadline, and nothing reaches ISC', async () => {
    const isc = scriptedIsc();
    const deps = archiveDeps(s3ArchiveStore(s3(await silent()), 'stalled-bucket'), isc);
    const { outcome, ms } = await timed(() => startRestore({ jobId, requestId: 'r' }, deps, deadlineFrom(lambdaClock(3_000))));
    expect(outcome).toMatchObject({ code: 'TimeBudgetExhausted' });
    expect(ms).toBeLessThan(2_500);
    expect(isc.calls).toEqual([]);
  });
});

describe('a stalled queue, Lambda or EventBridge', () => {
  const runtime = (env: Record<string, string>, endpoint: string) =>
    ({
      config: loadConfig({ ARCHIVE_BUCKET: 'stalled-bucket', ISC_SECRET_ID: 'x', AWS_LAMBDA_FUNCTION_NAME: 'f', ...env }),
      sqs: () => new SQSClient({ ...aws, endpoint }),
      lambda: () => new LambdaClient({ ...aws, endpoint }),
    }) as unknown as Runtime;

  it.each([
    ['the deliveries queue', { ARCHIVE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/deliveries' }],
    ['an asynchronous invoke', {}],
  ])('a hand-off through %s fails as HandOffFailed when its signal ends', async (_via, env) => {
    const rt = runtime(env, await silent());
    const { outcome, ms } = await timed(() => handOff(rt, { jobId }, AbortSignal.timeout(500)));
    expect(outcome).toMatchObject({ name: 'HandOffFailed', retryable: true, jobId });
    expect(ms).toBeLessThan(1_500);
  });

  it('the archived event gives up when its signal ends, logged, without failing the archive', async () => {
    const client = new EventBridgeClient({ ...aws, endpoint: await silent() });
    const log = recordingLog();
    const detail = { jobId } as Parameters<typeof publishArchived>[2];
    const { outcome, ms } = await timed(() => publishArchived(client, 'default', detail, log, AbortSignal.timeout(500)));
    expect(outcome).toBeUndefined();
    expect(ms).toBeLessThan(1_500);
    expect(log.lines.map((l) => l.message)).toContain('Archived event not published');
  });
});
