// npm run bench [-- --quick]: each figure against a floor or a peer measured in the same run,
// offline on 127.0.0.1. Prints a table and writes bench/results.json. Exit code: 2 if the bench
// could not finish; otherwise, in full mode, 1 if a case misses its target. Quick mode (smaller
// sizes, fewer runs: a check that every case still runs, in `npm test`) exits 0 once its report is
// complete and prints its verdicts for information only: at its sizes, timings are noise.
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { type DevStack, startDevStack } from '../local/dev-stack.ts';
import { completeResults } from '../local/import-results.ts';
import { lambdaBuildOptions } from '../scripts/build-options.ts';
import { changesCase } from './changes-case.ts';
import { oneMegabyteResults, register } from './jobs.ts';
import { archiveLatencyCase } from './latency-case.ts';
import { runJson, worker } from './processes.ts';
import { median, round, Scorecard } from './scorecard.ts';

const quick = process.argv.includes('--quick');
const MB = 1024 * 1024;
/** The memory-growth budget: what a large backup may add to a small job's peak RSS. */
const MEMORY_BUDGET_MB = 64;
const P = quick
  ? {
      bigBackup: 40 * MB,
      coldRuns: 15,
      latency: { rounds: 1, warmup: 2, timed: 4 },
      changesRounds: 1,
      warmCalls: 20,
      burst: { workers: 3, jobsEach: 10, limit: 20, windowMs: 2_000 },
    }
  : {
      bigBackup: 200 * MB,
      coldRuns: 21,
      latency: { rounds: 3, warmup: 2, timed: 10 },
      changesRounds: 5,
      warmCalls: 100,
      burst: { workers: 10, jobsEach: 30, limit: 100, windowMs: 10_000 },
    };

