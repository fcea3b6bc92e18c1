import { type ArchiveKeys, archiveKeys } from '../contract/archive-keys.ts';
import { isJobId } from '../contract/job-id.ts';
import { startEarly } from '../core/background.ts';
import { beforeTheEnd, type Deadline } from '../core/deadline.ts';
import { StorageError } from '../core/errors.ts';
import type { ChangesRecord } from '../domain/changes.ts';
import type { Manifest, ManifestObject } from '../domain/manifest.ts';
import { emptyCounts, type Summary } from '../domain/summary.ts';
import { iscPaths } from '../isc/isc-paths.ts';
import { type ImportStatus, isRunning, parseImportStatus } from '../isc/job-status.ts';
import type { ConditionalWrite } from '../storage/archive-store.ts';
import { exportAfterState, touchedReader } from './after-state-step.ts';
import type { ArchiveDeps, Archived, ArchiveRequest, ArchiveResult } from './archive-types.ts';
import { archiveBackup } from './backup-step.ts';
import { changesPlanned, keepEarlierChanges, notingUnread, recordChanges } from './changes-step.ts';
import { ArchiveClaim, ArchivedMeanwhileError, ClaimBusyError, manifestArchivedSince } from './claim.ts';
import { buildManifest, parseManifest } from './manifest.ts';
import { readRestoreLink } from './restore-link.ts';
import { archiveResults } from './results-step.ts';
import { waitForImport } from './wait-for-import.ts';
import { writeManifest, writeReport } from './write-steps.ts';

export type { ArchiveDeps, Archived, ArchiveRequest, ArchiveResult } from './archive-types.ts';

/**
 * Archives one import job (docs/contract.md). The steps, in order:
 *  1. find the manifest: an archived job is answered from S3 without calling ISC (unless forced);
 *  2. read the import's status and wait while it runs (or hand the wait back to the caller);
 *  3. claim the job, while the results download begins: nothing is written before the claim;
 *  4. the results, the after-state export (the changes), the pre-import backup;
 *  5. the report, then the manifest, last: its presence means "archived";
 *  6. release the claim (a written manifest releases it by itself).
 */
