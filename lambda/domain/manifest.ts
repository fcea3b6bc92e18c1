// The manifest (docs/contract.md, "S3 layout"): what an archive holds and vouches for. Pure data;
// built and read by archive/manifest.ts, shown by the report, sent in the archived event.
import type { ChangesRecord } from './changes.ts';
import type { Summary } from './summary.ts';

export type BackupState = 'ARCHIVED' | 'NONE' | 'DISABLED' | 'UNAVAILABLE';
export type ObjectRole = 'results' | 'backup' | 'after' | 'changes' | 'report';

/** A restore job's link back to the import it rolls back (null for ordinary imports). */
export interface RestoreLink {
  readonly of: string;
  readonly preview: boolean;
  readonly selection: RestoreSelection;
  readonly previewJobId: string | null;
}

/** What a restore submits: the types, and per type the ids, narrowed from the backup. */
export interface RestoreSelection {
  readonly includeTypes: readonly string[];
  readonly objectOptions: Readonly<Record<string, { readonly includedIds: readonly string[]; readonly includedNames: readonly string[] }>>;
}

/** One archived object the manifest vouches for: its bytes and hash as stored. */
export interface ManifestObject {
  readonly role: ObjectRole;
  readonly key: string;
  readonly bytes: number;
  readonly sha256: string;
  /** Set on versioned buckets: the exact version the manifest vouches for. */
  readonly versionId?: string | undefined;
}

export interface Manifest {
  readonly schemaVersion: 1;
  readonly tenant: string;
  readonly jobId: string;
  readonly status: string;
  readonly message: string | null;
  readonly created: string | null;
  readonly completed: string | null;
  readonly exportJobId: string | null;
  readonly archivedAt: string;
  readonly apiVersion: string;
  readonly archiver: { readonly name: string; readonly version: string };
  readonly objects: readonly ManifestObject[];
  readonly backup: { readonly state: BackupState; readonly reason: string };
  readonly changes: ChangesRecord;
  readonly restore: RestoreLink | null;
  readonly summary: Summary;
}
