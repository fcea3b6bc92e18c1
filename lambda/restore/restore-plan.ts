import { IMPORTABLE_TYPES } from '../contract/constants.ts';
import type { RestoreSelection } from '../domain/manifest.ts';
import type { ObjectRef } from '../domain/summary.ts';

/** A touched object that restore cannot bring back, and why (the README's limits). */
export interface NotRestorable {
  readonly type: string;
  readonly id: string;
  readonly name: string;
  readonly reason: string;
}

export interface RestorePlan {
  readonly selection: RestoreSelection;
  readonly notRestorable: readonly NotRestorable[];
}

/**
 * Which objects a restore submits: the ones the import touched that the backup holds, by the
 * backup's own id (match by type and id, then by type and name), narrowed to `types` when the
 * caller names some. The document itself is never edited (RULE objects are signed): `options`
 * narrow it. Touched objects outside the backup were created by the import, and import cannot
 * delete; types import does not support cannot be submitted at all.
 */
export function planRestore(touched: readonly ObjectRef[], backupHolds: readonly ObjectRef[], types?: readonly string[]): RestorePlan {
  // Matched as the changes match them (docs/changes.md): ids ignoring case, a name by its first entry.
  const idKey = (type: string, id: string) => `${type}\u0000${id.toLowerCase()}`;
  const nameKey = (type: string, name: string) => `${type}\u0000${name}`;
  const byId = new Map<string, ObjectRef>();
  const byName = new Map<string, ObjectRef>();
  for (const held of backupHolds) {
    if (held.id && !byId.has(idKey(held.type, held.id))) byId.set(idKey(held.type, held.id), held);
    if (held.name && !byName.has(nameKey(held.type, held.name))) byName.set(nameKey(held.type, held.name), held);
  }
  const wanted = types ? new Set(types) : undefined;
  const ids = new Map<string, Set<string>>();
  const notRestorable: NotRestorable[] = [];
  for (const object of touched) {
    if (wanted && !wanted.has(object.type)) continue;
    if (!(IMPORTABLE_TYPES as readonly string[]).includes(object.type)) {
      notRestorable.push({ ...object, reason: `Import does not support ${object.type} objects.` });
      continue;
    }
    const held =
      (object.id && byId.get(idKey(object.type, object.id))) || (object.name && byName.get(nameKey(object.type, object.name))) || undefined;
    if (!held?.id) {
      notRestorable.push({ ...object, reason: 'Not in the pre-import backup: the import created it, and restore cannot delete.' });
      continue;
    }
    let set = ids.get(object.type);
    if (!set) ids.set(object.type, (set = new Set()));
    set.add(held.id);
  }
  const includeTypes = [...ids.keys()].sort();
  const objectOptions: Record<string, { includedIds: string[]; includedNames: string[] }> = Object.create(null);
  for (const type of includeTypes) objectOptions[type] = { includedIds: [...ids.get(type)!].sort(), includedNames: [] };
  return { selection: { includeTypes, objectOptions }, notRestorable };
}

/** Whether two selections name the same objects (an apply must match its preview). */
export function sameSelection(a: RestoreSelection, b: RestoreSelection): boolean {
  return canonical(a) === canonical(b);
}

function canonical(selection: RestoreSelection): string {
  const types = [...selection.includeTypes].sort();
  return JSON.stringify(
    types.map((t) => [
      t,
      [...(selection.objectOptions[t]?.includedIds ?? [])].sort(),
      [...(selection.objectOptions[t]?.includedNames ?? [])].sort(),
    ]),
  );
}
