// `npm start`: the whole product on 127.0.0.1 (ISC double, embedded S3, Secrets Manager endpoint,
// the built handler behind a local API), or the same front pointed at a real tenant.
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DEFAULTS } from '../lambda/contract/constants.ts';
import { ResultsScanner } from '../lambda/results/results-scanner.ts';
import { listArchivedImports } from './archive-listing.ts';
import { describeArchive, describeFailure } from './cli-output.ts';
import { DEMO_JOBS, type DemoJob, seedDemoTenant } from './demo-tenant.ts';
import { LOCAL_FUNCTION_NAME, startDevStack } from './dev-stack.ts';
import { type Front, startFront } from './front.ts';
import { captureFunctionOutput, type Handler, lambdaContext, loadHandler } from './handler-host.ts';
import { ProgressBoard } from './progress-board.ts';
import { type RestoreCliDeps, restoreImport } from './restore-cli.ts';

const USAGE = `Usage:
  npm start                            local demo, then keep serving the API (Ctrl-C stops)
  npm start -- --once                  local demo, exit 0 only if every demo job was archived as expected
  npm start -- archive <jobId>...      archive the given jobs and exit
  npm start -- restore <jobId>         preview a restore of an archived import from its backup, and exit
  npm start -- restore <jobId> --apply <previewJobId>   apply a previewed restore, and exit
Options: --types SOURCE,TRANSFORM (restore only those types),
         --port <n> (default 3000, or PORT), --data-dir <dir> (default .local), --verbose (show the function's logs)
Real tenant: set SAIL_BASE_URL, SAIL_CLIENT_ID, SAIL_CLIENT_SECRET; ARCHIVE_BUCKET (with AWS credentials) for a real bucket.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    once: { type: 'boolean', default: false },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    'data-dir': { type: 'string', default: '.local' },
    verbose: { type: 'boolean', default: false },
    apply: { type: 'string' },
    types: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const [command, ...jobIds] = positionals;
if (command !== undefined && command !== 'archive' && command !== 'restore') fail(`Unknown command "${command}".\n${USAGE}`);
if (command === 'archive' && jobIds.length === 0) fail(`Name at least one job id.\n${USAGE}`);
if (command === 'restore' && jobIds.length !== 1) fail(`Name the one archived import to restore.\n${USAGE}`);
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, not "${values.port}".`);

const tenantMode = Boolean(process.env.SAIL_BASE_URL || process.env.SAIL_CLIENT_ID || process.env.SAIL_CLIENT_SECRET);
const realBucket = process.env.ARCHIVE_BUCKET;
const dataDir = resolve(values['data-dir']);
await mkdir(resolve(dataDir, 's3'), { recursive: true });

const background = new Set<Promise<unknown>>();
let handler: Handler | undefined;
const stack = await startDevStack({
  directory: resolve(dataDir, 's3'),
  isc: tenantMode ? false : {},
  credentials: tenantMode ? tenantSecret() : undefined,
  embeddedS3: !realBucket,
  bucket: realBucket,
  // Lambda's asynchronous invocation: the 202 path of the API finishes the job here, in the background.
  onAsyncInvoke: (invocation) => {
    const run = handler!(invocation.payload, lambdaContext(LOCAL_FUNCTION_NAME)).catch((error: unknown) => {
      console.error(describeFailure(String((invocation.payload as { jobId?: string }).jobId), error as Error));
    });
    background.add(run);
    void run.finally(() => background.delete(run));
  },
});

const board = new ProgressBoard(process.stdout.isTTY === true && command === 'archive');
const restore = captureFunctionOutput((entry) => board.onLog(entry), values.verbose);
const env = stack.env(realBucket ? { ARCHIVE_PREFIX: process.env.ARCHIVE_PREFIX ?? DEFAULTS.prefix } : {});
for (const name of ['ARCHIVE_PREFIX', 'ISC_API_VERSION', 'ARCHIVE_BACKUP', 'ARCHIVE_CHANGES'] as const)
  if (process.env[name] !== undefined) env[name] = process.env[name]!;
if (stack.isc) seedDemoTenant(stack.isc);
handler = await loadHandler(env);

