import { exportSelection } from '../changes/export-selection.ts';
import { type ExtractedObject, TouchedObjectExtractor } from '../changes/touched-object-extractor.ts';
import type { ArchiveKeys } from '../contract/archive-keys.ts';
import type { Deadline } from '../core/deadline.ts';
import { ArchiverError, StorageError, TimeBudgetError } from '../core/errors.ts';
import type { ManifestObject } from '../domain/manifest.ts';
import type { ObjectRef } from '../domain/summary.ts';
import { iscPaths } from '../isc/isc-paths.ts';
import { type ImportStatus, isRunning, parseImportStatus } from '../isc/job-status.ts';
import type { ArchiveDeps } from './archive-types.ts';
import { type StreamCheck, uploadChecked } from './checked-upload.ts';
import { invalidDocument } from './document-checks.ts';

export interface AfterState {
  readonly exportJobId: string;
  /** When ISC took the after-state: the export job's completion. */
  readonly exportedAt: string;
  readonly stored: ManifestObject;
  readonly objects: readonly ExtractedObject[];
}

/** The after-state could not be had; the archive completes without the changes, saying why. */
export class AfterStateUnavailable extends Error {
  readonly exportJobId: string | null;
  constructor(reason: string, exportJobId: string | null) {
    super(reason);
    this.exportJobId = exportJobId;
  }
}

/**
 * Exports the after-state of exactly the objects the import touched, waits for the export, and
 * streams it into the archive as the `after` object, reading the touched objects out of it as it
 * passes. Started as soon as the results name the touched objects: the closer to the import, the
 * truer the after-state. Any failure of ISC's becomes AfterStateUnavailable with the reason; when
 * `handOffWhenLate` (the API), running out of time is a TimeBudgetError instead, so the archive is
 * handed to a background invocation with the time to finish it.
 */
export async function exportAfterState(
  deps: ArchiveDeps,
  keys: ArchiveKeys,
  jobId: string,
  touched: readonly ObjectRef[],
  deadline: Deadline,
  writable: Promise<unknown>,
  handOffWhenLate: boolean,
): Promise<AfterState> {
  const paths = iscPaths(deps.config.apiVersion);
  const ctx = { phase: 'changes' as const, jobId, deadline };
  const selection = exportSelection(touched, `isc-import-archiver: after-state of import ${jobId}`);
  if (!selection) throw new AfterStateUnavailable('The imported objects name no id or name to export them by.', null);
  let exportJobId: string | null = null;
  try {
    let job = exportStatus(await deps.isc.postJson(paths.exportStart(), selection, ctx), jobId);
    exportJobId = job.jobId;
    deps.log.info('After-state export started', { jobId, afterExportJobId: exportJobId, types: selection.includeTypes });
    for (let n = 0; isRunning(job.status); n++) {
      if (!(await deadline.sleep(exportPollInterval(n)))) {
        if (handOffWhenLate) throw new TimeBudgetError(`The after-state export ${exportJobId} was still running.`, 'changes', jobId);
        throw new AfterStateUnavailable(
          `The after-state export ${exportJobId} was still ${job.status} when the invocation's time ran low.`,
          exportJobId,
        );
      }
      job = exportStatus(await deps.isc.getJson(paths.exportStatus(job.jobId), ctx), job.jobId);
    }
    if (job.status !== 'COMPLETE')
      throw new AfterStateUnavailable(
        `The after-state export ${exportJobId} ended ${job.status}${job.message ? `: ${job.message}` : ''}.`,
        exportJobId,
      );
    const id = job.jobId;
    const { stored, checked } = await deps.isc.download(paths.exportDocument(id), ctx, async (body, info) => {
      try {
        // A fresh reader per attempt: a retried download starts the document again. It checks the
        // export document as it reads the touched objects out of it.
        return await uploadChecked(deps.store, body, touchedReader(touched), {
          key: keys.backup(id),
          jobId,
          phase: 'changes',
          expectedBytes: info.contentLength,
          writable,
          deadline,
          what: 'the after-state export',
        });
      } catch (error) {
        throw invalidDocument(error, 'the after-state export', 'changes', jobId);
      }
    });
    const exportedAt = job.completed ?? job.modified ?? job.created ?? new Date().toISOString();
    deps.log.info('After-state archived', { jobId, afterExportJobId: id, key: stored.key, bytes: stored.bytes });
    return { exportJobId: id, exportedAt, stored: { role: 'after', ...stored }, objects: checked };
  } catch (error) {
    if (error instanceof AfterStateUnavailable || passesThrough(error)) throw error;
    const tracking = error instanceof ArchiverError && error.trackingId ? ` (trackingId ${error.trackingId})` : '';
    const scope =
      error instanceof ArchiverError && error.httpStatus === 403 ? ' The credentials need scope sp:config:read or sp:config:manage.' : '';
    throw new AfterStateUnavailable(`The after-state export failed: ${(error as Error).message}${tracking}.${scope}`, exportJobId);
  }
}

/**
 * The wait before export poll `n` (from 0): a quarter second, doubling to 5 s. An export of a few
 * objects takes ISC a second or two, and the sooner it is taken after the import, the truer it is.
 */
export function exportPollInterval(n: number): number {
  return Math.min(5_000, 250 * 2 ** n);
}

/** Failures that are the archive's, not the export's: our storage, our claim, our time. */
function passesThrough(error: unknown): boolean {
  return (
    error instanceof StorageError ||
    error instanceof TimeBudgetError ||
    (error instanceof ArchiverError && (error.code === 'ClaimBusy' || error.code === 'ArchivedMeanwhile'))
  );
}

function exportStatus(body: unknown, fallbackId: string): ImportStatus {
  const id =
    typeof body === 'object' && body !== null && typeof (body as { jobId?: unknown }).jobId === 'string'
      ? (body as { jobId: string }).jobId
      : fallbackId;
  if (!/^[0-9a-f-]{32,36}$/i.test(id)) throw new AfterStateUnavailable('ISC answered the export request without a job id.', null);
  return parseImportStatus(body, id.toLowerCase());
}

/** Reads the touched objects out of an export document as it streams. */
export function touchedReader(touched: readonly ObjectRef[]): StreamCheck<ExtractedObject[]> {
  const extractor = new TouchedObjectExtractor(touched);
  return { write: (chunk) => extractor.write(chunk), finish: () => extractor.finish() };
}
