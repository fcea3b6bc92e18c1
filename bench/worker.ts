// A benchmark worker: one process, like one Lambda container (or the floor script, or the peer
// SDK), archiving the jobs it is given one after another. It prints one JSON line at the end:
// per-job times, failures, and the process's peak RSS as the OS counted it.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import got from 'got';

interface Task {
  readonly mode: 'handler' | 'floor' | 'contract' | 'peer';
  readonly jobs: readonly { jobId: string; exportJobId?: string }[];
  /** Jobs archived first and not timed, so the container is warm. */
  readonly warmup?: number;
  readonly credentials: { baseUrl: string; clientId: string; clientSecret: string };
  readonly bucket: string;
}

const task = JSON.parse(process.argv[2]!) as Task;
const times: number[] = [];
let failures = 0;
const errors: string[] = [];
const archive = await archiver(task);
for (const [i, job] of task.jobs.entries()) {
  const started = performance.now();
  try {
    await archive(job);
    if (i >= (task.warmup ?? 0)) times.push(performance.now() - started);
  } catch (error) {
    failures++;
    if (errors.length < 3) errors.push(`${(error as Error).name}: ${(error as Error).message}`);
  }
}
process.stdout.write(`\n${JSON.stringify({ times, failures, errors, maxRssKb: peakRssKb() })}\n`);
process.exit(0);

/**
 * This process's own peak RSS, in KB. Not `resourceUsage().maxRSS`: on Linux a spawned child starts
 * with its parent's peak (getrusage keeps the larger of the two across exec), so every worker would
 * report at least the bench process's RSS, which holds s3rver, the ISC double and the documents it
 * serves. VmHWM belongs to this process's own memory map.
 */
function peakRssKb(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]);
  } catch {
    // Not Linux: there a spawned process's maxRSS is its own.
  }
  return process.resourceUsage().maxRSS;
}

async function archiver(t: Task): Promise<(job: { jobId: string; exportJobId?: string }) => Promise<void>> {
  if (t.mode === 'handler') {
    const { handler } = (await import(pathToFileURL(resolve('dist/lambda/handler.mjs')).href)) as {
      handler: (e: unknown, c: unknown) => Promise<{ outcome: string }>;
    };
    return async (job) => {
      const deadline = Date.now() + 300_000;
      const result = await handler(
        { jobId: job.jobId },
        { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => deadline - Date.now() },
      );
      if (result.outcome !== 'ARCHIVED') throw new Error(`outcome ${result.outcome}`);
    };
  }
  if (t.mode === 'floor') return floor(t);
  if (t.mode === 'contract') return contractFloor(t);
  return peer(t);
}

/** What both plain scripts share: one token, got on the sp-config paths, lib-storage uploads. */
async function plainClients(t: Task) {
  const s3 = new S3Client({ forcePathStyle: true });
  const token = await got
    .post(`${t.credentials.baseUrl}/oauth/token`, {
      form: { grant_type: 'client_credentials', client_id: t.credentials.clientId, client_secret: t.credentials.clientSecret },
    })
    .json<{ access_token: string }>();
  const http = got.extend({
    prefixUrl: `${t.credentials.baseUrl}/beta/sp-config`,
    headers: { authorization: `Bearer ${token.access_token}` },
  });
  const stream = (path: string, key: string) =>
    new Upload({ client: s3, params: { Bucket: t.bucket, Key: key, Body: http.stream(path), ContentType: 'application/json' } }).done();
  const put = (key: string, body: string, contentType: string, ifNoneMatch?: '*') =>
    s3.send(
      new PutObjectCommand({
        Bucket: t.bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        ...(ifNoneMatch ? { IfNoneMatch: ifNoneMatch } : {}),
      }),
    );
  /** The status, then the results and the backup (if any) streamed under `folder`. */
  const relay = async (job: { jobId: string; exportJobId?: string }, folder: string) => {
    const status = await http(`import/${job.jobId}`).json<{ status: string }>();
    await stream(`import/${job.jobId}/download`, `${folder}/results.json`);
    if (job.exportJobId) await stream(`export/${job.exportJobId}/download`, `${folder}/exports/${job.exportJobId}.json`);
    return status.status;
  };
  return { s3, put, relay, http };
}