const tenant = tenantMode ? tenantName() : stack.isc!.tenant;
const prefix = env.ARCHIVE_PREFIX ?? DEFAULTS.prefix;
const s3 = new S3Client({ forcePathStyle: Boolean(stack.s3) });
let front: Front;
try {
  front = await startFront({
    port,
    handler,
    functionName: LOCAL_FUNCTION_NAME,
    listArchives: () => listArchivedImports(s3, stack.bucket, prefix, tenant),
    publishedEvents: () =>
      stack.events.events.map((e) => ({
        bus: e.EventBusName,
        source: e.Source,
        detailType: e.DetailType,
        detail: JSON.parse(e.Detail ?? 'null') as unknown,
      })),
  });
} catch (error) {
  if ((error as { code?: string }).code === 'EADDRINUSE') {
    await shutdown();
    fail(`Port ${port} is already in use: stop what listens there, or pick another with --port <n> (or PORT=<n>).`);
  }
  throw error;
}

console.log(
  `isc-import-archiver local ${tenantMode ? `(tenant ${tenant}, ${process.env.SAIL_BASE_URL})` : 'demo (no AWS account, no tenant)'}`,
);
if (stack.isc) console.log(`  ISC double       ${stack.isc.url} (tenant ${tenant})`);
console.log(
  `  S3               ${stack.s3 ? `${stack.s3.url} (embedded; data in ${resolve(dataDir, 's3')})` : 'AWS'} bucket ${stack.bucket}`,
);
console.log(`  API              ${front.url}`);

const restoreDeps: RestoreCliDeps = {
  handler,
  apiUrl: front.url,
  s3,
  bucket: stack.bucket,
  say: (line) => console.log(line),
  settle: async () => {
    while (background.size) await Promise.all([...background]);
  },
};
if (command === 'archive') {
  const code = await archiveJobs(jobIds);
  await shutdown();
  process.exit(code);
}
if (command === 'restore') {
  const types = values.types
    ?.split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const { ok } = await restoreImport(restoreDeps, jobIds[0]!, { types, previewJobId: values.apply });
  await shutdown();
  process.exit(ok ? 0 : 1);
}
if (!tenantMode) {
  const ok = await runDemo();
  if (values.once) {
    await shutdown();
    process.exit(ok ? 0 : 1);
  }
}
console.log(`
Serving until Ctrl-C. Try:
  curl -s -X POST ${front.url}/imports/${DEMO_JOBS[0]!.jobId}/archive
  curl -s ${front.url}/imports
  curl -s ${front.url}/imports/${DEMO_JOBS[0]!.jobId}
  open ${front.url}/imports/${DEMO_JOBS[1]!.jobId}/report`);
process.once('SIGINT', () => void shutdown().then(() => process.exit(0)));
process.once('SIGTERM', () => void shutdown().then(() => process.exit(0)));

async function runDemo(): Promise<boolean> {
  console.log('\nArchiving the demo jobs:');
  const results = await Promise.all(DEMO_JOBS.map(async (job) => ({ job, outcome: await deliver(job) })));
  // The running job was handed to a background invocation by the API's 202: let it finish.
  while (background.size) await Promise.all([...background]);
  let ok = true;
  for (const { job, outcome } of results) {
    const manifest = await getJson(`${front.url}/imports/${job.jobId}`);
    console.log(
      `\n${job.title} (${job.via === 'api' ? `API POST → ${outcome}` : job.via === 'eventbridge' ? 'EventBridge event' : 'direct invoke'})`,
    );
    if (manifest.status !== 200) {
      ok = false;
      console.log(describeFailure(job.jobId, { message: `not archived (${outcome})` }));
      continue;
    }
    const m = manifest.body;
    const matches = m.status === job.expect.status && m.backup.state === job.expect.backup;
    ok &&= matches;
    const firstErrors = await firstErrorsOf(m);
    for (const line of describeArchive(
      outcome === '202' ? job.expect.outcome : outcome,
      m,
      `${front.url}/imports/${job.jobId}/report`,
      firstErrors,
    ))
      console.log(line);
    if (stack.events.events.some((e) => e.Detail?.includes(job.jobId)))
      console.log(`    event    SP-Config Import Archived on bus default (${front.url}/events)`);
    if (!matches) console.log(`    ✗ expected ${job.expect.status} with backup ${job.expect.backup}`);
  }
  console.log(ok ? '\nAll demo jobs archived as expected.' : '\nSome demo jobs were not archived as expected.');
  // Roll the COMPLETE import back, previewed first: what would come back, what cannot.
  console.log('');
  const previewed = await restoreImport(restoreDeps, DEMO_JOBS[0]!.jobId, {});
  return ok && previewed.ok;
}

