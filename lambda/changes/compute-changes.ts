// changes.json: each touched object's state before and after the import, compared
// (docs/changes.md; the contract's "Changes").

import type { ChangeCounts, ChangeKind, ChangesDocument, ObjectChange } from '../domain/changes.ts';
import type { ObjectRef } from '../domain/summary.ts';
import { compareObject } from './compare-object.ts';
import { readSelf, refKey, TouchedIndex } from './touched-index.ts';
import type { ExtractedObject } from './touched-object-extractor.ts';

/** An export and the touched objects read out of it (TouchedObjectExtractor.finish()). */
export interface ExportSide {
  readonly exportJobId: string;
  /** Its S3 key in the archive. */
  readonly key: string;
  readonly objects: readonly ExtractedObject[];
}

export interface ChangesInput {
  readonly jobId: string;
  readonly tenant: string;
  /** The objects the results list as imported. */
  readonly touched: readonly ObjectRef[];
  /** The pre-import backup; null when there is none to compare with. */
  readonly before: ExportSide | null;
  /** The after-state export; `exportedAt` is when ISC took it (ISO-8601). */
  readonly after: ExportSide & { readonly exportedAt: string };
}

export interface ComputedChanges {
  readonly document: ChangesDocument;
  readonly counts: ChangeCounts;
}

/**
 * CREATED: in the after-export, not in the backup. CHANGED / UNCHANGED: in both, with or without
 * field differences. UNKNOWN: no backup, or not in the after-export (then nothing says what the
 * import did to it). Objects are listed by type, then name, then id.
 */
export function computeChanges(input: ChangesInput): ComputedChanges {
  const before = input.before ? byRef(input.before.objects) : undefined;
  const after = byRef(input.after.objects);
  const objects = new TouchedIndex(input.touched).refs
    .map((ref) => objectChange(ref, before?.get(refKey(ref)), after.get(refKey(ref)), before !== undefined))
    .sort(byTypeNameId);
  return {
    document: {
      schemaVersion: 1,
      jobId: input.jobId,
      tenant: input.tenant,
      before: input.before ? { exportJobId: input.before.exportJobId, key: input.before.key } : null,
      after: { exportJobId: input.after.exportJobId, key: input.after.key, exportedAt: input.after.exportedAt },
      objects,
    },
    counts: countChanges(objects),
  };
}

export function countChanges(objects: readonly ObjectChange[]): ChangeCounts {
  const counts: Record<keyof ChangeCounts, number> = { created: 0, changed: 0, unchanged: 0, unknown: 0 };
  for (const object of objects) counts[KIND_COUNT[object.change]]++;
  return counts;
}

const KIND_COUNT: Readonly<Record<ChangeKind, keyof ChangeCounts>> = {
  CREATED: 'created',
  CHANGED: 'changed',
  UNCHANGED: 'unchanged',
  UNKNOWN: 'unknown',
};

function byRef(objects: readonly ExtractedObject[]): Map<string, ExtractedObject> {
  const map = new Map<string, ExtractedObject>();
  for (const object of objects) if (!map.has(refKey(object.ref))) map.set(refKey(object.ref), object);
  return map;
}

function objectChange(
  ref: ObjectRef,
  before: ExtractedObject | undefined,
  after: ExtractedObject | undefined,
  haveBackup: boolean,
): ObjectChange {
  // The results may leave the id or name empty; the exports' `self` then fills it in.
  const selfs = [after, before].map((found) => (found ? readSelf(found.self) : undefined));
  const id = ref.id.trim() || selfs.find((self) => self?.id)?.id || null;
  const name = ref.name || selfs.find((self) => self?.name)?.name || null;
  const identity = { type: ref.type, id, name };
  if (!after || !haveBackup) return { ...identity, change: 'UNKNOWN', fields: [] };
  if (!before) return { ...identity, change: 'CREATED', fields: [] };
  const fields = compareObject(before.object, after.object);
  return { ...identity, change: fields.length > 0 ? 'CHANGED' : 'UNCHANGED', fields };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byTypeNameId(a: ObjectChange, b: ObjectChange): number {
  return compareText(a.type, b.type) || compareText(a.name ?? '', b.name ?? '') || compareText(a.id ?? '', b.id ?? '');
}
