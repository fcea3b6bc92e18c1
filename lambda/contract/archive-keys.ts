/** Object keys of one job's archive, per the contract's S3 layout. */
export interface ArchiveKeys {
  readonly folder: string;
  readonly results: string;
  readonly report: string;
  readonly manifest: string;
  /** Claim held while one delivery writes the objects (see archive-lease.ts). */
  readonly lease: string;
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
    report: `${folder}report.html`,
    manifest: `${folder}manifest.json`,
    lease: `${folder}.archiving`,
    backup: (exportJobId) => `${folder}exports/${exportJobId}.json`,
  };
}
