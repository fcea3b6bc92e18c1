import { createHash } from 'node:crypto';
import type { ArchiveKeys } from '../contract/archive-keys.ts';
import { isJobId } from '../contract/job-id.ts';
import type { Deadline } from '../core/deadline.ts';
import { ArchiverError, IscError } from '../core/errors.ts';
import type { Manifest, ManifestObject } from '../domain/manifest.ts';
import { iscPaths } from '../isc/isc-paths.ts';
import type { ArchiveDeps } from './archive-types.ts';
import { type StreamCheck, uploadChecked } from './checked-upload.ts';
import { exportCheck, invalidDocument } from './document-checks.ts';

export interface ArchivedBackup<T> {
  readonly state: Manifest['backup'];
  readonly object?: ManifestObject;
  /** What `alsoRead` learned from the bytes stored (only when they were downloaded this time). */
  readonly read?: T;
}

const NO_BACKUP = { state: 'NONE', reason: 'The import results name no pre-import backup (no exportJobId).' } as const;

/** Why no backup will be fetched for these results; undefined when there is one to fetch. */
export function backupSkipped(enabled: boolean, exportJobId: string | null): Manifest['backup'] | undefined {
  if (!enabled) return { state: 'DISABLED', reason: 'ARCHIVE_BACKUP is false.' };
  if (exportJobId === null) return NO_BACKUP;
  if (!isJobId(exportJobId)) return { state: 'UNAVAILABLE', reason: 'The results name an exportJobId that is not a job id.' };
  return undefined;
}

/**
 * Streams the pre-import backup into S3, checked as an export document as it passes. `alsoRead`
 * (a fresh one per download attempt) reads the touched objects out of the same bytes for the
 * changes, and checks the export document as it does. A backup ISC no
 * longer serves, or keeps sending as something other than an export document, is recorded as
 * UNAVAILABLE with the reason, unless an earlier archive holds it: then that copy is kept.
 */
export async function archiveBackup<T = undefined>(
  deps: ArchiveDeps,
  keys: ArchiveKeys,
  jobId: string,
  exportJobId: string | null,
  deadline: Deadline,
  writable: Promise<unknown>,
  earlier: Manifest | undefined,
  alsoRead?: () => StreamCheck<T>,
): Promise<ArchivedBackup<T>> {
  const skipped = backupSkipped(deps.config.archiveBackup, exportJobId);
  if (skipped || exportJobId === null) return { state: skipped ?? NO_BACKUP };
  const key = keys.backup(exportJobId.toLowerCase());
  const path = iscPaths(deps.config.apiVersion).exportDocument(exportJobId);
  try {
    const { stored, checked } = await deps.isc.download(path, { phase: 'backup', jobId, deadline }, async (body, info) => {
      try {
        // One pass over the bytes: the changes' reader checks the export document as it reads it.
        return await uploadChecked(deps.store, body, alsoRead?.() ?? exportOnly<T>(), {
          key,
          jobId,
          phase: 'backup',
          expectedBytes: info.contentLength,
          writable,
          deadline,
          what: 'the pre-import backup',
        });
      } catch (error) {
        throw invalidDocument(error, 'the pre-import backup', 'backup', jobId);
      }
    });
    deps.log.info('Backup archived', { jobId, exportJobId, key: stored.key, bytes: stored.bytes, sha256: stored.sha256 });
    return {
      state: { state: 'ARCHIVED', reason: `Pre-import backup ${exportJobId} archived.` },
      object: { role: 'backup', ...stored },
      read: checked,
    };
  } catch (error) {
    const reason = unavailableReason(error, exportJobId);
    if (reason === undefined) throw error;
    deps.log.warn('Backup unavailable', { jobId, exportJobId, reason });
    const kept = earlier?.backup.state === 'ARCHIVED' ? earlier.objects.find((o) => o.role === 'backup' && o.key === key) : undefined;
    if (!kept) return { state: { state: 'UNAVAILABLE', reason } };
    // The kept copy is read as a download would have been, so the changes still have a backup to compare with.
    const read = alsoRead ? await readKept(deps, kept, alsoRead(), deadline, jobId) : undefined;
    return {
      state: { state: 'ARCHIVED', reason: `Kept from the archive of ${earlier?.archivedAt}: ${reason}` },
      object: kept,
      ...(read === undefined ? {} : { read }),
    };
  }
}

/** The kept backup as stored (the version the earlier manifest names), read by `check`; undefined if it no longer matches. */
async function readKept<T>(deps: ArchiveDeps, kept: ManifestObject, check: StreamCheck<T>, deadline: Deadline, jobId: string) {
  const stream = await deps.store.stream(kept.key, kept.versionId, { deadline });
  if (!stream) return undefined;
  const hash = createHash('sha256');
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      check.write(chunk);
    }
    const read = check.finish();
    if (hash.digest('hex') === kept.sha256) return read;
  } catch (error) {
    // S3 failing or time running out fails the archive as usual; bytes that are not the document do not.
    if (error instanceof ArchiverError) throw error;
  }
  deps.log.warn('The kept backup no longer matches its manifest; changes compare without it', { jobId, key: kept.key });
  return undefined;
}

/** Gone for good (ISC keeps backups about a week) or never a document: say why. Anything else is retried. */
function unavailableReason(error: unknown, exportJobId: string): string | undefined {
  if (!(error instanceof IscError)) return undefined;
  const tracking = error.trackingId ? `, trackingId ${error.trackingId}` : '';
  if (error.httpStatus === 404 || error.httpStatus === 410)
    return `ISC no longer serves backup ${exportJobId} (${error.httpStatus}${tracking}).`;
  if (error.code === 'IscInvalidBody' || error.code === 'IscNotExportDocument')
    return `ISC kept sending backup ${exportJobId} that is not a whole export document: ${error.message}`;
  return undefined;
}

/** The export-document check alone, when nobody reads the backup's objects. */
function exportOnly<T>(): StreamCheck<T> {
  const check = exportCheck();
  return {
    write: (chunk) => check.write(chunk),
    finish: () => {
      check.finish();
      return undefined as T;
    },
  };
}
