import { randomUUID } from 'node:crypto';
import { exportDocument } from '../export-document.ts';
import { importResultsDocument } from '../import-results.ts';
import type { ConfigEntry } from './config-entry.ts';
import { type ImportRejection, planImport } from './import-plan.ts';
import { type ExportJob, type ImportJob, JobBook, type JobScenario } from './job-book.ts';
import { iso } from './job-status.ts';
import type { ExportPayload, ImportOptions } from './payload-check.ts';
import { TenantState } from './tenant-state.ts';

/**
 * How the double runs the jobs clients start. Mutable on a running double (IscDouble.behaviour),
 * read when a job starts: a test changes it, starts its job, and changes it back.
 */
export interface JobBehaviour {
  /** Time from a POST .../export to COMPLETE (default 200 ms). */
  exportDelayMs: number;
  /** Time from a POST .../import to its end (default 200 ms). */
  importDelayMs: number;
  /** `refuse`: POST .../export answers 403; `fail`: exports end FAILED; `stall`: they never end. */
  exports: 'complete' | 'fail' | 'refuse' | 'stall';
  /** `refuse`: POST .../import answers 403; `stall`: imports stay IN_PROGRESS. */
  imports: 'complete' | 'refuse' | 'stall';
  /** Objects an import reports an error for (and does not import); the job ends FAILED. */
  importRejections: ImportRejection[];
}

export const DEFAULT_BEHAVIOUR: JobBehaviour = {
  exportDelayMs: 200,
  importDelayMs: 200,
  exports: 'complete',
  imports: 'complete',
  importRejections: [],
};

export interface StartImport {
  readonly objects: readonly ConfigEntry[];
  readonly options?: ImportOptions;
  readonly preview?: boolean;
  /** Fixed ids (the demo's, so a second run finds its archives); random UUIDs otherwise. */
  readonly jobId?: string;
  readonly backupJobId?: string;
  /** Overrides behaviour.importDelayMs. */
  readonly delayMs?: number;
}

/** The tenant's configuration and the jobs that read and change it. */
export class TenantJobs {
  readonly state = new TenantState();
  readonly book = new JobBook();
  readonly behaviour: JobBehaviour;
  readonly #tenant: string;

  constructor(tenant: string, behaviour: Partial<JobBehaviour> = {}) {
    this.#tenant = tenant;
    this.behaviour = { ...DEFAULT_BEHAVIOUR, importRejections: [], ...behaviour };
  }

  /** Registers an import job of a fixed scenario, with its backup (what tests and benchmarks script). */
  addScenario(jobId: string, scenario: JobScenario): void {
    const registered = Date.now();
    this.book.imports.set(jobId, { scenario, registered, polls: 0, faults: [...(scenario.faults ?? [])] });
    if (scenario.backup) {
      const { exportJobId, document } = scenario.backup;
      this.book.exports.set(exportJobId, {
        jobId: exportJobId,
        created: registered,
        description: 'Pre-import backup',
        importJobId: jobId,
        polls: 0,
        outcome: { status: 'COMPLETE', at: registered, document },
      });
    }
  }

  /** Starts an export of the objects the payload selects, taken from the state when the job runs. */
  startExport(payload: ExportPayload): ExportJob {
    const { exports: mode, exportDelayMs } = this.behaviour;
    const job: ExportJob = { jobId: randomUUID(), created: Date.now(), description: payload.description ?? null, polls: 0 };
    this.book.exports.set(job.jobId, job);
    if (mode === 'stall') return job;
    this.book.schedule(job.created + exportDelayMs, () => {
      const at = Date.now();
      job.outcome =
        mode === 'fail'
          ? { status: 'FAILED', at, message: 'The export failed: an internal error occurred.' }
          : {
              status: 'COMPLETE',
              at,
              document: exportDocument(this.state.select(payload), {
                tenant: this.#tenant,
                description: job.description,
                options: payload,
                timestamp: iso(at),
              }),
            };
    });
    return job;
  }

  /**
   * Starts an import. When it runs: a preview lists what would be imported and changes nothing; an
   * apply first takes the pre-import backup (an export of the whole state, unless excludeBackup),
   * then stores the selected objects. Returns the import job id.
   */
  startImport(input: StartImport): string {
    const jobId = input.jobId ?? randomUUID();
    const options = input.options ?? {};
    const preview = input.preview ?? false;
    const job: ImportJob = {
      scenario: { status: 'COMPLETE', runningForMs: Number.POSITIVE_INFINITY },
      registered: Date.now(),
      polls: 0,
      faults: [],
    };
    this.book.imports.set(jobId, job);
    if (this.behaviour.imports === 'stall') return jobId;
    const rejections = [...this.behaviour.importRejections];
    this.book.schedule(job.registered + (input.delayMs ?? this.behaviour.importDelayMs), () => {
      const at = Date.now();
      const backup = preview || options.excludeBackup ? undefined : this.#backup(jobId, input.backupJobId ?? randomUUID(), at);
      const plan = planImport(this.state, input.objects, options, preview, rejections, iso(at));
      for (const entry of plan.upserts) this.state.put(entry);
      const results = importResultsDocument(plan.results, backup ? { exportJobId: backup.jobId } : {});
      job.scenario = { status: plan.failed ? 'FAILED' : 'COMPLETE', results };
      job.completedAt = at;
    });
    return jobId;
  }

  #backup(importJobId: string, exportJobId: string, at: number): ExportJob {
    const description = `Backup before import ${importJobId}`;
    const document = exportDocument(this.state.list(), { tenant: this.#tenant, description, options: {}, timestamp: iso(at) });
    const job: ExportJob = {
      jobId: exportJobId,
      created: at,
      description,
      importJobId,
      polls: 0,
      outcome: { status: 'COMPLETE', at, document },
    };
    this.book.exports.set(exportJobId, job);
    return job;
  }
}
