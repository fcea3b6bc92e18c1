import { type ArchiveResult, archiveJob } from '../archive/archive-job.ts';
import { beforeTheEnd, type Deadline } from '../core/deadline.ts';
import { archivedEventDetail, publishArchived } from '../telemetry/archived-event.ts';
import type { ArchiveAction } from './requests.ts';
import { log, metrics, type Runtime } from './runtime.ts';

/** Runs the archive flow for one job and tells the world: logs, metrics, the archived event. */
export async function runArchive(
  work: ArchiveAction,
  rt: Runtime,
  requestId: string,
  deadline: Deadline,
  wait: boolean,
): Promise<ArchiveResult> {
  const started = Date.now();
  const result = await archiveJob({ jobId: work.jobId, force: work.force, wait, requestId }, { ...rt, log }, deadline);
  if (result.outcome === 'RUNNING' || result.outcome === 'BUSY') return result;
  const bytes = result.manifest.objects.reduce((sum, o) => sum + o.bytes, 0);
  metrics.archived(result.outcome, result.manifest, result.outcome === 'ALREADY_ARCHIVED' ? 0 : bytes, Date.now() - started);
  log.info('Archive done', {
    jobId: work.jobId,
    outcome: result.outcome,
    status: result.manifest.status,
    manifestKey: result.manifestKey,
    bytes,
    iscRequests: rt.isc.requestCount(),
  });
  const bus = rt.config.eventBus;
  if (bus && result.outcome !== 'ALREADY_ARCHIVED') {
    const detail = archivedEventDetail(result.manifest, result.bucket, result.manifestKey);
    await publishArchived(rt.events(), bus, detail, log, beforeTheEnd(deadline));
  }
  return result;
}
