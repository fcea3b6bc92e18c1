import type { ArchiveKeys } from '../contract/archive-keys.ts';
import { readStoredJson } from '../core/stored-json.ts';
import type { RestoreLink } from '../domain/manifest.ts';
import type { ArchiveStore, StoreCall } from '../storage/archive-store.ts';

/**
 * A restore job's link back to the import it rolls back. The restore route writes it beside the
 * restore job's archive before ISC runs the job, so whichever delivery archives that job finds it.
 */
export async function readRestoreLink(store: ArchiveStore, keys: ArchiveKeys, call: StoreCall): Promise<RestoreLink | null> {
  const stored = await store.get(keys.restoreLink, call);
  if (!stored) return null;
  // An unreadable link must not block the archive on every retry: the job is archived as an ordinary import.
  const parsed = readStoredJson(stored.body) as Partial<RestoreLink> | undefined;
  if (
    !parsed ||
    typeof parsed.of !== 'string' ||
    typeof parsed.preview !== 'boolean' ||
    typeof parsed.selection !== 'object' ||
    parsed.selection === null
  )
    return null;
  return {
    of: parsed.of,
    preview: parsed.preview,
    selection: parsed.selection,
    previewJobId: typeof parsed.previewJobId === 'string' ? parsed.previewJobId : null,
  };
}
