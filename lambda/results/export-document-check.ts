import type { ObjectRef } from '../domain/summary.ts';
import { NotExportDocumentError } from './invalid-json-error.ts';
import { JsonStreamWalker, type PathKey, type ValueKind, type Visit } from './json-stream-walker.ts';
import { objectRef } from './object-ref.ts';

/**
 * Checks, as it streams past, that a body is an sp-config export document (the pre-import backup,
 * the after-export): valid JSON whose top level is an object with an `objects` array. It counts
 * the entries of `objects` and, for a caller that asks, hands over the entries it wants.
 *
 *   const check = new ExportDocumentCheck({ entries: hook });   // hook optional
 *   for await (const chunk of body) check.write(chunk);          // throws InvalidJsonError early
 *   const { objects } = check.finish();                          // throws when not a whole document
 *
 * Errors (both InvalidJsonError, which the archive flow retries like a body cut short):
 * - InvalidJsonError: not JSON (an HTML error page), or cut short ("ended early, at byte N");
 * - NotExportDocumentError: valid JSON but not an export document (`{}`, `[]`, `objects` not an array).
 *
 * The entry hook (ExportEntryHook): for each entry of `objects` that is a JSON object,
 * - `wants(self, index)` is called once, as soon as the entry's `self` has been read (ISC writes
 *   it before `object`), with its type, id and name; or at the entry's end with null when it has
 *   no `self` object. Answer true to receive that entry's `object`.
 * - `onObject(entry)` then gets the wanted entry's `object` as raw JSON bytes, exactly as sent
 *   (yours to keep; parse them, or keep them to re-submit: RULE signatures cover these bytes),
 *   as soon as both the `object` and the answer are known: normally right after `object` ends.
 *   `complete` is false when `object` was longer than `maxObjectBytes` and was cut there.
 * An `object` that comes before its `self` is held (at most `maxObjectBytes`) until the answer;
 * unwanted ones are then dropped. When `self` comes first, an unwanted `object` is never held:
 * it is read past at the walker's full speed. Without a hook, entries are only counted.
 */
export interface ExportEntryHook {
  wants(self: ObjectRef | null, index: number): boolean;
  onObject(entry: ExportEntry): void;
}

export interface ExportEntry {
  readonly index: number;
  readonly self: ObjectRef | null;
  readonly object: Buffer;
  readonly complete: boolean;
}

export interface ExportCheckOptions {
  readonly entries?: ExportEntryHook;
  /** Bytes kept of a wanted `object` (and of a `self`). Default MAX_OBJECT_BYTES. */
  readonly maxObjectBytes?: number;
}

export interface ExportDocumentDigest {
  /** Entries in `objects`. */
  readonly objects: number;
}

/** Bytes kept of one export entry's `object` by default: far above any real configuration object. */
export const MAX_OBJECT_BYTES = 16 * 1024 * 1024;

export class ExportDocumentCheck {
  readonly #hook: ExportEntryHook | undefined;
  readonly #walker: JsonStreamWalker;
  #notExport: string | undefined = 'the document is empty';
  #objects = 0;
  // The entry being read: its self (undefined: not read yet), the answer, an object held for it.
  #self: ObjectRef | null | undefined;
  #wanted: boolean | undefined;
  #held: { object: Buffer; complete: boolean } | undefined;

  constructor(options: ExportCheckOptions = {}) {
    this.#hook = options.entries;
    this.#walker = new JsonStreamWalker({
      visit: (path, kind) => this.#visit(path, kind),
      onValue: (path, raw, complete) => this.#value(path, raw, complete),
      onEnd: (path, entries) => this.#end(path, entries),
      captureLimit: options.maxObjectBytes ?? MAX_OBJECT_BYTES,
    });
  }

  write(chunk: Uint8Array): void {
    this.#walker.write(chunk);
  }

  /** Throws InvalidJsonError for invalid or cut JSON, NotExportDocumentError for other JSON. */
  finish(): ExportDocumentDigest {
    this.#walker.end();
    if (this.#notExport) throw new NotExportDocumentError(`The document is not an export document: ${this.#notExport}.`);
    return { objects: this.#objects };
  }

  #visit(path: readonly PathKey[], kind: ValueKind): Visit {
    switch (path.length) {
      case 0:
        this.#notExport = kind === 'object' ? 'it has no "objects" array' : `it is a JSON ${kind}, not an object`;
        return kind === 'object' ? 'descend' : 'skip';
      case 1:
        if (path[0] !== 'objects') return 'skip';
        this.#notExport = kind === 'array' ? undefined : `its "objects" is a JSON ${kind}, not an array`;
        return kind === 'array' ? 'descend' : 'skip';
      case 2:
        if (!this.#hook) return 'skip-rest';
        this.#self = undefined;
        this.#wanted = undefined;
        this.#held = undefined;
        return kind === 'object' ? 'descend' : 'skip';
      default:
        if (path[2] === 'self') return this.#self === undefined ? 'capture' : 'skip';
        // Before its self, an object is held until the answer; after it, only if wanted.
        if (path[2] === 'object') return this.#held === undefined && this.#wanted !== false ? 'capture' : 'skip';
        return 'skip';
    }
  }

  #value(path: readonly PathKey[], raw: Buffer, complete: boolean): void {
    const index = path[1] as number;
    if (path[2] === 'self') {
      this.#self = objectRef(raw, complete);
      this.#decide(index);
    } else if (this.#wanted) this.#hook!.onObject({ index, self: this.#self!, object: Buffer.from(raw), complete });
    else this.#held = { object: Buffer.from(raw), complete };
  }

  #end(path: readonly PathKey[], entries: number): void {
    if (path.length === 1) this.#objects = entries;
    else if (path.length === 2 && this.#self === undefined) {
      this.#self = null;
      this.#decide(path[1] as number);
    }
  }

  /** Asks whether the entry is wanted, and hands over an object held for the answer. */
  #decide(index: number): void {
    this.#wanted = this.#hook!.wants(this.#self!, index);
    const held = this.#held;
    if (held && this.#wanted) this.#hook!.onObject({ index, self: this.#self!, ...held });
    this.#held = undefined;
  }
}
