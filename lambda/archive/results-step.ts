import type { Deadline } from '../core/deadline.ts';
import type { ArchiveKeys } from '../contract/archive-keys.ts';
import { iscPaths } from '../isc/isc-paths.ts';
import type { ResultsDigest } from '../results/results-scanner.ts';
import type { ArchiveDeps } from './archive-types.ts';
import { uploadChecked } from './checked-upload.ts';
import { invalidDocument, resultsCheck } from './document-checks.ts';
import type { ManifestObject } from './manifest.ts';

export interface ArchivedResults {
  readonly stored: ManifestObject;
  readonly digest: ResultsDigest;
}

/**
 * Streams the import results into S3, byte for byte, scanning them for the summary as they pass.
 * Invalid or cut-short results are downloaded again (the ISC client's retries) and never stored.
 */
export async function archiveResults(deps: ArchiveDeps, keys: ArchiveKeys, jobId: string, deadline: Deadline, writable: Promise<unknown>): Promise<ArchivedResults> {
  const path = iscPaths(deps.config.apiVersion).importResults(jobId);
  const { stored, checked } = await deps.isc.download(path, { phase: 'download', jobId, deadline }, async (body, info) => {
    try {
      return await uploadChecked(deps.store, body, resultsCheck(), {
        key: keys.results, jobId, phase: 'download', expectedBytes: info.contentLength, writable, deadline, what: 'import results',
      });
    } catch (error) {
      throw invalidDocument(error, 'import results', 'download', jobId);
    }
  });
  deps.log.info('Results archived', { jobId, key: stored.key, bytes: stored.bytes, sha256: stored.sha256 });
  return { stored: { role: 'results', ...stored }, digest: checked };
}
