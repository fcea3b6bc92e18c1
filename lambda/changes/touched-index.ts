// How an export entry is matched to an object the import touched (docs/changes.md, "Matching"):
// by type and id first, then by type and name. The results' ids may not be the tenant's own
// (ISC does not document it), which is why the name is the fallback.

import type { ObjectRef } from '../domain/summary.ts';

/** An export entry's `self`, read leniently: a missing id or name reads as empty. */
export interface EntrySelf {
  readonly type: string;
  readonly id: string;
  readonly name: string;
}

export function readSelf(self: unknown): EntrySelf | undefined {
  if (typeof self !== 'object' || self === null || Array.isArray(self)) return undefined;
  const { type, id, name } = self as Record<string, unknown>;
  if (typeof type !== 'string' || type === '') return undefined;
  return { type, id: typeof id === 'string' ? id : '', name: typeof name === 'string' ? name : '' };
}

// Ids are hex strings or UUIDs, whose case carries no meaning: compared without it. Names and
// types are compared exactly. NUL cannot occur in a type, so it separates the parts.
const idKey = (type: string, id: string): string => `${type}\u0000${id.toLowerCase()}`;
const nameKey = (type: string, name: string): string => `${type}\u0000${name}`;

/** Whether a ref can be matched by id: the results leave the id empty for some objects. */
export function hasId(ref: { readonly id: string }): boolean {
  return ref.id.trim() !== '';
}

/** One key per touched object: refs that name the same object (id in another case) share it. */
export function refKey(ref: ObjectRef): string {
  return hasId(ref) ? `id\u0000${idKey(ref.type, ref.id)}` : `name\u0000${nameKey(ref.type, ref.name)}`;
}

export interface EntryMatch {
  /** The touched ref (index into `refs`) carrying this entry's id, if any. */
  readonly byId: number | undefined;
  /** The touched refs carrying this entry's name: candidates for those not found by id. */
  readonly byName: readonly number[];
}

const NO_NAMES: readonly number[] = [];

/** The touched objects, deduplicated, with lookups from an entry's `self` to them. */
export class TouchedIndex {
  /** Deduplicated by `refKey`, in the order first seen. */
  readonly refs: readonly ObjectRef[];
  readonly #byId = new Map<string, number>();
  readonly #byName = new Map<string, number[]>();

  constructor(touched: readonly ObjectRef[]) {
    const refs: ObjectRef[] = [];
    const seen = new Set<string>();
    for (const ref of touched) {
      const key = refKey(ref);
      if (seen.has(key) || (!hasId(ref) && ref.name === '')) continue;
      seen.add(key);
      const index = refs.push(ref) - 1;
      if (hasId(ref)) this.#byId.set(idKey(ref.type, ref.id), index);
      if (ref.name !== '') {
        const names = this.#byName.get(nameKey(ref.type, ref.name));
        if (names) names.push(index);
        else this.#byName.set(nameKey(ref.type, ref.name), [index]);
      }
    }
    this.refs = refs;
  }

  match(self: EntrySelf): EntryMatch {
    return {
      byId: self.id === '' ? undefined : this.#byId.get(idKey(self.type, self.id)),
      byName: self.name === '' ? NO_NAMES : (this.#byName.get(nameKey(self.type, self.name)) ?? NO_NAMES),
    };
  }
}
