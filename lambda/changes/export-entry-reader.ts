// The one place the changes code meets the JSON walker: it turns an export document's bytes into
// its entries (`objects[i]`, `{version, self, object}`), building a JS value only for the `self`
// of each entry and for the `object`s the handler wants. Re-point this file, and only this file,
// when the walker's API changes.

import { JsonStreamWalker, type PathKey, type Visit } from '../results/json-stream-walker.ts';

export interface EntryHandler {
  /** An entry's `self` was read: should its `object` be kept? Called once per entry with a `self`. */
  wants(self: unknown): boolean;
  /** A wanted entry is complete. */
  onEntry(self: unknown, object: unknown): void;
  /** Nothing more is wanted: the remaining entries are read past at the walker's skip speed. */
  done(): boolean;
}

/**
 * The bytes are valid JSON but not an export document (an object with an `objects` array). An
 * empty `objects: {}` passes here, as the walker's callbacks do not tell it from `[]`: the flow's
 * export-document check is the full one.
 */
export class NotAnExportDocumentError extends Error {
  override readonly name = 'NotAnExportDocumentError';
}

interface Entry {
  self: unknown;
  hasSelf: boolean;
  wanted: boolean;
  object: unknown;
  hasObject: boolean;
}

/**
 * Reads export entries as the bytes stream past. ISC writes `self` before `object`, so the choice
 * is made before `object` starts and an unwanted one is skipped unparsed; when `object` comes
 * first it is captured and dropped at the entry's end unless wanted (memory bounded by one entry).
 */
export class ExportEntryReader {
  readonly #handler: EntryHandler;
  readonly #walker: JsonStreamWalker;
  #entry: Entry | undefined;
  #sawObjects = false;
  #objectsNotArray = false;

  constructor(handler: EntryHandler) {
    this.#handler = handler;
    this.#walker = new JsonStreamWalker({
      visit: (path) => this.#visit(path),
      onValue: (path, value) => this.#value(path, value),
      onEnd: (path) => this.#end(path),
      exact: true,
    });
  }

  write(chunk: Uint8Array): void {
    this.#walker.write(chunk);
  }

  /** Throws InvalidJsonError when the document is incomplete or invalid, NotAnExportDocumentError when it is not an export. */
  end(): void {
    this.#walker.end();
    if (!this.#sawObjects || this.#objectsNotArray) throw new NotAnExportDocumentError('The document is not an sp-config export: it has no "objects" array.');
  }

  #visit(path: readonly PathKey[]): Visit {
    switch (path.length) {
      case 0:
        return 'descend';
      case 1:
        if (path[0] !== 'objects') return 'skip';
        this.#sawObjects = true;
        return 'descend';
      case 2:
        if (typeof path[1] !== 'number') {
          this.#objectsNotArray = true;
          return 'skip-rest';
        }
        if (this.#handler.done()) return 'skip-rest';
        this.#entry = { self: undefined, hasSelf: false, wanted: false, object: undefined, hasObject: false };
        return 'descend';
      default: {
        // An entry's members: `self` is always read; `object` when wanted or not yet decided.
        const entry = this.#entry;
        if (!entry || path.length !== 3) return 'skip';
        if (path[2] === 'self') return 'capture';
        if (path[2] === 'object') return !entry.hasSelf || entry.wanted ? 'capture' : 'skip';
        return 'skip';
      }
    }
  }

  #value(path: readonly PathKey[], value: unknown): void {
    const entry = this.#entry;
    if (!entry || path.length !== 3) return;
    if (path[2] === 'self') {
      entry.self = value;
      entry.hasSelf = true;
      entry.wanted = this.#handler.wants(value);
    } else {
      entry.object = value;
      entry.hasObject = true;
    }
  }

  #end(path: readonly PathKey[]): void {
    if (path.length !== 2) return;
    const entry = this.#entry;
    this.#entry = undefined;
    if (entry?.wanted && entry.hasObject) this.#handler.onEntry(entry.self, entry.object);
  }
}
