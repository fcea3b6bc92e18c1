import type { ArchiverConfig } from '../contract/config.ts';
import type { CredentialSource } from '../isc/secret-source.ts';
import type { IscClient } from '../isc/isc-client.ts';
import type { ArchiveStore, StoredManifest } from '../storage/archive-store.ts';
import type { Deadline } from '../core/deadline.ts';
import type { Log } from '../core/log.ts';
import { StorageError } from '../core/errors.ts';
import { archiveKeys, type ArchiveKeys } from '../contract/archive-keys.ts';
import { iscPaths } from '../isc/isc-paths.ts';
import { isRunning, parseImportStatus, type ImportStatus } from '../isc/job-status.ts';
import { waitForJob } from '../isc/wait-for-job.ts';
import { emptyCounts, type ResultsDigest, type Samples, type Summary } from '../results/results-scanner.ts';
import { buildManifest, parseManifest, type Manifest, type ManifestObject } from './manifest.ts';
import { renderReport } from '../report/report-renderer.ts';
import { archiveBackup, backupSkipped, downloadResults } from './archive-documents.ts';
import { acquireLease, ClaimLostError } from './archive-claim.ts';

export interface ArchiveDeps {
  readonly config: ArchiverConfig;
  readonly credentials: CredentialSource;
  readonly isc: IscClient;
  readonly store: ArchiveStore;
  readonly log: Log;
  readonly now?: () => Date;
  /** Names this delivery in the archive claim (the Lambda request id). */
  readonly owner?: string;
  /** Tells the world a job was archived (the EventBridge event); runs while the claim is removed. */
  readonly announce?: (manifest: Manifest, manifestKey: string) => Promise<void>;
}

export interface ArchiveRequest {
  readonly jobId: string;
  readonly force: boolean;
  /** Wait for a running job (async sources); when false a running job is reported as it is. */
  readonly wait: boolean;
}

export interface Archived {
  readonly outcome: 'ARCHIVED' | 'ALREADY_ARCHIVED' | 'CANCELLED';
  readonly manifest: Manifest;
  readonly manifestKey: string;
  readonly bucket: string;
}

export type ArchiveResult = Archived | { readonly outcome: 'RUNNING'; readonly job: ImportStatus };

const JSON_TYPE = 'application/json';
const HTML_TYPE = 'text/html; charset=utf-8';

/** Archives one import job: check the manifest, wait, download, write the objects, manifest last. */
export async function archiveJob(request: ArchiveRequest, deps: ArchiveDeps, deadline: Deadline): Promise<ArchiveResult> {
  const { config, isc, store, log } = deps;
  const { jobId } = request;
  const credentials = await deps.credentials.get();
  const keys = archiveKeys(config.prefix, credentials.tenant, jobId);
  const done = (outcome: Archived['outcome'], manifest: Manifest): Archived => ({ outcome, manifest, manifestKey: keys.manifest, bucket: store.bucket });

  // The claim goes out with the first look for a manifest; it looks again once it holds (claimJob),
  // as a delivery may finish in between. Nothing is written before it is ours (see `ours`).
  const claimed = claimJob(store, keys, deps.owner ?? 'archiver', () => now(deps), request.force);
  claimed.catch(() => {});
  const giveUp = async () => release(await claimed.catch(() => undefined));
  let job: ImportStatus;
  let existing: StoredManifest | undefined;
  try {
    existing = await store.get(keys.manifest);
    if (existing && !request.force) {
      log.info('Already archived; ISC not called', { jobId, manifestKey: keys.manifest });
      await giveUp();
      return done('ALREADY_ARCHIVED', parseManifest(existing.body, keys.manifest));
    }
    const paths = iscPaths(config.apiVersion);
    const status = async () => parseImportStatus(await isc.getJson(paths.importStatus(jobId), { phase: 'status', jobId, deadline }), jobId);
    job = await status();
    log.info('Import status read', { jobId, status: job.status });
    if (isRunning(job.status)) {
      if (!request.wait) {
        await giveUp();
        return { outcome: 'RUNNING', job };
      }
      job = await waitForJob(job, status, deadline, log);
    }
  } catch (error) {
    await giveUp();
    throw error;
  }

  const ours = claimed.then((c) => {
    if (c.kind !== 'ours') throw new ClaimLostError(jobId);
  });
  ours.catch(() => {});
  let result: Archived;
  try {
    result = await writeArchive(request, deps, deadline, { job, keys, existing, done, tenant: credentials.tenant, ours });
  } catch (error) {
    const settled = await claimed.catch(() => undefined);
    if (!(error instanceof ClaimLostError) || settled === undefined || settled.kind === 'ours') {
      await release(settled);
      throw error;
    }
    if (settled.kind === 'archived') {
      await release(settled);
      return done('ALREADY_ARCHIVED', parseManifest(settled.manifest.body, keys.manifest));
    }
    log.info('Another delivery is archiving this job; waiting for its manifest', { jobId, owner: settled.owner, claimedAt: settled.claimedAt });
    return done('ALREADY_ARCHIVED', await awaitManifest(store, keys, jobId, deadline));
  }
  // The claim goes and the news goes out together: both only once the manifest is there.
  const announced = result.outcome === 'ALREADY_ARCHIVED' ? undefined : deps.announce?.(result.manifest, keys.manifest);
  await Promise.all([release(await claimed), announced]);
  return result;

  async function release(claim: Claim | undefined): Promise<void> {
    if (claim?.kind === 'theirs' || claim === undefined) return;
    await claim.release().catch((error: unknown) => log.warn('Could not remove the archive claim', { jobId, key: keys.lease, error: (error as Error).name }));
  }
}

