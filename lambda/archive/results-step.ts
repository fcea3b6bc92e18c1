import type { ArchiveKeys } from '../contract/archive-keys.ts';
import type { Deadline } from '../core/deadline.ts';
import { iscPaths } from '../isc/isc-paths.ts';
import type { ResultsDigest } from '../results/results-scanner.ts';
import type { ArchiveDeps } from './archive-types.ts';
import { type ReadWhileStoring, readWhileStoring, uploadChecked } from './checked-upload.ts';
import { invalidDocument, resultsCheck } from './document-checks.ts';

/**
 * Streams the import results into S3, byte for byte, scanning them for the summary as they pass.
 * Invalid or cut-short results are downloaded again (the ISC client's retries) and never stored.
 * `read` settles with the digest once they are read whole; `stored` once S3 has them.
 */
export function archiveResults(
  deps: ArchiveDeps,
  keys: ArchiveKeys,
  jobId: string,
  deadline: Deadline,
  writable: Promise<unknown>,
): ReadWhileStoring<ResultsDigest> {
  const path = iscPaths(deps.config.apiVersion).importResults(jobId);
  return readWhileStoring<ResultsDigest>(async (onRead) => {
    const done = await deps.isc.download(path, { phase: 'download', jobId, deadline }, async (body, info) => {
      try {
        // The whole list of touched objects is read only for the changes (it costs a capture per object).
        return await uploadChecked(deps.store, body, resultsCheck(deps.config.archiveChanges), {
          key: keys.results,
          jobId,
          phase: 'download',
          expectedBytes: info.contentLength,
          writable,
          deadline,
          what: 'import results',
          onRead,
        });
      } catch (error) {
        throw invalidDocument(error, 'import results', 'download', jobId);
      }
    });
    deps.log.info('Results archived', { jobId, key: done.stored.key, bytes: done.stored.bytes, sha256: done.stored.sha256 });
    return done;
  });
}
