/** Object keys of one job's archive, per the contract's S3 layout (docs/contract.md). */
export interface ArchiveKeys {
  readonly folder: string;
  readonly results: string;
  readonly changes: string;
  readonly report: string;
  readonly manifest: string;
  /** Claim held while one delivery writes the objects (see archive/claim.ts). */
  readonly lease: string;
  /** Written by the restore routes for a restore job: its link back to the original import. */
  readonly restoreLink: string;
  /** Folder of the restore records of restores started from this job (one object per restore). */
  readonly restores: string;
  /** The record of a restore apply, written once with If-None-Match so an apply submits once. */
  restoreApply(previewJobId: string): string;
  /** An export document: the pre-import backup or the after-state export. */
  backup(exportJobId: string): string;
}

/**
 * `tenant` comes from the secret and `jobId`/`exportJobId` are validated ids, so no key can leave
 * the prefix; the caller must not pass anything else.
 */
export function archiveKeys(prefix: string, tenant: string, jobId: string): ArchiveKeys {
  const folder = `${prefix}${tenant}/imports/${jobId}/`;
  return {
    folder,
    results: `${folder}results.json`,
    changes: `${folder}changes.json`,
    report: `${folder}report.html`,
    manifest: `${folder}manifest.json`,
    lease: `${folder}.archiving`,
    restoreLink: `${folder}restore-of.json`,
    restores: `${folder}restores/`,
    restoreApply: (previewJobId) => `${folder}restores/apply-of-${previewJobId}.json`,
    backup: (exportJobId) => `${folder}exports/${exportJobId}.json`,
  };
}
