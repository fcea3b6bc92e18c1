import type { ConfigEntry } from './config-entry.ts';

/** The double's jobs: import jobs (registered scenarios or started imports) and export jobs. */

/**
 * A document the double serves: fixed bytes, or generated while streamed (`generateExport` bytes of
 * export document, ending with the `tail` entries; `generateResults` bytes of import results).
 */
export type Document =
  | string
  | Buffer
  | { readonly generateExport: number; readonly tail?: readonly ConfigEntry[] }
  | { readonly generateResults: number };

/**
 * Where a fault strikes. Per registered import job: its status (`status`), its results
 * (`results`), its backup's status or download (`backup`). Across the double (IscDouble.addFaults):
 * those, and the starting of jobs and started exports' status and download.
 */
export type FaultTarget = 'status' | 'results' | 'backup' | 'export-start' | 'export-status' | 'export-download' | 'import-start';
export type Fault =
  | { readonly on: FaultTarget; readonly status: number; readonly retryAfter?: string; readonly body?: string }
  | { readonly on: FaultTarget; readonly reset: 'mid-body' }
  | { readonly on: FaultTarget; readonly expireToken: true };

export interface JobScenario {
  readonly status: 'COMPLETE' | 'FAILED' | 'CANCELLED';
  /** Status reads that answer IN_PROGRESS before the terminal status (default 0). */
  readonly runningPolls?: number;
  /** Or: time after registration during which the job is IN_PROGRESS. */
  readonly runningForMs?: number;
  readonly message?: string;
  /** Import results as served by .../download. */
  readonly results?: Document;
  /** The pre-import backup named by the results' exportJobId; 'gone' answers 404 (expired). */
  readonly backup?: { readonly exportJobId: string; readonly document: Document | 'gone' };
  /** Faults consumed in order, one per matching request. */
  readonly faults?: readonly Fault[];
}

export interface ImportJob {
  /** A started import holds a running placeholder until it has run, then its outcome. */
  scenario: JobScenario;
  readonly registered: number;
  completedAt?: number;
  polls: number;
  readonly faults: Fault[];
}

export interface ExportJob {
  readonly jobId: string;
  readonly created: number;
  readonly description: string | null;
  /** Set for a pre-import backup: ISC serves it once that import has finished. */
  readonly importJobId?: string;
  polls: number;
  outcome?: {
    readonly status: 'COMPLETE' | 'FAILED';
    readonly at: number;
    readonly document?: Document | 'gone';
    readonly message?: string;
  };
}

export class JobBook {
  readonly imports = new Map<string, ImportJob>();
  readonly exports = new Map<string, ExportJob>();
  #due: { runAt: number; run: () => void }[] = [];

  /** Runs `run` at the first settle at or after `runAt`. */
  schedule(runAt: number, run: () => void): void {
    this.#due.push({ runAt, run });
  }

  /**
   * Runs every job whose time has come, oldest first. The double settles before it answers any
   * request, so what a client sees is the same as if the jobs had run on timers, without timers to
   * clean up.
   */
  settle(now = Date.now()): void {
    for (;;) {
      const next = this.#due.filter((d) => d.runAt <= now).sort((a, b) => a.runAt - b.runAt)[0];
      if (!next) return;
      this.#due.splice(this.#due.indexOf(next), 1);
      next.run();
    }
  }
}

export function importIsRunning(job: ImportJob, now = Date.now()): boolean {
  const s = job.scenario;
  if (s.runningForMs !== undefined) return now - job.registered < s.runningForMs;
  return job.polls < (s.runningPolls ?? 0);
}

/** Takes the first fault aimed at `target` out of the queue. */
export function takeFault(faults: Fault[] | undefined, target: FaultTarget): Fault | undefined {
  const index = faults ? faults.findIndex((f) => f.on === target) : -1;
  return index === -1 ? undefined : faults!.splice(index, 1)[0];
}
