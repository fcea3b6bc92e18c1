import type { ArchiveKeys } from '../contract/archive-keys.ts';
import { CONTENT_TYPES } from '../contract/constants.ts';
import { readStoredJson } from '../core/stored-json.ts';
import type { RestoreLink } from '../domain/manifest.ts';
import type { ArchiveStore, StoreCall } from '../storage/archive-store.ts';

// What the restore routes write in S3 besides the archives themselves:
//  - beside the restore job's archive, its link back to the original (read when it is archived);
//  - under the original, one record per restore started from it (GET /imports/{jobId} lists them);
//  - under the original, one lock per applied preview, created with If-None-Match, so the same
//    apply sent twice submits one import.

export interface RestoreEntry {
  readonly jobId: string;
  readonly preview: boolean;
  readonly at: string;
  readonly previewJobId: string | null;
}

export async function writeRestoreLink(
  store: ArchiveStore,
  restoreJobKeys: ArchiveKeys,
  link: RestoreLink,
  call: StoreCall,
): Promise<void> {
  await store.put(restoreJobKeys.restoreLink, json(link), CONTENT_TYPES.json, call);
}

export async function recordRestore(store: ArchiveStore, originalKeys: ArchiveKeys, entry: RestoreEntry, call: StoreCall): Promise<void> {
  await store.put(`${originalKeys.restores}${entry.jobId}.json`, json(entry), CONTENT_TYPES.json, call);
}

/** Restore records read at once: each is a small GET, and one after another they add up. */
const READS_AT_ONCE = 8;

/** The preview and restore jobs started from an import, newest first; `call` bounds every read. */
export async function listRestores(store: ArchiveStore, originalKeys: ArchiveKeys, call?: StoreCall): Promise<RestoreEntry[]> {
  const keys = (await store.list(originalKeys.restores, call)).filter((key) => /\/[0-9a-f-]{32,36}\.json$/.test(key));
  const entries: RestoreEntry[] = [];
  for (let i = 0; i < keys.length; i += READS_AT_ONCE) {
    const read = await Promise.all(keys.slice(i, i + READS_AT_ONCE).map((key) => store.get(key, call)));
    for (const stored of read) {
      const entry = stored ? (readStoredJson(stored.body) as Partial<RestoreEntry> | undefined) : undefined;
      if (entry && typeof entry.jobId === 'string' && typeof entry.preview === 'boolean' && typeof entry.at === 'string') {
        entries.push({ jobId: entry.jobId, preview: entry.preview, at: entry.at, previewJobId: entry.previewJobId ?? null });
      }
    }
  }
  return entries.sort((a, b) => b.at.localeCompare(a.at));
}

/** The state of one preview's apply: being submitted (by whom), or submitted as an import job. */
export type ApplyRecord =
  | { readonly state: 'SUBMITTING'; readonly by: string; readonly at: string }
  | { readonly state: 'SUBMITTED'; readonly jobId: string; readonly at: string };

/** Takes the apply lock of a preview; returns the record found instead when another apply has it. */
export async function lockApply(
  store: ArchiveStore,
  originalKeys: ArchiveKeys,
  previewJobId: string,
  by: string,
  at: string,
  call: StoreCall,
): Promise<ApplyRecord | undefined> {
  const key = originalKeys.restoreApply(previewJobId);
  const lock = json({ state: 'SUBMITTING', by, at });
  if (await store.putConditional(key, lock, CONTENT_TYPES.json, { ifNoneMatch: '*' }, call)) return undefined;
  const found = await store.get(key, call);
  // An unreadable lock still means an apply may have reached ISC: treat it as being submitted.
  const record = found ? (readStoredJson(found.body) as ApplyRecord | undefined) : undefined;
  return record?.state === 'SUBMITTED' || record?.state === 'SUBMITTING' ? record : { state: 'SUBMITTING', by: 'unknown', at };
}

export async function markApplied(
  store: ArchiveStore,
  originalKeys: ArchiveKeys,
  previewJobId: string,
  jobId: string,
  at: string,
  call: StoreCall,
): Promise<void> {
  await store.put(originalKeys.restoreApply(previewJobId), json({ state: 'SUBMITTED', jobId, at }), CONTENT_TYPES.json, call);
}

/** ISC surely did not receive the apply (refused before sending, or the backup failed its check): allow another. */
export async function unlockApply(store: ArchiveStore, originalKeys: ArchiveKeys, previewJobId: string, call: StoreCall): Promise<void> {
  await store.delete(originalKeys.restoreApply(previewJobId), call);
}

function json(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
}