const card = new Scorecard();
const work = await mkdtemp(join(tmpdir(), 'archiver-bench-'));
const stacks: DevStack[] = [];
const load = () => loadavg().map((l) => round(l, 2));
const loadAtStart = load();
let complete = false;
try {
  console.log(
    `isc-import-archiver bench${quick ? ' (quick)' : ''}: node ${process.versions.node}, ${cpus().length} cores, load ${loadAtStart.join(' ')}`,
  );
  const floorBundle = join(work, 'floor.mjs');
  await build(lambdaBuildOptions({ entry: 'bench/floor-entry.ts', outfile: floorBundle }));
  const bundle = resolve('dist/lambda/handler.mjs');

  card.record('bundle-size', 'bytes', (await stat(bundle)).size, (await stat(floorBundle)).size, 1.25);

  const stack = await startDevStack({ directory: join(work, 's3'), isc: { rateLimit: null } });
  stacks.push(stack);
  const env = stack.env();
  const isc = stack.isc!;

  // cold-init: fresh processes, alternating so drift hits both alike.
  const ours: number[] = [];
  const floors: number[] = [];
  for (let i = 0; i < P.coldRuns; i++) {
    ours.push(((await runJson(['bench/import-timer.mjs', bundle], env)) as { ms: number }).ms);
    floors.push(((await runJson(['bench/import-timer.mjs', floorBundle], env)) as { ms: number }).ms);
  }
  card.record('cold-init', 'ms', median(ours), median(floors), 1.2);

  await archiveLatencyCase(stack, card, P.latency);

  // archive-200mb and memory-growth: fresh processes, one job each.
  const big = () => register(isc, { results: completeResults('x'), backup: { generateExport: P.bigBackup } });
  const handlerBig = await worker('handler', [big()], stack);
  const floorBig = await worker('floor', [big()], stack);
  card.record(`archive-${P.bigBackup / MB}mb`, 'ms', handlerBig.times[0]!, floorBig.times[0]!, 1.15);
  // Peak RSS is noisy run to run (when V8 happens to collect): the median of three fresh processes each.
  const oneMb = oneMegabyteResults();
  const bigRss = [
    handlerBig.maxRssKb,
    (await worker('handler', [big()], stack)).maxRssKb,
    (await worker('handler', [big()], stack)).maxRssKb,
  ];
  const smallRss = await Promise.all(
    [0, 1, 2].map(async () => (await worker('handler', [register(isc, { results: oneMb })], stack)).maxRssKb),
  );
  card.record('memory-growth', 'MB', (median(bigRss) - median(smallRss)) / 1024, MEMORY_BUDGET_MB, 1.0, {
    note: `peak RSS ${round(median(bigRss) / 1024)} MB vs ${round(median(smallRss) / 1024)} MB`,
  });

  await changesCase(stack, card, {
    backupBytes: P.bigBackup,
    rounds: P.changesRounds,
    smallRssKb: median(smallRss),
    budgetMb: MEMORY_BUDGET_MB,
  });

  // warm-calls: what 100 sequential archives cost in ISC and Secrets Manager requests.
  const small = Array.from({ length: P.warmCalls }, () => register(isc, { results: completeResults() }));
  const [iscBefore, secretsBefore] = [isc.requests.length, stack.secrets.reads.length];
  const calls = await worker('handler', small, stack);
  if (calls.failures) throw new Error(`warm-calls: ${calls.failures} archives failed: ${calls.errors.join('; ')}`);
  card.record(
    'warm-calls',
    'requests',
    isc.requests.length - iscBefore + stack.secrets.reads.length - secretsBefore,
    2 + 2 * P.warmCalls,
    1.0,
    { exact: true },
  );

  // peer-sdk: the official SDK on the same big job.
  const peer = await worker('peer', [big()], stack);
  card.record('peer-sdk-time', 'ms', handlerBig.times[0]!, peer.times[0]!, 1.0, { note: 'ours / sailpoint-api-client' });
  card.record('peer-sdk-memory', 'MB', handlerBig.maxRssKb / 1024, peer.maxRssKb / 1024, 0.5, { note: 'ours / sailpoint-api-client' });

  // burst: separate containers against a rate-limited ISC.
  const limited = await startDevStack({
    directory: join(work, 's3-burst'),
    isc: { rateLimit: { limit: P.burst.limit, windowMs: P.burst.windowMs } },
  });
  stacks.push(limited);
  const perWorker = Array.from({ length: P.burst.workers }, () =>
    Array.from({ length: P.burst.jobsEach }, () => register(limited.isc!, { results: completeResults() })),
  );
  const started = performance.now();
  const results = await Promise.all(perWorker.map((jobs) => worker('handler', jobs, limited)));
  const elapsed = performance.now() - started;
  const failed = results.reduce((n, r) => n + r.failures, 0);
  const requests = P.burst.workers * P.burst.jobsEach * 2;
  const imposed = (Math.ceil(requests / P.burst.limit) - 1) * P.burst.windowMs;
  const burst = card.record('burst', 'ms', elapsed, imposed, 1.3, {
    note: `${failed} failed archives, ${limited.isc!.requests.filter((r) => r.status === 429).length} answered 429`,
  });
  if (failed) burst.pass = false;
  complete = true;
} catch (error) {
  console.error(`bench failed: ${(error as Error).stack ?? error}`);
} finally {
  await Promise.all(stacks.map((s) => s.close()));
  await rm(work, { recursive: true, force: true });
}

const report = {
  node: process.versions.node,
  when: new Date().toISOString(),
  quick,
  cores: cpus().length,
  load: { start: loadAtStart, end: load() },
  complete,
  cases: card.cases,
};
await writeFile('bench/results.json', `${JSON.stringify(report, null, 2)}\n`);
console.log(
  `\n${card.table()}\nload average (1, 5, 15 min): ${loadAtStart.join(' ')} at the start, ${report.load.end.join(' ')} at the end`,
);
if (!complete) process.exitCode = 2;
else if (quick) console.log('quick mode: verdicts are for information; the exit code says only that every case ran.');
else process.exitCode = card.cases.every((c) => c.pass) ? 0 : 1;
