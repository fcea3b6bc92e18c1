import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ARCHIVED_EVENT } from '../contract/constants.ts';
import type { Log } from '../core/log.ts';
import type { Manifest } from '../domain/manifest.ts';

export { ARCHIVED_EVENT };

/** The event teams route to chat or tickets: what was archived, how it went, where the manifest is. */
export function archivedEventDetail(manifest: Manifest, bucket: string, manifestKey: string) {
  return {
    jobId: manifest.jobId,
    tenant: manifest.tenant,
    status: manifest.status,
    exportJobId: manifest.exportJobId,
    backup: manifest.backup.state,
    changes: { state: manifest.changes?.state ?? 'DISABLED', counts: manifest.changes?.counts ?? null },
    totals: manifest.summary.totals,
    manifest: { bucket, key: manifestKey, uri: `s3://${bucket}/${manifestKey}` },
    archivedAt: manifest.archivedAt,
  };
}

/**
 * Publishing is best effort: the archive is already complete and a retry would not change it, so a
 * failure is logged (and alarmed on through the log) rather than failing the invocation.
 */
export async function publishArchived(
  client: EventBridgeClient,
  bus: string,
  detail: ReturnType<typeof archivedEventDetail>,
  log: Log,
  signal: AbortSignal,
): Promise<void> {
  try {
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: bus, Source: ARCHIVED_EVENT.source, DetailType: ARCHIVED_EVENT.detailType, Detail: JSON.stringify(detail) },
        ],
      }),
      // Stopped before the invocation ends: an answer late by a stalled event is a function error.
      { abortSignal: signal },
    );
    if (out.FailedEntryCount) log.warn('Archived event not accepted', { jobId: detail.jobId, errorCode: out.Entries?.[0]?.ErrorCode });
  } catch (error) {
    log.warn('Archived event not published', { jobId: detail.jobId, error: (error as Error).name });
  }
}
