import type { ArchiverConfig } from './config.ts';
import type { CredentialSource } from './secret-source.ts';
import type { IscClient } from './isc-client.ts';
import type { ArchiveStore } from './archive-store.ts';
import type { Deadline } from './deadline.ts';
import type { Log } from './log.ts';
import { StorageError } from './errors.ts';
import { archiveKeys, type ArchiveKeys } from './archive-keys.ts';
import { iscPaths } from './isc-paths.ts';
import { isRunning, parseImportStatus, type ImportStatus } from './job-status.ts';
import { waitForJob } from './wait-for-job.ts';
import { emptyCounts, type ResultsDigest, type Summary } from './results-scanner.ts';
import { buildManifest, parseManifest, type Manifest, type ManifestObject } from './manifest.ts';
import { renderReport } from './report-renderer.ts';
import { archiveBackup, downloadResults } from './archive-documents.ts';
import { acquireLease } from './archive-lease.ts';

export interface ArchiveDeps {
  readonly config: ArchiverConfig;
  readonly credentials: CredentialSource;
  readonly isc: IscClient;
  readonly store: ArchiveStore;
  readonly log: Log;
  readonly now?: () => Date;
  /** Names this delivery in the archive claim (the Lambda request id). */
  readonly owner?: string;
}

export interface ArchiveRequest {
  readonly jobId: string;
  readonly force: boolean;
  /** Wait for a running job (async sources); when false a running job is reported as it is. */
  readonly wait: boolean;
}

export type ArchiveResult =
  | { readonly outcome: 'ARCHIVED' | 'ALREADY_ARCHIVED' | 'CANCELLED'; readonly manifest: Manifest; readonly manifestKey: string; readonly bucket: string }
  | { readonly outcome: 'RUNNING'; readonly job: ImportStatus };

const JSON_TYPE = 'application/json';
const HTML_TYPE = 'text/html; charset=utf-8';

/** Archives one import job: check the manifest, wait, download, write the objects, manifest last. */
export async function archiveJob(request: ArchiveRequest, deps: ArchiveDeps, deadline: Deadline): Promise<ArchiveResult> {
  const { config, isc, store, log } = deps;
  const { jobId } = request;
  const credentials = await deps.credentials.get();
  const keys = archiveKeys(config.prefix, credentials.tenant, jobId);
  const done = (outcome: 'ARCHIVED' | 'ALREADY_ARCHIVED' | 'CANCELLED', manifest: Manifest) =>
    ({ outcome, manifest, manifestKey: keys.manifest, bucket: store.bucket }) as const;

  const existing = await store.get(keys.manifest);
  if (existing && !request.force) {
    log.info('Already archived; ISC not called', { jobId, manifestKey: keys.manifest });
    return done('ALREADY_ARCHIVED', parseManifest(existing.body, keys.manifest));
  }

  const paths = iscPaths(config.apiVersion);
  const status = async () => parseImportStatus(await isc.getJson(paths.importStatus(jobId), { phase: 'status', jobId, deadline }), jobId);
  const claim = () => acquireLease(store, keys.lease, deps.owner ?? 'archiver', deps.now ?? (() => new Date()));
  // A delivery that will wait claims the job while it reads the status: one round trip less.
  const claiming = request.wait ? claim() : undefined;
  claiming?.catch(() => {});
  let job: ImportStatus;
  try {
    job = await status();
    log.info('Import status read', { jobId, status: job.status });
    if (isRunning(job.status)) {
      if (!request.wait) return { outcome: 'RUNNING', job };
      job = await waitForJob(job, status, deadline, log);
    }
  } catch (error) {
    const held = await claiming?.catch(() => undefined);
    if (held?.acquired) await held.release().catch(() => {});
    throw error;
  }

  const lease = await (claiming ?? claim());
  if (!lease.acquired) {
    log.info('Another delivery is archiving this job; waiting for its manifest', { jobId, owner: lease.owner, claimedAt: lease.claimedAt });
    return done('ALREADY_ARCHIVED', await awaitManifest(store, keys, jobId, deadline));
  }
  try {
    // A delivery that finished while we read the status has released its claim: look again.
    const settled = request.force ? undefined : await store.get(keys.manifest);
    if (settled) return done('ALREADY_ARCHIVED', parseManifest(settled.body, keys.manifest));
    return await writeArchive(request, deps, deadline, { job, keys, existing, done, tenant: credentials.tenant });
  } finally {
    await lease.release().catch((error: unknown) => log.warn('Could not remove the archive claim', { jobId, key: keys.lease, error: (error as Error).name }));
  }
}

interface WriteContext {
  readonly job: ImportStatus;
  readonly keys: ArchiveKeys;
  readonly existing: { readonly etag: string | undefined } | undefined;
  readonly tenant: string;
  readonly done: (outcome: 'ARCHIVED' | 'ALREADY_ARCHIVED' | 'CANCELLED', manifest: Manifest) => ArchiveResult;
}

async function writeArchive(request: ArchiveRequest, deps: ArchiveDeps, deadline: Deadline, ctx: WriteContext): Promise<ArchiveResult> {
  const { config, store, log } = deps;
  const { jobId } = request;
  const { job, keys, existing, done } = ctx;
  const objects: ManifestObject[] = [];
  let digest: ResultsDigest | undefined;
  if (job.status !== 'CANCELLED') {
    const scanned = await downloadResults(deps, keys, jobId, deadline);
    objects.push({ role: 'results', ...scanned.stored });
    digest = scanned.digest;
  }
  const exportJobId = digest?.exportJobId ?? null;
  const backup = await archiveBackup(deps, keys, jobId, exportJobId, deadline);
  if (backup.object) objects.push(backup.object);

  const summary: Summary = digest?.summary ?? { byType: {}, totals: emptyCounts() };
  const archivedAt = (deps.now ?? (() => new Date()))();
  const base = { tenant: ctx.tenant, apiVersion: config.apiVersion, job, exportJobId, backup: backup.state, summary, archivedAt };
  const html = renderReport({ ...buildManifest({ ...base, objects }), samples: digest?.samples ?? null });
  const report = await store.put(keys.report, Buffer.from(html, 'utf8'), HTML_TYPE);
  objects.push({ role: 'report', ...report });
  log.info('Report written', { jobId, key: report.key, bytes: report.bytes });

  const manifest = buildManifest({ ...base, objects });
  const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  const condition = existing ? { ifMatch: existing.etag ?? '*' } : ({ ifNoneMatch: '*' } as const);
  if (!(await store.putConditional(keys.manifest, body, JSON_TYPE, condition))) {
    // Another delivery wrote its manifest first; its archive is complete, so report that one.
    const winner = await store.get(keys.manifest);
    if (!winner) throw new StorageError(`The manifest write for ${jobId} lost a race, yet no manifest is there.`, { retryable: true, jobId });
    log.info('Another delivery archived this job first', { jobId, manifestKey: keys.manifest });
    return done('ALREADY_ARCHIVED', parseManifest(winner.body, keys.manifest));
  }
  log.info('Manifest written', { jobId, manifestKey: keys.manifest, status: job.status, totals: summary.totals });
  return done(job.status === 'CANCELLED' ? 'CANCELLED' : 'ARCHIVED', manifest);
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
