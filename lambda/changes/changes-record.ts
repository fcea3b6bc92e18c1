// manifest.changes: the state of the comparison and its counts (the contract's "Changes").

import type { ChangeCounts, ChangesRecord, ChangesState } from '../domain/changes.ts';
import type { ComputedChanges } from './compute-changes.ts';

export const NO_COUNTS: ChangeCounts = Object.freeze({ created: 0, changed: 0, unchanged: 0, unknown: 0 });

/** Reasons for the states that need no detail from the flow. */
export const CHANGES_REASONS = {
  disabled: 'ARCHIVE_CHANGES is false: the after-state was not exported.',
  cancelled: 'The import was cancelled: it imported nothing.',
  nothingImported: 'The results list no imported object.',
} as const;

/** After this long between the import's completion and the after-state export, the report warns. */
export const AFTER_STATE_WARNING_MS = 10 * 60_000;

export interface AfterExport {
  readonly exportJobId: string | null;
  readonly exportedAt: string | null;
}

/** NONE, DISABLED or UNAVAILABLE: no counts; the after-export's id when one was started. */
export function changesRecord(
  state: Exclude<ChangesState, 'COMPUTED'>,
  reason: string,
  after: AfterExport = { exportJobId: null, exportedAt: null },
): ChangesRecord {
  return { state, reason, afterExportJobId: after.exportJobId, afterExportedAt: after.exportedAt, counts: NO_COUNTS };
}

export function computedChangesRecord({ document, counts }: ComputedChanges): ChangesRecord {
  const total = document.objects.length;
  const base = document.before
    ? `Compared ${total} imported object${total === 1 ? '' : 's'} with backup ${document.before.exportJobId}`
    : `No pre-import backup to compare ${total} imported object${total === 1 ? '' : 's'} with`;
  return {
    state: 'COMPUTED',
    reason: `${base}: ${counts.changed} changed, ${counts.created} created, ${counts.unchanged} unchanged, ${counts.unknown} unknown.`,
    afterExportJobId: document.after.exportJobId,
    afterExportedAt: document.after.exportedAt,
    counts,
  };
}

/**
 * Whether the after-state was taken so long after the import completed that someone else may
 * have changed the objects since. False when either time is missing or unreadable.
 */
export function afterStateIsLate(importCompleted: string | null, afterExportedAt: string | null): boolean {
  if (!importCompleted || !afterExportedAt) return false;
  const delay = Date.parse(afterExportedAt) - Date.parse(importCompleted);
  return Number.isFinite(delay) && delay > AFTER_STATE_WARNING_MS;
}
