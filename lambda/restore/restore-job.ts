import { PassThrough, type Readable } from 'node:stream';
import type { ArchiveDeps } from '../archive/archive-types.ts';
import { parseManifest } from '../archive/manifest.ts';
import { archiveKeys } from '../contract/archive-keys.ts';
import { bestEffort } from '../core/background.ts';
import { beforeTheEnd, type Deadline } from '../core/deadline.ts';
import { IscError, RestoreRefusedError, StorageError } from '../core/errors.ts';
import type { Manifest, ManifestObject, RestoreSelection } from '../domain/manifest.ts';
import { iscPaths } from '../isc/isc-paths.ts';
import { TOUCHED_LIMIT } from '../results/results-scanner.ts';
import { backupHoldings, touchedObjects } from './archived-documents.ts';
import { refreshReport } from './refresh-report.ts';
import { backupProblem, previewProblem } from './restore-guard.ts';
import { type NotRestorable, planRestore } from './restore-plan.ts';
import { lockApply, markApplied, recordRestore, unlockApply, writeRestoreLink } from './restore-records.ts';
import { verifiedBackup } from './verified-backup.ts';

export interface RestoreRequest {
  readonly jobId: string;
  readonly types?: readonly string[] | undefined;
  /** Set for an apply: the archived preview that allows it. Unset: a preview. */
  readonly previewJobId?: string | undefined;
  /** Names this request in the apply lock. */
  readonly requestId: string;
}

export interface RestoreStarted {
  /** The import job ISC runs for the restore (the preview, or the restore itself). */
  readonly jobId: string;
  readonly restoreOf: string;
  readonly preview: boolean;
  readonly selection: RestoreSelection;
  readonly notRestorable: readonly NotRestorable[];
  readonly previewJobId: string | null;
}

/**
 * Rolls an import back from its archived backup (docs/contract.md, "Restore"). The steps:
 *  1. the original's archive must hold its backup;
 *  2. what the import touched (its results) and what of it the backup holds: the selection;
 *  3. an apply needs an archived, error-free preview of the same selection, and takes the
 *     preview's apply lock, so the same apply sent twice submits one import;
 *  4. the backup's exact bytes go to ISC, checked against the manifest as they stream;
 *  5. the restore job is linked to the original, both ways, for its archive and GET /imports.
 * Every refusal (409) happens before anything reaches ISC.
 */
