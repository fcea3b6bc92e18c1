import { archiveKeys } from '../contract/archive-keys.ts';
import type { Deadline } from '../core/deadline.ts';
import type { Manifest } from '../domain/manifest.ts';
import type { ArchiveDeps } from './archive-types.ts';
import type { ClaimHolder } from './claim.ts';
import { parseManifest } from './manifest.ts';

/**
 * Another live delivery holds the job's claim: watch S3 (not ISC) for its manifest until the holder's
 * deadline passes or this invocation's time runs low. Returns the manifest, or undefined when the
 * holder is out of time (its claim may now be taken over) or we are. Only a manifest the holder
 * could have written counts (archived since it took the claim): for a forced re-archive the old
 * manifest is there all along, and answering with it would drop the request.
 */
export async function awaitOtherDelivery(
  deps: ArchiveDeps,
  jobId: string,
  holder: ClaimHolder,
  deadline: Deadline,
): Promise<Manifest | undefined> {
  const { tenant } = await deps.credentials.get({ deadline });
  const key = archiveKeys(deps.config.prefix, tenant, jobId).manifest;
  const holderEnds = Date.parse(holder.deadline);
  deps.log.info('Another delivery is archiving this job; watching for its manifest', {
    jobId,
    holder: holder.requestId,
    holderDeadline: holder.deadline,
  });
  for (;;) {
    const stored = await deps.store.get(key, { deadline });
    const manifest = stored ? parseManifest(stored.body, key) : undefined;
    if (manifest && (holder.claimedAt === undefined || manifest.archivedAt >= holder.claimedAt)) return manifest;
    if (Date.now() > holderEnds) return undefined;
    if (!(await deadline.sleep(Math.min(2_000, Math.max(250, holderEnds - Date.now() + 100))))) return undefined;
  }
}
