import type { Manifest, RestoreSelection } from '../domain/manifest.ts';
import { sameSelection } from './restore-plan.ts';

/** How long a preview stays good enough to apply: the tenant may have changed since. */
export const PREVIEW_VALID_MS = 24 * 60 * 60_000;

/** Why `original`'s archive cannot be restored from, or undefined when its backup is there. */
export function backupProblem(original: Manifest | undefined, jobId: string): string | undefined {
  if (!original) return `Import ${jobId} has not been archived: archive it first, then restore from its backup.`;
  if (original.backup.state !== 'ARCHIVED')
    return `Import ${jobId} has no archived backup (${original.backup.state}: ${original.backup.reason}).`;
  if (!original.objects.some((o) => o.role === 'backup')) return `The archive of ${jobId} names no backup object.`;
  if (!original.objects.some((o) => o.role === 'results'))
    return `The archive of ${jobId} has no results, so what the import touched is unknown.`;
  return undefined;
}

/**
 * Why a preview does not allow an apply (docs/contract.md, "Restore"), or undefined when it does:
 * an archived restore preview of the same job and selection, archived in the last 24 hours, whose
 * results hold no errors.
 */
export function previewProblem(
  preview: Manifest | undefined,
  previewJobId: string,
  jobId: string,
  selection: RestoreSelection,
  now: number,
): string | undefined {
  if (!preview) return `Preview ${previewJobId} has not been archived yet (it may still be running): wait for it, then apply.`;
  const link = preview.restore;
  if (!link?.preview) return `Job ${previewJobId} is not a restore preview.`;
  if (link.of !== jobId) return `Preview ${previewJobId} previews a restore of ${link.of}, not of ${jobId}.`;
  if (preview.status !== 'COMPLETE') return `Preview ${previewJobId} ended ${preview.status}, not COMPLETE.`;
  if (preview.summary.totals.errors > 0)
    return `Preview ${previewJobId} reported ${preview.summary.totals.errors} errors: fix them and preview again.`;
  if (!sameSelection(link.selection, selection))
    return `Preview ${previewJobId} selected other objects than this apply would restore: preview again.`;
  // Archived, and (where ISC says when) run, in the last 24 hours: a late or forced re-archive of an
  // old preview does not make it fresh, as the tenant may have changed since it ran.
  const ran = preview.completed === null ? Number.NaN : Date.parse(preview.completed);
  const age = now - Math.min(Date.parse(preview.archivedAt), Number.isNaN(ran) ? Number.POSITIVE_INFINITY : ran);
  if (!(age <= PREVIEW_VALID_MS)) return `Preview ${previewJobId} ran or was archived more than 24 hours ago: preview again.`;
  return undefined;
}
