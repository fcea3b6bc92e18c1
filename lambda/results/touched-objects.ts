import type { ObjectRef } from '../domain/summary.ts';

/** Touched objects kept at most; an import touching more is recorded as capped. */
export const TOUCHED_LIMIT = 50_000;

/**
 * The objects an import touched, each once: the same type and id (or, without an id, the same
 * type and name) is one object. Entries with neither id nor name cannot name an object and are
 * left out. Past `limit` distinct objects, further ones are dropped and `capped` says so.
 */
export class TouchedObjects {
  readonly list: ObjectRef[] = [];
  // Per type, the ids and (for objects without an id) the names seen.
  readonly #ids = new Map<string, Set<string>>();
  readonly #names = new Map<string, Set<string>>();
  readonly #limit: number;
  #full = false;
  #missed = false;

  constructor(limit = TOUCHED_LIMIT) {
    this.#limit = limit;
  }

  /** A distinct object was left out at the limit: reading on cannot add any. */
  get full(): boolean {
    return this.#full;
  }

  /** Some object is not in the list: left out at the limit, or in an entry too large to read. */
  get capped(): boolean {
    return this.#full || this.#missed;
  }

  /** An entry that could not be read: the list is not whole. */
  missed(): void {
    this.#missed = true;
  }

  add(ref: ObjectRef): void {
    const byId = ref.id !== '';
    const index = byId ? this.#ids : this.#names;
    const value = byId ? ref.id : ref.name;
    if (value === '') return;
    let seen = index.get(ref.type);
    if (seen?.has(value)) return;
    if (this.list.length >= this.#limit) {
      this.#full = true;
      return;
    }
    if (!seen) index.set(ref.type, (seen = new Set()));
    seen.add(value);
    this.list.push(ref);
  }
}
