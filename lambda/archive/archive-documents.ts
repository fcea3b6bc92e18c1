import type { Deadline } from '../core/deadline.ts';
import type { ArchiveDeps } from './archive-job.ts';
import type { ArchiveKeys } from '../contract/archive-keys.ts';
import { IscError } from '../core/errors.ts';
import type { Manifest } from './manifest.ts';
import { iscPaths } from '../isc/isc-paths.ts';
import { isJobId } from '../contract/job-id.ts';
import { InvalidJsonError } from '../results/json-stream-walker.ts';
import type { ResultsDigest } from '../results/results-scanner.ts';
import { ResultsScan } from '../results/scan-while-storing.ts';
import { UPLOAD_PART_BYTES } from '../storage/archive-store.ts';

const JSON_TYPE = 'application/json';

// Downloads ISC's documents straight into S3: the results (scanned for the summary) and the backup.

/** What is known of the results once they are read whole and valid, before S3 confirms the write. */
export interface ResultsRead {
  readonly key: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly digest: ResultsDigest;
}

/**
 * Streams the import results into S3 and scans them for the summary (see ResultsScan for when).
 * `read` hears of a complete, valid document, possibly before its upload finishes, so the report
 * can be written alongside. With `overwrites` (an archive is already there, on force) the results
 * are known good before anything is written over it.
 */
export async function downloadResults(
  deps: ArchiveDeps, keys: ArchiveKeys, jobId: string, deadline: Deadline,
  control: { before?: Promise<unknown>; overwrites?: boolean; read?: (results: ResultsRead) => void } = {},
) {
  const path = iscPaths(deps.config.apiVersion).importResults(jobId);
  return deps.isc.download(path, { phase: 'download', jobId, deadline }, async (body, info) => {
    const scan = new ResultsScan(control.overwrites ? 0 : UPLOAD_PART_BYTES);
    let digest: Promise<ResultsDigest> | undefined;
    const stored = await deps.store.upload(keys.results, body, JSON_TYPE, {
      before: control.before,
      observe: {
        chunk: (chunk) => scan.write(chunk),
        end: (read) => {
          // A short body stops here, before anything is written; so does invalid JSON that was
          // scanned as it streamed.
          checkLength(read.bytes, info.contentLength, jobId, 'download');
          digest = Promise.resolve(scan.end()).then((scanned) => {
            control.read?.({ key: keys.results, ...read, digest: scanned });
            return scanned;
          });
          digest.catch(() => {});
        },
      },
      valid: async () => {
        await digest;
      },
    }).catch((error: unknown) => {
      scan.stop();
      throw error instanceof InvalidJsonError ? invalidBody(jobId, error) : error;
    });
    deps.log.info('Results archived', { jobId, key: stored.key, bytes: stored.bytes, sha256: stored.sha256 });
    return { stored, digest: (await digest)! };
  });
}

/** Streams the pre-import backup into S3, or says why there is none. */
export async function archiveBackup(deps: ArchiveDeps, keys: ArchiveKeys, jobId: string, exportJobId: string | null, deadline: Deadline, before?: Promise<unknown>) {
  const skipped = backupSkipped(deps.config.archiveBackup, exportJobId);
  if (skipped || exportJobId === null) return { state: skipped ?? NO_BACKUP } as const;
  const key = keys.backup(exportJobId.toLowerCase());
  const path = iscPaths(deps.config.apiVersion).exportDocument(exportJobId);
  try {
    const stored = await deps.isc.download(path, { phase: 'backup', jobId, deadline }, async (body, info) => {
      return deps.store.upload(key, body, JSON_TYPE, {
        before,
        observe: { end: (read) => checkLength(read.bytes, info.contentLength, jobId, 'backup') },
      });
    });
    deps.log.info('Backup archived', { jobId, exportJobId, key: stored.key, bytes: stored.bytes, sha256: stored.sha256 });
    return { state: { state: 'ARCHIVED', reason: `Pre-import backup ${exportJobId} archived.` }, object: { role: 'backup', ...stored } } as const;
  } catch (error) {
    // Gone for good (ISC keeps backups about a week): record why; anything else fails so Lambda retries.
    if (error instanceof IscError && (error.httpStatus === 404 || error.httpStatus === 410)) {
      const reason = `ISC no longer serves backup ${exportJobId} (${error.httpStatus}${error.trackingId ? `, trackingId ${error.trackingId}` : ''}).`;
      deps.log.warn('Backup unavailable', { jobId, exportJobId, httpStatus: error.httpStatus, trackingId: error.trackingId });
      return { state: { state: 'UNAVAILABLE', reason } } as const;
    }
    throw error;
  }
}

const NO_BACKUP = { state: 'NONE', reason: 'ISC took no pre-import backup for this job.' } as const;

/** Why no backup will be fetched for these results; undefined when there is one to fetch. */
export function backupSkipped(enabled: boolean, exportJobId: string | null): Manifest['backup'] | undefined {
  if (!enabled) return { state: 'DISABLED', reason: 'ARCHIVE_BACKUP is false.' };
  if (exportJobId === null) return NO_BACKUP;
  if (!isJobId(exportJobId)) return { state: 'UNAVAILABLE', reason: 'The results name an exportJobId that is not a job id.' };
  return undefined;
}

function checkLength(bytes: number, expected: number | undefined, jobId: string, phase: 'download' | 'backup'): void {
  if (expected !== undefined && bytes !== expected) {
    throw new IscError('IscTruncatedBody', `ISC sent ${bytes} of ${expected} bytes.`, { phase, retryable: true, jobId });
  }
}

function invalidBody(jobId: string, cause: unknown): IscError {
  return new IscError('IscInvalidBody', `ISC sent import results for ${jobId} that are not valid JSON; nothing was archived.`, {
    phase: 'download', retryable: true, jobId, cause,
  });
}
