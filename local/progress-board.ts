import type { FunctionLog } from './handler-host.ts';

const STAGES: Record<string, string> = {
  'Import status read': 'status read',
  'Import still running; waiting': 'waiting for ISC',
  'ISC call failed; retrying': 'retrying',
  'Results archived': 'results stored',
  'Backup archived': 'backup stored',
  'Backup unavailable': 'backup unavailable',
  'Report written': 'report written',
  'Manifest written': 'manifest written',
};

/**
 * Shows each job's stage and bytes from the function's own log lines: redrawn in place on a
 * terminal, one plain line per stage otherwise (CI logs, pipes).
 */
export class ProgressBoard {
  readonly #live: boolean;
  readonly #bytes = new Map<string, number>();
  #current: string | undefined;

  constructor(live: boolean) {
    this.#live = live;
  }

  start(jobId: string): void {
    this.#current = jobId;
    this.#bytes.set(jobId, 0);
    this.#show(jobId, 'started');
  }

  onLog(entry: FunctionLog): void {
    const jobId = entry.jobId ?? this.#current;
    const stage = entry.message && STAGES[entry.message];
    if (!jobId || !stage || this.#current === undefined) return;
    if (typeof entry.bytes === 'number') this.#bytes.set(jobId, (this.#bytes.get(jobId) ?? 0) + entry.bytes);
    this.#show(jobId, stage);
  }

  finish(jobId: string, outcome: string): void {
    this.#show(jobId, outcome);
    if (this.#live) process.stdout.write('\n');
    this.#current = undefined;
  }

  #show(jobId: string, stage: string): void {
    const line = `${jobId}  ${stage.padEnd(18)} ${formatBytes(this.#bytes.get(jobId) ?? 0)}`;
    if (this.#live) process.stdout.write(`\r\x1b[2K${line}`);
    else process.stdout.write(`${line}\n`);
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
