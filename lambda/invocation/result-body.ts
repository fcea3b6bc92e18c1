import type { Archived } from '../archive/archive-types.ts';

/** The answer of a direct invoke or an EventBridge delivery, and of the API's POST (docs/contract.md). */
export function resultBody(result: Archived) {
  return {
    outcome: result.outcome,
    jobId: result.manifest.jobId,
    status: result.manifest.status,
    exportJobId: result.manifest.exportJobId,
    bucket: result.bucket,
    manifestKey: result.manifestKey,
    summary: result.manifest.summary,
  };
}

/** A running import whose wait continues in a new invocation. */
export function waitingBody(jobId: string, status: string, waitingSince: string) {
  return { outcome: 'WAITING' as const, jobId, status, waitingSince, exportJobId: null, bucket: null, manifestKey: null, summary: null };
}
