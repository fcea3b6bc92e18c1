// Fresh Node processes for the bench: a worker is one container (or floor script, or peer SDK).
import { spawn } from 'node:child_process';
import type { DevStack } from '../local/dev-stack.ts';
import { DEMO_CLIENT } from '../local/isc-double.ts';
import { LAMBDA_NODE_OPTIONS } from '../scripts/build-options.ts';
import type { BenchJob } from './jobs.ts';

export type WorkerMode = 'handler' | 'floor' | 'contract' | 'peer';

export interface WorkerRun {
  /** Per-job times in ms, warm-up jobs left out. */
  readonly times: number[];
  readonly failures: number;
  readonly errors: string[];
  readonly maxRssKb: number;
}

export interface WorkerOptions {
  /** Jobs archived first and not timed, so the container is warm. */
  readonly warmup?: number;
  /** Added to the stack's environment (the handler's configuration, an S3 endpoint). */
  readonly env?: Readonly<Record<string, string>>;
  /** Where the floor and the peer reach ISC (default: the double itself). */
  readonly iscUrl?: string;
}

/** Archives `jobs` one after another in a fresh process, in the given mode, against `stack`. */
export async function worker(
  mode: WorkerMode,
  jobs: readonly BenchJob[],
  stack: DevStack,
  options: WorkerOptions = {},
): Promise<WorkerRun> {
  const task = {
    mode,
    jobs,
    warmup: options.warmup ?? 0,
    bucket: stack.bucket,
    credentials: { baseUrl: options.iscUrl ?? stack.isc!.url, clientId: DEMO_CLIENT.clientId, clientSecret: DEMO_CLIENT.clientSecret },
  };
  // The handler runs with the Node options the stack deploys it with; floor and peer with defaults.
  const nodeOptions: Record<string, string> = mode === 'handler' ? { NODE_OPTIONS: LAMBDA_NODE_OPTIONS } : {};
  // Every case but changes-200mb judges the archive the floors also make: results, backup, report,
  // manifest. The after-export is extra ISC work that changes-200mb measures on its own.
  const changes = { ARCHIVE_CHANGES: 'false' };
  return (await runJson(['bench/worker.ts', JSON.stringify(task)], {
    ...stack.env(),
    ...changes,
    ...options.env,
    ...nodeOptions,
  })) as WorkerRun;
}

/** Runs a Node 24 script with only `env` (and PATH) and parses the last line it prints as JSON. */
export function runJson(args: readonly string[], env: Readonly<Record<string, string>>): Promise<unknown> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolvePromise(JSON.parse(last));
      } catch (error) {
        reject(new Error(`${args[0]} failed (${(error as Error).message}): ${err.slice(-2000)}${out.slice(-500)}`));
      }
    });
  });
}
