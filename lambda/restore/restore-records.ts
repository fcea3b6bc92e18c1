import type { ArchiveKeys } from '../contract/archive-keys.ts';
import type { ArchiveStore } from '../storage/archive-store.ts';

export interface RestoreEntry {
  readonly jobId: string;
  readonly preview: boolean;
  readonly at: string;
}

export async function listRestores(_store: ArchiveStore, _keys: ArchiveKeys): Promise<RestoreEntry[]> {
  return [];
}
