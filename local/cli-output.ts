/** How the local CLI shows archives and failures: plain text, one fact per line. */

interface ManifestView {
  jobId: string;
  status: string;
  exportJobId: string | null;
  objects: { role: string; key: string; bytes: number }[];
  backup: { state: string; reason: string };
  changes?: { state: string; reason: string; counts: { created: number; changed: number; unchanged: number; unknown: number } };
  summary: { byType: Record<string, Counts>; totals: Counts };
}
interface Counts {
  infos: number;
  warnings: number;
  errors: number;
  importedObjects: number;
}

export function counts(c: Counts): string {
  return `infos ${c.infos} · warnings ${c.warnings} · errors ${c.errors} · imported ${c.importedObjects}`;
}

/** The lines printed for one archived job: outcome, keys, totals, per-type counts, first errors. */
export function describeArchive(outcome: string, manifest: ManifestView, reportUrl: string, firstErrors: readonly string[]): string[] {
  const lines = [`✓ ${outcome}  ${manifest.status}  ${manifest.jobId}`];
  for (const object of manifest.objects) lines.push(`    ${object.role.padEnd(8)} ${object.key} (${object.bytes} bytes)`);
  lines.push(`    manifest ${manifestKeyOf(manifest)}`);
  lines.push(`    backup   ${manifest.backup.state}: ${manifest.backup.reason}`);
  if (manifest.changes) {
    const c = manifest.changes.counts;
    lines.push(
      manifest.changes.state === 'COMPUTED'
        ? `    changes  ${c.changed} changed · ${c.created} created · ${c.unchanged} unchanged · ${c.unknown} unknown`
        : `    changes  ${manifest.changes.state}: ${manifest.changes.reason}`,
    );
  }
  lines.push(`    totals   ${counts(manifest.summary.totals)}`);
  for (const [type, c] of Object.entries(manifest.summary.byType)) lines.push(`      ${type.padEnd(22)} ${counts(c)}`);
  for (const error of firstErrors) lines.push(`    error    ${error}`);
  lines.push(`    open     ${reportUrl}`);
  return lines;
}

function manifestKeyOf(manifest: ManifestView): string {
  const report = manifest.objects.find((o) => o.role === 'report')?.key ?? '';
  return report.replace(/report\.html$/, 'manifest.json');
}

const HINTS: Record<string, string> = {
  IscUnreachable: 'ISC could not be reached: check SAIL_BASE_URL and your network.',
  'Permanent.IscCredentialsRejected': 'ISC refused the client credentials: check SAIL_CLIENT_ID and SAIL_CLIENT_SECRET.',
  'Permanent.IscForbidden':
    'ISC refused access: sp-config imports need scope sp:config:manage and an ORG_ADMIN user (use an ORG_ADMIN personal access token).',
  'Permanent.IscNotFound': 'ISC does not know this job: check the job id and the tenant (ISC keeps import results about a week).',
  'Permanent.InvalidInput': 'That is not a job id: use 32 hex characters or a dashed UUID.',
};

/** One readable line naming what to fix, with ISC's trackingId (what its support asks for) or the detail. */
export function describeFailure(jobId: string, error: { name?: string; message?: string; trackingId?: string }): string {
  const hint = error.name ? HINTS[error.name] : undefined;
  if (!hint) return `✗ ${jobId}: ${error.message ?? String(error)}`;
  return `✗ ${jobId}: ${hint} (${error.trackingId ? `ISC trackingId ${error.trackingId}` : error.message})`;
}
