import { CHANGES_REASONS, changesRecord, computedChangesRecord } from '../changes/changes-record.ts';
import { computeChanges } from '../changes/compute-changes.ts';
import type { ExtractedObject } from '../changes/touched-object-extractor.ts';
import type { ArchiveKeys } from '../contract/archive-keys.ts';
import { CONTENT_TYPES } from '../contract/constants.ts';
import type { ChangesDocument, ChangesRecord } from '../domain/changes.ts';
import type { Manifest, ManifestObject } from '../domain/manifest.ts';
import type { ObjectRef } from '../domain/summary.ts';
import type { ImportStatus } from '../isc/job-status.ts';
import { TOUCHED_LIMIT } from '../results/results-scanner.ts';
import type { StoreCall } from '../storage/archive-store.ts';
import { sha256Hex } from '../storage/put-object.ts';
import { type AfterState, AfterStateUnavailable } from './after-state-step.ts';
import type { ArchiveDeps } from './archive-types.ts';

/** Whether the after-state is exported for this job, or why not (docs/changes.md, "States"). */
export function changesPlanned(enabled: boolean, job: ImportStatus, touched: readonly ObjectRef[]): ChangesRecord | 'EXPORT' {
  if (!enabled) return changesRecord('DISABLED', CHANGES_REASONS.disabled);
  if (job.status === 'CANCELLED') return changesRecord('NONE', CHANGES_REASONS.cancelled);
  if (touched.length === 0) return changesRecord('NONE', CHANGES_REASONS.nothingImported);
  return 'EXPORT';
}

export interface RecordedChanges {
  readonly record: ChangesRecord;
  readonly document: ChangesDocument | null;
  readonly objects: readonly ManifestObject[];
}

/**
 * Compares the after-state with the backup and writes changes.json. An after-state that could
 * not be had leaves the state UNAVAILABLE with the reason; the archive completes either way.
 */
export async function recordChanges(
  deps: ArchiveDeps,
  keys: ArchiveKeys,
  input: {
    jobId: string;
    tenant: string;
    touched: readonly ObjectRef[];
    afterState: Promise<AfterState>;
    signal: AbortSignal;
    before: { exportJobId: string; key: string; objects: readonly ExtractedObject[] } | null;
  },
): Promise<RecordedChanges> {
  let after: AfterState;
  try {
    after = await input.afterState;
  } catch (error) {
    if (!(error instanceof AfterStateUnavailable)) throw error;
    deps.log.warn('Changes unavailable', { jobId: input.jobId, reason: error.message, afterExportJobId: error.exportJobId });
    return {
      record: changesRecord('UNAVAILABLE', error.message, { exportJobId: error.exportJobId, exportedAt: null }),
      document: null,
      objects: [],
    };
  }
  const computed = computeChanges({
    jobId: input.jobId,
    tenant: input.tenant,
    touched: input.touched,
    before: input.before,
    after: { exportJobId: after.exportJobId, key: after.stored.key, exportedAt: after.exportedAt, objects: after.objects },
  });
  const body = Buffer.from(`${JSON.stringify(computed.document, null, 2)}\n`, 'utf8');
  const stored = await deps.store.put(keys.changes, body, CONTENT_TYPES.json, { signal: input.signal });
  deps.log.info('Changes recorded', { jobId: input.jobId, key: stored.key, counts: computed.counts });
  return { record: computedChangesRecord(computed), document: computed.document, objects: [after.stored, { role: 'changes', ...stored }] };
}

/**
 * Re-archiving never makes an archive worse: when this run could not compute the changes (the
 * after-export failed, or changes are off now) and the earlier archive had computed them, its
 * record and its after and changes objects are kept, with the reason this run gave.
 */
export async function keepEarlierChanges(
  deps: ArchiveDeps,
  earlier: Manifest | undefined,
  fresh: RecordedChanges,
  call: StoreCall,
): Promise<RecordedChanges> {
  if (fresh.record.state === 'COMPUTED' || earlier?.changes.state !== 'COMPUTED') return fresh;
  const objects = earlier.objects.filter((o) => o.role === 'after' || o.role === 'changes');
  const changes = objects.find((o) => o.role === 'changes');
  const stored = changes ? await deps.store.get(changes.key, { ...call, versionId: changes.versionId }) : undefined;
  if (!stored || sha256Hex(stored.body) !== changes?.sha256) return fresh;
  deps.log.warn('Changes kept from the earlier archive', { jobId: earlier.jobId, reason: fresh.record.reason });
  return {
    record: { ...earlier.changes, reason: `Kept from the archive of ${earlier.archivedAt}: ${fresh.record.reason}` },
    document: JSON.parse(stored.body.toString('utf8')) as ChangesDocument,
    objects,
  };
}

/** Says so in the reason when the results named more objects than were read: the others were not compared. */
export function notingUnread(recorded: RecordedChanges, whole: boolean): RecordedChanges {
  if (whole || recorded.record.state !== 'COMPUTED') return recorded;
  const note = ` The results name more imported objects than the archiver reads (${TOUCHED_LIMIT}), or one too large to read: those are not compared.`;
  return { ...recorded, record: { ...recorded.record, reason: `${recorded.record.reason}${note}` } };
}