async function deliver(job: DemoJob): Promise<string> {
  try {
    if (job.via === 'api') {
      const res = await fetch(`${front.url}/imports/${job.jobId}/archive`, { method: 'POST' });
      return res.status === 202 ? '202' : String(((await res.json()) as { outcome?: string }).outcome ?? res.status);
    }
    if (job.via === 'eventbridge') {
      const event = {
        version: '0',
        id: crypto.randomUUID(),
        'detail-type': 'SP-Config Import Completed',
        source: 'sailpoint.sp-config',
        account: '000000000000',
        time: new Date().toISOString(),
        region: 'local',
        resources: [],
        detail: { jobId: job.jobId },
      };
      const res = await fetch(`${front.url}/events`, { method: 'POST', body: JSON.stringify(event) });
      const body = (await res.json()) as { outcome?: string; errorMessage?: string };
      return body.outcome ?? `failed: ${body.errorMessage}`;
    }
    return ((await handler!({ jobId: job.jobId }, lambdaContext(LOCAL_FUNCTION_NAME))) as { outcome: string }).outcome;
  } catch (error) {
    return `failed: ${(error as Error).message}`;
  }
}

/** The first errors, read from the archived results.json with the function's own scanner. */
async function firstErrorsOf(manifest: { objects: { role: string; key: string }[] }): Promise<string[]> {
  const results = manifest.objects.find((o) => o.role === 'results');
  if (!results) return [];
  const out = await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: results.key }));
  const scanner = new ResultsScanner();
  for await (const chunk of out.Body as AsyncIterable<Uint8Array>) scanner.write(chunk);
  return scanner
    .finish()
    .samples.errors.slice(0, 3)
    .map((e) => `${e.type}: ${e.text}`);
}

async function archiveJobs(ids: readonly string[]): Promise<number> {
  let failed = 0;
  const rows: string[][] = [];
  for (const jobId of ids) {
    board.start(jobId);
    try {
      const result = (await handler!({ jobId }, lambdaContext(LOCAL_FUNCTION_NAME))) as {
        outcome: string;
        status: string;
        manifestKey: string;
        summary: { totals: { errors: number; warnings: number } };
      };
      board.finish(jobId, result.outcome);
      rows.push([
        jobId,
        result.outcome,
        result.status,
        String(result.summary.totals.errors),
        String(result.summary.totals.warnings),
        result.manifestKey,
      ]);
    } catch (error) {
      failed++;
      board.finish(jobId, 'FAILED');
      console.log(describeFailure(jobId, error as Error));
      rows.push([jobId, 'FAILED', '-', '-', '-', (error as Error).name]);
    }
  }
  console.log(`\n${table([['job', 'outcome', 'status', 'errors', 'warnings', 'manifest'], ...rows])}`);
  return failed === 0 ? 0 : 1;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

// biome-ignore lint/suspicious/noExplicitAny: the demo reads manifests back as the JSON the function wrote.
async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

function tenantSecret(): string {
  const missing = ['SAIL_BASE_URL', 'SAIL_CLIENT_ID', 'SAIL_CLIENT_SECRET'].filter((name) => !process.env[name]);
  if (missing.length) fail(`Set ${missing.join(', ')} to use a real tenant (or unset all SAIL_* variables for the demo).`);
  return JSON.stringify({
    baseUrl: process.env.SAIL_BASE_URL,
    clientId: process.env.SAIL_CLIENT_ID,
    clientSecret: process.env.SAIL_CLIENT_SECRET,
    ...(process.env.SAIL_TOKEN_URL ? { tokenUrl: process.env.SAIL_TOKEN_URL } : {}),
  });
}

function tenantName(): string {
  try {
    return process.env.SAIL_TENANT ?? new URL(process.env.SAIL_BASE_URL!).hostname.split('.')[0]!;
  } catch {
    return fail('SAIL_BASE_URL is not a URL (expected https://{tenant}.api.identitynow.com).');
  }
}

async function shutdown(): Promise<void> {
  restore();
  s3.destroy();
  await Promise.allSettled([front?.close(), stack.close()]);
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}
