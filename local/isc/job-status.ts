import { type ExportJob, type ImportJob, importIsRunning } from './job-book.ts';

/** Job status objects as ISC answers them (SpConfigImportJobStatus, SpConfigExportJobStatus). */

const WEEK_MS = 7 * 86_400_000;

/** An import's status. Counts the read as a poll: a scenario's first reads say NOT_STARTED, then IN_PROGRESS. */
export function importStatus(jobId: string, job: ImportJob) {
  const running = importIsRunning(job);
  job.polls++;
  const status = running ? (job.polls === 1 ? 'NOT_STARTED' : 'IN_PROGRESS') : job.scenario.status;
  const message = running
    ? undefined
    : (job.scenario.message ??
      (status === 'FAILED'
        ? 'Import halted because of errors. Download results for error details.'
        : status === 'CANCELLED'
          ? 'Import was cancelled.'
          : 'Download import results for details.'));
  // `expiration` became optional in 2026; leave it out on some jobs so clients cannot rely on it.
  return {
    jobId,
    status,
    type: 'IMPORT',
    ...(message === undefined ? {} : { message }),
    description: null,
    ...(jobId.endsWith('0') ? {} : { expiration: iso(job.registered + WEEK_MS) }),
    created: iso(job.registered),
    modified: iso(Date.now()),
    ...(running ? {} : { completed: iso(job.completedAt ?? Math.max(job.registered, Date.now() - 1000)) }),
  };
}

/** The 202 answer to a started import (SpConfigJob). */
export function startedImport(jobId: string, job: ImportJob) {
  return {
    jobId,
    status: 'NOT_STARTED',
    type: 'IMPORT',
    expiration: iso(job.registered + WEEK_MS),
    created: iso(job.registered),
    modified: iso(job.registered),
  };
}

/** An export's status: NOT_STARTED in the 202 answer, IN_PROGRESS on polls until it has run. */
export function exportStatus(job: ExportJob, poll: boolean) {
  if (poll) job.polls++;
  const outcome = job.outcome;
  const status = outcome?.status ?? (job.polls === 0 ? 'NOT_STARTED' : 'IN_PROGRESS');
  return {
    jobId: job.jobId,
    status,
    type: 'EXPORT',
    message: outcome?.message ?? null,
    description: job.description,
    expiration: iso(job.created + WEEK_MS),
    created: iso(job.created),
    modified: iso(outcome?.at ?? (poll ? Date.now() : job.created)),
    ...(outcome ? { completed: iso(outcome.at) } : {}),
  };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