type Claim =
  | { readonly kind: 'ours'; release(): Promise<void> }
  | { readonly kind: 'archived'; readonly manifest: StoredManifest; release(): Promise<void> }
  | { readonly kind: 'theirs'; readonly owner: string; readonly claimedAt: string };

/** Claims the job, then looks for a manifest a delivery may have finished since our first look. */
async function claimJob(store: ArchiveStore, keys: ArchiveKeys, owner: string, now: () => Date, force: boolean): Promise<Claim> {
  const lease = await acquireLease(store, keys.lease, owner, now);
  if (!lease.acquired) return { kind: 'theirs', owner: lease.owner, claimedAt: lease.claimedAt };
  if (force) return { kind: 'ours', release: lease.release };
  try {
    const settled = await store.get(keys.manifest);
    return settled ? { kind: 'archived', manifest: settled, release: lease.release } : { kind: 'ours', release: lease.release };
  } catch (error) {
    await lease.release().catch(() => {});
    throw error;
  }
}

interface WriteContext {
  readonly job: ImportStatus;
  readonly keys: ArchiveKeys;
  readonly existing: { readonly etag: string | undefined } | undefined;
  readonly tenant: string;
  readonly done: (outcome: Archived['outcome'], manifest: Manifest) => Archived;
  /** Settles once the claim is ours; rejects (ClaimLostError) when another delivery has the job. */
  readonly ours: Promise<void>;
}

async function writeArchive(request: ArchiveRequest, deps: ArchiveDeps, deadline: Deadline, ctx: WriteContext): Promise<Archived> {
  const { config, store, log } = deps;
  const { jobId } = request;
  const { job, keys, existing, done, ours } = ctx;
  const archive = (facts: { exportJobId: string | null; backup: Manifest['backup']; summary: Summary; archivedAt: Date }, objects: readonly ManifestObject[]) =>
    buildManifest({ tenant: ctx.tenant, apiVersion: config.apiVersion, job, ...facts, objects });
  const writeReport = async (manifest: Manifest, samples: Samples | null): Promise<ManifestObject> => {
    const html = renderReport({ manifest, samples, changes: null });
    await ours;
    const report = await store.put(keys.report, Buffer.from(html, 'utf8'), HTML_TYPE);
    log.info('Report written', { jobId, key: report.key, bytes: report.bytes });
    return { role: 'report', ...report };
  };

  let results: { stored: ManifestObject; digest: ResultsDigest } | undefined;
  // With no backup to fetch, the report is complete once the results are read and valid: it is
  // written while S3 is still storing the results.
  let early: { facts: Parameters<typeof archive>[0]; report: Promise<ManifestObject> } | undefined;
  if (job.status !== 'CANCELLED') {
    const scanned = await downloadResults(deps, keys, jobId, deadline, {
      before: ours,
      overwrites: existing !== undefined,
      read: ({ digest, ...read }) => {
        const backup = backupSkipped(config.archiveBackup, digest.exportJobId);
        if (early || !backup) return;
        const facts = { exportJobId: digest.exportJobId, backup, summary: digest.summary, archivedAt: now(deps) };
        early = { facts, report: writeReport(archive(facts, [{ role: 'results', ...read }]), digest.samples) };
        early.report.catch(() => {});
      },
    }).catch(async (error: unknown) => {
      await early?.report.catch(() => {});
      throw error;
    });
    results = { stored: { role: 'results', ...scanned.stored }, digest: scanned.digest };
  }

  let facts: Parameters<typeof archive>[0];
  let objects: ManifestObject[];
  if (early) {
    facts = early.facts;
    objects = [results!.stored, await early.report];
  } else {
    const exportJobId = results?.digest.exportJobId ?? null;
    const backup = await archiveBackup(deps, keys, jobId, exportJobId, deadline, ours);
    objects = [...(results ? [results.stored] : []), ...(backup.object ? [backup.object] : [])];
    facts = { exportJobId, backup: backup.state, summary: results?.digest.summary ?? { byType: {}, totals: emptyCounts() }, archivedAt: now(deps) };
    objects.push(await writeReport(archive(facts, objects), results?.digest.samples ?? null));
  }

  await ours;
  const manifest = archive(facts, objects);
  const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  const condition = existing ? { ifMatch: existing.etag ?? '*' } : ({ ifNoneMatch: '*' } as const);
  if (!(await store.putConditional(keys.manifest, body, JSON_TYPE, condition))) {
    // Another delivery wrote its manifest first; its archive is complete, so report that one.
    const winner = await store.get(keys.manifest);
    if (!winner) throw new StorageError(`The manifest write for ${jobId} lost a race, yet no manifest is there.`, { retryable: true, jobId });
    log.info('Another delivery archived this job first', { jobId, manifestKey: keys.manifest });
    return done('ALREADY_ARCHIVED', parseManifest(winner.body, keys.manifest));
  }
  log.info('Manifest written', { jobId, manifestKey: keys.manifest, status: job.status, totals: manifest.summary.totals });
  return done(job.status === 'CANCELLED' ? 'CANCELLED' : 'ARCHIVED', manifest);
}

function now(deps: ArchiveDeps): Date {
  return (deps.now ?? (() => new Date()))();
}

/** Waits (polling S3, not ISC) for the delivery holding the claim to write its manifest. */
async function awaitManifest(store: ArchiveStore, keys: ArchiveKeys, jobId: string, deadline: Deadline): Promise<Manifest> {
  for (;;) {
    const manifest = await store.get(keys.manifest);
    if (manifest) return parseManifest(manifest.body, keys.manifest);
    if (!(await deadline.sleep(1_000))) {
      throw new StorageError(`Another delivery is still archiving ${jobId}; a retry will find its manifest.`, { retryable: true, jobId, phase: 'archive' });
    }
  }
}
