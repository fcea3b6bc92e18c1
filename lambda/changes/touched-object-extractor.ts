// Reads the touched objects out of an export document (the pre-import backup, or the after-state
// export) as its bytes stream past. Only the touched objects are held: a backup of hundreds of MB
// costs about what a small one does (docs/changes.md, "Cost").

import type { ObjectRef } from '../domain/summary.ts';
import { ExportEntryReader } from './export-entry-reader.ts';
import { readSelf, TouchedIndex } from './touched-index.ts';
import { touchedNeedles } from './touched-needles.ts';

/** A touched object as an export holds it. */
export interface ExtractedObject {
  /** The touched object it was read for, as the results name it. */
  readonly ref: ObjectRef;
  readonly matchedBy: 'id' | 'name';
  /** The entry's `self` (`{type, id, name}`) and `object`, as parsed from the document. */
  readonly self: unknown;
  readonly object: unknown;
}

interface Kept {
  readonly self: unknown;
  readonly object: unknown;
}

/**
 * Fed the document's chunks, then `finish()`: for each touched object found, the first entry
 * with its type and id, or failing that the first with its type and name.
 */
export class TouchedObjectExtractor {
  readonly #index: TouchedIndex;
  readonly #byId: (Kept | undefined)[];
  readonly #byName: (Kept | undefined)[];
  readonly #reader: ExportEntryReader;

  constructor(touched: readonly ObjectRef[]) {
    this.#index = new TouchedIndex(touched);
    this.#byId = this.#index.refs.map(() => undefined);
    this.#byName = this.#index.refs.map(() => undefined);
    // Only the entries holding a touched id or name are read: in a large backup, a handful.
    this.#reader = new ExportEntryReader(
      { wants: (self) => this.#wants(self), onEntry: (self, object) => this.#keep(self, object) },
      touchedNeedles(this.#index.refs),
    );
  }

  write(chunk: Uint8Array): void {
    this.#reader.write(chunk);
  }

  /** The touched objects found, in the order first touched. Throws when the document is not a complete export. */
  finish(): ExtractedObject[] {
    this.#reader.end();
    const found: ExtractedObject[] = [];
    this.#index.refs.forEach((ref, i) => {
      const byId = this.#byId[i];
      const kept = byId ?? this.#byName[i];
      if (kept) found.push({ ref, matchedBy: byId ? 'id' : 'name', self: kept.self, object: kept.object });
    });
    return found;
  }

  #wants(self: unknown): boolean {
    const entry = readSelf(self);
    if (!entry) return false;
    const match = this.#index.match(entry);
    if (match.byId !== undefined && !this.#byId[match.byId]) return true;
    return match.byName.some((i) => !this.#byId[i] && !this.#byName[i]);
  }

  #keep(self: unknown, object: unknown): void {
    const match = this.#index.match(readSelf(self)!);
    const kept = { self, object };
    // Only refs with an id are found by id; one found so is settled, its name candidate not needed.
    if (match.byId !== undefined && !this.#byId[match.byId]) {
      this.#byId[match.byId] = kept;
      this.#byName[match.byId] = undefined;
    }
    for (const i of match.byName) {
      if (this.#byId[i] || this.#byName[i]) continue;
      // A ref with an id still looks for it; this name match stands only if the id never comes.
      this.#byName[i] = kept;
    }
  }
}