export async function archiveJob(request: ArchiveRequest, deps: ArchiveDeps, deadline: Deadline): Promise<ArchiveResult> {
  const { store, log } = deps;
  const { jobId } = request;
  const { tenant } = await deps.credentials.get({ deadline });
  const keys = archiveKeys(deps.config.prefix, tenant, jobId);
  const archived = (outcome: Archived['outcome'], manifest: Manifest): Archived => ({
    outcome,
    manifest,
    manifestKey: keys.manifest,
    bucket: store.bucket,
  });

  // 1. Find the manifest.
  const earlier = await store.get(keys.manifest, { deadline });
  if (earlier && !request.force) {
    log.info('Already archived; ISC not called', { jobId, manifestKey: keys.manifest });
    return archived('ALREADY_ARCHIVED', parseManifest(earlier.body, keys.manifest));
  }

  // 2. Wait for the import to end.
  const paths = iscPaths(deps.config.apiVersion);
  const readStatus = async () =>
    parseImportStatus(await deps.isc.getJson(paths.importStatus(jobId), { phase: 'status', jobId, deadline }), jobId);
  let job = await readStatus();
  log.info('Import status read', { jobId, status: job.status });
  if (isRunning(job.status) && request.wait) job = await waitForImport(job, readStatus, deadline, log);
  if (isRunning(job.status)) return { outcome: 'RUNNING', job };

  // 3. Claim the job while the results download begins (whileClaiming): the first write waits for it.
  const holder = { requestId: request.requestId, deadline: new Date(deadline.endsAt()).toISOString() };
  const finished = manifestArchivedSince(store, keys.manifest, beforeTheEnd(deadline));
  const claiming = startEarly(
    ArchiveClaim.take(store, keys.lease, holder, () => now(deps).getTime(), log, beforeTheEnd(deadline), finished),
    log,
    'Claiming the job',
  );
  const whileClaiming = startEarly(mayWrite(), log, 'Checking the claim');
  let written = false;
  try {
    const manifest = await writeArchive(job, whileClaiming);
    written = true;
    return archived(job.status === 'CANCELLED' ? 'CANCELLED' : 'ARCHIVED', manifest);
  } catch (error) {
    if (error instanceof ArchivedMeanwhileError) return archived('ALREADY_ARCHIVED', parseManifest(error.manifestBody, keys.manifest));
    if (error instanceof ClaimBusyError) return { outcome: 'BUSY', holder: error.holder };
    throw error;
  } finally {
    // 6. Release the claim if no manifest was written; once one is, it says the claim is done (see ArchiveClaim).
    const claim = await claiming.catch(() => undefined);
    if (claim instanceof ArchiveClaim && !written) await claim.release();
  }

  /**
   * Settles once this delivery holds the claim, with the condition its manifest write needs. With
   * the claim held it looks for a manifest again, as a delivery may have finished meanwhile; forced,
   * it replaces exactly the manifest it reads now (the claim keeps every other writer out).
   */
  async function mayWrite(): Promise<ConditionalWrite> {
    const claim = await claiming;
    if (!(claim instanceof ArchiveClaim)) throw new ClaimBusyError(jobId, claim);
    const current = await store.get(keys.manifest, { deadline });
    if (current && !request.force) throw new ArchivedMeanwhileError(jobId, current.body);
    return current ? { ifMatch: current.etag ?? '*' } : { ifNoneMatch: '*' };
  }

  async function writeArchive(finished: ImportStatus, writable: Promise<ConditionalWrite>): Promise<Manifest> {
    const previous = earlier ? parseManifest(earlier.body, keys.manifest) : undefined;
    const restore = startEarly(readRestoreLink(store, keys, { deadline }), log, 'Reading the restore link');

    // 4. The results; then, at once, the after-state export of the objects they name as imported
    //    (the closer to the import, the truer), while the backup streams in and the touched objects
    //    are read out of it; then the changes between the two.
    const results = finished.status === 'CANCELLED' ? undefined : archiveResults(deps, keys, jobId, deadline, writable);
    const resultsRead = await results?.read;
    const digest = resultsRead?.checked;
    const exportJobId = digest?.exportJobId ?? null;
    // Every object the results list as imported (the scanner keeps them all, not only the report's samples).
    const touched = digest?.touched ?? [];
    const planned = changesPlanned(deps.config.archiveChanges, finished, touched);
    const afterState =
      planned === 'EXPORT'
        ? startEarly(exportAfterState(deps, keys, jobId, touched, deadline, writable, !request.wait), log, 'Exporting the after-state')
        : undefined;
    const backup = await archiveBackup(
      deps,
      keys,
      jobId,
      exportJobId,
      deadline,
      writable,
      previous,
      afterState ? () => touchedReader(touched) : undefined,
    );
    const recorded = afterState
      ? await recordChanges(deps, keys, {
          jobId,
          tenant,
          touched,
          afterState,
          signal: beforeTheEnd(deadline),
          before: backup.read && backup.object ? { exportJobId: exportJobId ?? '', key: backup.object.key, objects: backup.read } : null,
        })
      : { record: planned as ChangesRecord, document: null, objects: [] };
    const changes = await keepEarlierChanges(deps, previous, notingUnread(recorded, !digest?.touchedCapped), { deadline });
    const others: ManifestObject[] = [...(backup.object ? [backup.object] : []), ...changes.objects];

    // 5. The report, from what was read, while S3 may still be storing the results (whileStoringResults);
    //    then the manifest, last, naming the versions S3 stored.
    const facts = {
      tenant,
      apiVersion: deps.config.apiVersion,
      job: finished,
      // One that is not a job id is not kept (it may be any size); the backup's reason says so.
      exportJobId: exportJobId !== null && isJobId(exportJobId) ? exportJobId : null,
      backup: backup.state,
      changes: changes.record,
      summary: digest?.summary ?? emptySummary(),
      restore: await restore,
      archivedAt: now(deps),
    };
    const condition = await writable;
    const asRead: ManifestObject[] = [
      ...(resultsRead ? [{ role: 'results' as const, key: resultsRead.key, bytes: resultsRead.bytes, sha256: resultsRead.sha256 }] : []),
      ...others,
    ];
    const whileStoringResults = writeReport(
      deps,
      keys,
      buildManifest({ ...facts, objects: asRead }),
      digest?.samples ?? null,
      changes.document,
      beforeTheEnd(deadline),
    );
    const [storedResults, report] = await Promise.all([results?.stored, whileStoringResults]);
    const objects: ManifestObject[] = [...(storedResults ? [{ role: 'results' as const, ...storedResults }] : []), ...others, report];
    const manifest = buildManifest({ ...facts, objects });
    if (!(await writeManifest(deps, keys, manifest, condition, beforeTheEnd(deadline)))) throw manifestRaceLost(jobId, keys);
    return manifest;
  }
}

/** Every writer holds the claim first, so a failed condition means ours was taken over: we outlived our deadline. */
function manifestRaceLost(jobId: string, keys: ArchiveKeys): StorageError {
  return new StorageError(
    `The manifest ${keys.manifest} changed while this delivery held the claim on ${jobId}; a retry will find the newer archive.`,
    {
      retryable: true,
      jobId,
    },
  );
}

function emptySummary(): Summary {
  return { byType: Object.create(null) as Summary['byType'], totals: emptyCounts() };
}

function now(deps: ArchiveDeps): Date {
  return (deps.now ?? (() => new Date()))();
}