export async function startRestore(request: RestoreRequest, deps: ArchiveDeps, deadline: Deadline): Promise<RestoreStarted> {
  const { store, log } = deps;
  const { jobId } = request;
  const { tenant } = await deps.credentials.get({ deadline });
  const keys = archiveKeys(deps.config.prefix, tenant, jobId);
  const preview = request.previewJobId === undefined;

  // 1. The original's archive and its backup.
  const original = await readManifest(deps, tenant, jobId, deadline);
  const problem = backupProblem(original, jobId);
  if (problem || !original) throw new RestoreRefusedError(problem ?? 'No archive.', jobId);
  const backup = role(original, 'backup');

  // 2. The selection: touched objects the backup holds, by the backup's ids. An apply is "the same
  //    submission" as its preview: unless it names types itself, it narrows to the preview's.
  const previewManifest = request.previewJobId === undefined ? undefined : await readManifest(deps, tenant, request.previewJobId, deadline);
  const types = request.types ?? previewManifest?.restore?.selection.includeTypes;
  const { objects: touched, whole } = await touchedObjects(store, role(original, 'results'), { deadline });
  if (!whole) {
    // A restore that brings back only part of what the import changed would look complete: refuse it.
    throw new RestoreRefusedError(
      `The results of ${jobId} name more objects than the archiver reads (${TOUCHED_LIMIT}), or one too large to read: restore cannot select them all.`,
      jobId,
    );
  }
  const holdings = await backupHoldings(store, backup, new Set(touched.map((o) => o.type)), { deadline });
  const plan = planRestore(touched, holdings, types);
  if (plan.selection.includeTypes.length === 0) {
    throw new RestoreRefusedError(
      `Nothing to restore for ${jobId}: none of the objects it touched${types ? ' of those types' : ''} is in its backup.`,
      jobId,
    );
  }

  // 3. An apply: the preview allows it, and this is the first apply of that preview.
  const at = now(deps).toISOString();
  if (request.previewJobId !== undefined) {
    const refused = previewProblem(previewManifest, request.previewJobId, jobId, plan.selection, now(deps).getTime());
    if (refused) throw new RestoreRefusedError(refused, jobId);
    const other = await lockApply(store, keys, request.previewJobId, request.requestId, at, { deadline });
    if (other?.state === 'SUBMITTED') {
      log.info('This preview was applied already; not submitting again', {
        jobId,
        previewJobId: request.previewJobId,
        restoreJobId: other.jobId,
      });
      return {
        jobId: other.jobId,
        restoreOf: jobId,
        preview: false,
        selection: plan.selection,
        notRestorable: plan.notRestorable,
        previewJobId: request.previewJobId,
      };
    }
    if (other)
      throw new RestoreRefusedError(
        `An apply of preview ${request.previewJobId} is being submitted since ${other.at}; check ISC's imports before trying again.`,
        jobId,
      );
  }

  // 4. Submit the backup, unchanged, narrowed by options.
  const options = { includeTypes: plan.selection.includeTypes, objectOptions: plan.selection.objectOptions };
  const ctx = { phase: 'restore' as const, jobId, deadline };
  let submitted: unknown;
  try {
    const data = () => later(() => verifiedBackup(store, backup, jobId, { deadline }));
    submitted = await deps.isc.postImport(
      iscPaths(deps.config.apiVersion).importStart(preview),
      { data, dataBytes: backup.bytes, options },
      ctx,
    );
  } catch (error) {
    // Refused before ISC could act (our check, or ISC's own 4xx): the apply may be tried again.
    if (request.previewJobId !== undefined && surelyNotApplied(error)) {
      await unlockApply(store, keys, request.previewJobId, { signal: beforeTheEnd(deadline) });
    }
    throw error;
  }
  const restoreJobId = jobIdOf(submitted, jobId);

  // 5. Link the restore job and the original, both ways.
  //    ISC has the job now: these writes may use the deadline's margin, kept back for them.
  const link = { of: jobId, preview, selection: plan.selection, previewJobId: request.previewJobId ?? null };
  const margin = { signal: beforeTheEnd(deadline) };
  try {
    await writeRestoreLink(store, archiveKeys(deps.config.prefix, tenant, restoreJobId), link, margin);
    await recordRestore(store, keys, { jobId: restoreJobId, preview, at, previewJobId: request.previewJobId ?? null }, margin);
    if (request.previewJobId !== undefined) await markApplied(store, keys, request.previewJobId, restoreJobId, at, margin);
  } catch (error) {
    // The operator must learn the job ISC is running, or it is lost from view: not retried, as a
    // retry would meet the apply lock (or submit the preview again).
    throw new StorageError(
      `ISC accepted restore job ${restoreJobId} of ${jobId}, but recording it in S3 failed: it runs on the tenant; archive it with POST /imports/${restoreJobId}/archive.`,
      { phase: 'restore', retryable: false, jobId, cause: error },
    );
  }
  await bestEffort(
    () => refreshReport(deps, keys, jobId, request.requestId, deadline),
    log,
    "Refreshing the original report's restore list",
    { jobId },
  );
  log.info(preview ? 'Restore preview submitted' : 'Restore submitted', {
    jobId,
    restoreJobId,
    includeTypes: options.includeTypes,
    notRestorable: plan.notRestorable.length,
  });
  return {
    jobId: restoreJobId,
    restoreOf: jobId,
    preview,
    selection: plan.selection,
    notRestorable: plan.notRestorable,
    previewJobId: request.previewJobId ?? null,
  };
}

async function readManifest(deps: ArchiveDeps, tenant: string, jobId: string, deadline: Deadline): Promise<Manifest | undefined> {
  const key = archiveKeys(deps.config.prefix, tenant, jobId).manifest;
  const stored = await deps.store.get(key, { deadline });
  return stored ? parseManifest(stored.body, key) : undefined;
}

function role(manifest: Manifest, name: ManifestObject['role']): ManifestObject {
  const object = manifest.objects.find((o) => o.role === name);
  if (!object) throw new RestoreRefusedError(`The archive of ${manifest.jobId} names no ${name} object.`, manifest.jobId);
  return object;
}

/** A stream now, fed by one that takes a moment to open (the S3 read); its failure fails this one. */
function later(open: () => Promise<Readable>): Readable {
  const out = new PassThrough();
  open().then(
    (source) => {
      source.once('error', (error) => out.destroy(error));
      source.pipe(out);
    },
    (error: unknown) => out.destroy(error as Error),
  );
  return out;
}

function surelyNotApplied(error: unknown): boolean {
  if (error instanceof RestoreRefusedError) return true;
  return error instanceof IscError && error.httpStatus !== undefined && error.httpStatus >= 400 && error.httpStatus < 500;
}

function jobIdOf(answer: unknown, jobId: string): string {
  const id = typeof answer === 'object' && answer !== null ? (answer as { jobId?: unknown }).jobId : undefined;
  if (typeof id !== 'string' || !/^[0-9a-f-]{32,36}$/i.test(id)) {
    throw new IscError('IscUnexpectedAnswer', `ISC accepted the restore of ${jobId} but named no import job; check ISC's imports.`, {
      phase: 'restore',
      retryable: false,
      jobId,
    });
  }
  return id.toLowerCase();
}

function now(deps: ArchiveDeps): Date {
  return (deps.now ?? (() => new Date()))();
}