/**
 * The simplest correct relay a competent engineer would write with the same clients: token once,
 * then per job the status, the results streamed into S3, the backup likewise, and a manifest. For a
 * job without a backup and results under lib-storage's 5 MB part, that is four requests a job (two
 * to ISC, two PutObjects), which the latency case checks.
 */
async function floor(t: Task) {
  const { put, relay } = await plainClients(t);
  return async (job: { jobId: string; exportJobId?: string }) => {
    const status = await relay(job, `floor/${job.jobId}`);
    await put(`floor/${job.jobId}/manifest.json`, JSON.stringify({ jobId: job.jobId, status }), 'application/json');
  };
}

/**
 * The least the contract asks beyond the floor, written as plainly: look for a manifest before
 * calling ISC (idempotency), the floor's requests plus a report, which goes out as soon as the
 * results are read (beside their upload: the one overlap a plain script gets for free), and the
 * manifest last, written only if absent (If-None-Match). No claim, no scan, no summary: a
 * reference that shows what the contract itself costs, not a product.
 */
async function contractFloor(t: Task) {
  const { s3, put, http } = await plainClients(t);
  return async (job: { jobId: string; exportJobId?: string }) => {
    const folder = `contract/${job.jobId}`;
    const existing = await s3
      .send(new GetObjectCommand({ Bucket: t.bucket, Key: `${folder}/manifest.json` }))
      .catch((e: { name?: string }) => (e.name === 'NoSuchKey' ? undefined : Promise.reject(e)));
    if (existing) return;
    const { status } = await http(`import/${job.jobId}`).json<{ status: string }>();
    const download = http.stream(`import/${job.jobId}/download`);
    const read = new Promise<void>((resolve, reject) => download.on('end', resolve).on('error', reject));
    const results = new Upload({
      client: s3,
      params: { Bucket: t.bucket, Key: `${folder}/results.json`, Body: download, ContentType: 'application/json' },
    }).done();
    const report = read.then(() => put(`${folder}/report.html`, `<p>${job.jobId}: ${status}</p>`, 'text/html; charset=utf-8'));
    await Promise.all([results, report]);
    await put(`${folder}/manifest.json`, JSON.stringify({ jobId: job.jobId, status }), 'application/json', '*');
  };
}

/** The official SailPoint TypeScript SDK doing the same: download both documents, put them to S3. */
async function peer(t: Task) {
  const sdk = await import('sailpoint-api-client');
  const api = new sdk.SPConfigBetaApi(
    new sdk.Configuration({
      baseurl: t.credentials.baseUrl,
      clientId: t.credentials.clientId,
      clientSecret: t.credentials.clientSecret,
      tokenUrl: `${t.credentials.baseUrl}/oauth/token`,
    }),
  );
  const s3 = new S3Client({ forcePathStyle: true });
  return async (job: { jobId: string; exportJobId?: string }) => {
    const results = await api.getSpConfigImport({ id: job.jobId });
    await s3.send(
      new PutObjectCommand({
        Bucket: t.bucket,
        Key: `peer/${job.jobId}/results.json`,
        Body: JSON.stringify(results.data),
        ContentType: 'application/json',
      }),
    );
    if (job.exportJobId) {
      const backup = await api.getSpConfigExport({ id: job.exportJobId });
      await s3.send(
        new PutObjectCommand({
          Bucket: t.bucket,
          Key: `peer/${job.jobId}/exports/${job.exportJobId}.json`,
          Body: JSON.stringify(backup.data),
          ContentType: 'application/json',
        }),
      );
    }
  };
}
