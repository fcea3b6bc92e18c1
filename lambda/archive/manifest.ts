import { ARCHIVER } from '../contract/version.ts';
import type { ChangesRecord } from '../domain/changes.ts';
import type { Manifest, ManifestObject, RestoreLink } from '../domain/manifest.ts';
import type { Summary } from '../domain/summary.ts';
import type { ImportStatus } from '../isc/job-status.ts';

export interface ManifestInput {
  readonly tenant: string;
  readonly apiVersion: string;
  readonly job: ImportStatus;
  readonly exportJobId: string | null;
  readonly objects: readonly ManifestObject[];
  readonly backup: Manifest['backup'];
  readonly changes?: ChangesRecord;
  readonly restore?: RestoreLink | null;
  readonly summary: Summary;
  readonly archivedAt: Date;
}

const CHANGES_DISABLED: ChangesRecord = {
  state: 'DISABLED',
  reason: 'Changes are not recorded yet.',
  afterExportJobId: null,
  afterExportedAt: null,
  counts: { created: 0, changed: 0, unchanged: 0, unknown: 0 },
};

export function buildManifest(input: ManifestInput): Manifest {
  return {
    schemaVersion: 1,
    tenant: input.tenant,
    jobId: input.job.jobId,
    status: input.job.status,
    message: input.job.message,
    created: input.job.created,
    completed: input.job.completed,
    exportJobId: input.exportJobId,
    archivedAt: input.archivedAt.toISOString(),
    apiVersion: input.apiVersion,
    archiver: { name: ARCHIVER.name, version: ARCHIVER.version },
    objects: input.objects.map((o) => ({
      role: o.role,
      key: o.key,
      bytes: o.bytes,
      sha256: o.sha256,
      ...(o.versionId ? { versionId: o.versionId } : {}),
    })),
    backup: input.backup,
    changes: input.changes ?? CHANGES_DISABLED,
    restore: input.restore ?? null,
    summary: input.summary,
  };
}

/** Reads a stored manifest, refusing one that is not this schema (never trust a half-written key). */
export function parseManifest(body: Buffer, key: string): Manifest {
  const parsed = JSON.parse(body.toString('utf8')) as Partial<Manifest>;
  if (parsed?.schemaVersion !== 1 || typeof parsed.jobId !== 'string' || !Array.isArray(parsed.objects)) {
    throw new Error(`The object at ${key} is not an archiver manifest (schemaVersion 1).`);
  }
  return parsed as Manifest;
}
