import type { ArchiveDeps } from '../archive/archive-types.ts';
import { ArchiveClaim, manifestArchivedSince } from '../archive/claim.ts';
import { parseManifest } from '../archive/manifest.ts';
import { writeManifest, writeReport } from '../archive/write-steps.ts';
import type { ArchiveKeys } from '../contract/archive-keys.ts';
import { beforeTheEnd, type Deadline } from '../core/deadline.ts';
import type { ChangesDocument } from '../domain/changes.ts';
import type { Manifest } from '../domain/manifest.ts';
import { ResultsScanner } from '../results/results-scanner.ts';
import { listRestores } from './restore-records.ts';

/**
 * Writes the original import's report again with the restores started from it, so each report
 * links to the other, and its manifest with the new report's size and hash (If-Match: exactly the
 * manifest read, under the job's claim like any writer). Best effort: the restore has started
 * whatever happens here, and GET /imports/{jobId} lists the restores in any case.
 */
export async function refreshReport(
  deps: ArchiveDeps,
  keys: ArchiveKeys,
  jobId: string,
  requestId: string,
  deadline: Deadline,
): Promise<void> {
  const { store, log } = deps;
  const signal = beforeTheEnd(deadline);
  const me = { requestId, deadline: new Date(deadline.endsAt()).toISOString() };
  const claim = await ArchiveClaim.take(
    store,
    keys.lease,
    me,
    () => Date.now(),
    log,
    signal,
    manifestArchivedSince(store, keys.manifest, signal),
  );
  if (!(claim instanceof ArchiveClaim)) {
    log.info('The original is being archived now; its report keeps its old restore list', { jobId, holder: claim.requestId });
    return;
  }
  try {
    const stored = await store.get(keys.manifest, { signal });
    if (!stored) return;
    const manifest = parseManifest(stored.body, keys.manifest);
    const samples = await samplesOf(deps, manifest, signal);
    const changes = await changesOf(deps, manifest, signal);
    const restores = await listRestores(store, keys, { signal });
    const others = manifest.objects.filter((o) => o.role !== 'report');
    const report = await writeReport(deps, keys, manifest, samples, changes, signal, restores);
    const updated: Manifest = { ...manifest, objects: [...others, report] };
    if (!(await writeManifest(deps, keys, updated, { ifMatch: stored.etag ?? '*' }, signal))) {
      log.warn('The original manifest changed while its report was refreshed; the newer archive stands', { jobId });
    }
  } finally {
    await claim.release();
  }
}

async function samplesOf(deps: ArchiveDeps, manifest: Manifest, signal: AbortSignal) {
  const results = manifest.objects.find((o) => o.role === 'results');
  if (!results) return null;
  const scanner = new ResultsScanner();
  const stream = await deps.store.stream(results.key, results.versionId, { signal });
  if (!stream) return null;
  for await (const chunk of stream as AsyncIterable<Buffer>) scanner.write(chunk);
  return scanner.finish().samples;
}

async function changesOf(deps: ArchiveDeps, manifest: Manifest, signal: AbortSignal): Promise<ChangesDocument | null> {
  const changes = manifest.objects.find((o) => o.role === 'changes');
  if (!changes) return null;
  const stored = await deps.store.get(changes.key, { versionId: changes.versionId, signal });
  return stored ? (JSON.parse(stored.body.toString('utf8')) as ChangesDocument) : null;
}
