import { type ConfigEntry, type ConfigSelf, type Selection, selects } from './config-entry.ts';

/**
 * The configuration objects of the double's tenant, keyed by type and id, in the order they were
 * first stored. Exports read it, imports write it. Entries go in and come out as copies, so a test
 * holding one cannot change the tenant behind the double's back.
 */
export class TenantState {
  readonly #entries = new Map<string, ConfigEntry>();

  get size(): number {
    return this.#entries.size;
  }

  /** Creates or replaces the object of the entry's type and id. */
  put(entry: ConfigEntry): void {
    this.#entries.set(key(entry.self), structuredClone(entry));
  }

  /** Stores an object as an export would list it: `self` from the object's id and name. */
  putObject(
    type: string,
    object: { readonly id: string; readonly name: string } & Record<string, unknown>,
    jws?: { jwsHeader: string; jwsSignature: string },
  ): ConfigEntry {
    const entry: ConfigEntry = { version: 1, self: { type, id: object.id, name: object.name }, object: { ...object }, ...jws };
    this.put(entry);
    return structuredClone(entry);
  }

  get(type: string, id: string): ConfigEntry | undefined {
    const entry = this.#entries.get(key({ type, id }));
    return entry && structuredClone(entry);
  }

  /** The first object of a type with that name (names are how ISC matches across tenants). */
  findByName(type: string, name: string): ConfigEntry | undefined {
    for (const entry of this.#entries.values()) if (entry.self.type === type && entry.self.name === name) return structuredClone(entry);
    return undefined;
  }

  remove(type: string, id: string): boolean {
    return this.#entries.delete(key({ type, id }));
  }

  list(): ConfigEntry[] {
    return [...this.#entries.values()].map((e) => structuredClone(e));
  }

  select(selection: Selection): ConfigEntry[] {
    return [...this.#entries.values()].filter((e) => selects(selection, e.self)).map((e) => structuredClone(e));
  }
}

function key(self: Pick<ConfigSelf, 'type' | 'id'>): string {
  return `${self.type}\u0000${self.id}`;
}
