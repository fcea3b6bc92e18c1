import type { IscDouble } from './isc-double.ts';
import { completeResults, failedResults } from './import-results.ts';

export interface DemoJob {
  readonly jobId: string;
  readonly title: string;
  /** How the demo delivers it, to show each event source. */
  readonly via: 'direct' | 'eventbridge' | 'api';
  readonly expect: { readonly outcome: 'ARCHIVED' | 'CANCELLED'; readonly status: string; readonly backup: string };
}

/** Fixed ids so a second `npm start` finds the first run's archives (and reports ALREADY_ARCHIVED). */
export const DEMO_JOBS: readonly DemoJob[] = [
  { jobId: 'ef38f94347e94562b5bb8424a56397d8', title: 'COMPLETE import with a pre-import backup', via: 'direct', expect: { outcome: 'ARCHIVED', status: 'COMPLETE', backup: 'ARCHIVED' } },
  { jobId: '4fb10503-1c49-4603-8f8d-886e1f6aa47b', title: 'FAILED import with errors', via: 'eventbridge', expect: { outcome: 'ARCHIVED', status: 'FAILED', backup: 'ARCHIVED' } },
  { jobId: '9a1c3e5f7b9d4f1a8c2e4a6b8d0f2a4c', title: 'import still IN_PROGRESS for a few seconds', via: 'api', expect: { outcome: 'ARCHIVED', status: 'COMPLETE', backup: 'NONE' } },
  { jobId: 'c0ffee00-1234-4abc-9def-0123456789ab', title: 'CANCELLED import', via: 'direct', expect: { outcome: 'CANCELLED', status: 'CANCELLED', backup: 'NONE' } },
];

/** Registers the demo tenant's jobs on the double. */
export function seedDemoTenant(isc: IscDouble): void {
  const [complete, failed, running, cancelled] = DEMO_JOBS as [DemoJob, DemoJob, DemoJob, DemoJob];
  const completeBackup = 'be9e116d-08e1-49fc-ab7f-fa585e96c9e4';
  const failedBackup = '2d6f0c8e4a2b4c6d8e0f1a3b5c7d9e1f';
  isc.addJob(complete.jobId, { status: 'COMPLETE', results: completeResults(completeBackup), backup: { exportJobId: completeBackup, document: { generateExport: 256 * 1024 } } });
  isc.addJob(failed.jobId, { status: 'FAILED', results: failedResults(failedBackup), backup: { exportJobId: failedBackup, document: { generateExport: 64 * 1024 } } });
  isc.addJob(running.jobId, { status: 'COMPLETE', runningForMs: 4_000, results: completeResults() });
  isc.addJob(cancelled.jobId, { status: 'CANCELLED' });
}
