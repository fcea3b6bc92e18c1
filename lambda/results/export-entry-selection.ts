import type { ObjectRef } from '../domain/summary.ts';
import type { PathKey, Visit } from './json-walk-options.ts';
import { objectRef } from './object-ref.ts';

/**
 * What a reader of an export document wants of its entries (`objects[i]`, `{version, self, object}`):
 * - `wants(self, index)` is called once, as soon as the entry's `self` has been read (ISC writes
 *   it before `object`), with its type, id and name; or at the entry's end with null when it has
 *   no `self` object. Answer true to receive that entry's `object`.
 * - `onObject(entry)` then gets the wanted entry's `object` as raw JSON bytes, exactly as sent
 *   (yours to keep; parse them, or keep them to re-submit: RULE signatures cover these bytes),
 *   as soon as both the `object` and the answer are known: normally right after `object` ends.
 *   `complete` is false when `object` was longer than the reader's limit and was cut there.
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

/**
 * One entry's members as a walker reads them: captures `self` and asks the hook, then captures
 * `object` only when wanted. An `object` that comes before its `self` is held (as far as the
 * walker's capture limit) until the answer, and dropped unless wanted; when `self` comes first,
 * an unwanted `object` is never held: the walker passes over it at full speed.
 */
export class EntrySelection {
  readonly #hook: ExportEntryHook;
  #index = 0;
  // The entry's self (undefined: not read yet), the answer, an object held for it.
  #self: ObjectRef | null | undefined;
  #wanted: boolean | undefined;
  #held: { object: Buffer; complete: boolean } | undefined;

  constructor(hook: ExportEntryHook) {
    this.#hook = hook;
  }

  begin(index: number): void {
    this.#index = index;
    this.#self = undefined;
    this.#wanted = undefined;
    this.#held = undefined;
  }

  /** What the walker should do with the entry's member `key`. */
  visit(key: PathKey): Visit {
    if (key === 'self') return this.#self === undefined ? 'capture' : 'skip';
    // Before its self, an object is held until the answer; after it, only if wanted.
    if (key === 'object') return this.#held === undefined && this.#wanted !== false ? 'capture' : 'skip';
    return 'skip';
  }

  value(key: PathKey, raw: Buffer, complete: boolean): void {
    if (key === 'self') {
      this.#self = objectRef(raw, complete);
      this.#decide();
    } else if (this.#wanted) this.#hook.onObject({ index: this.#index, self: this.#self!, object: Buffer.from(raw), complete });
    else this.#held = { object: Buffer.from(raw), complete };
  }

  /** The entry's closing brace. */
  end(): void {
    if (this.#self !== undefined) return;
    this.#self = null;
    this.#decide();
  }

  /** Asks whether the entry is wanted, and hands over an object held for the answer. */
  #decide(): void {
    this.#wanted = this.#hook.wants(this.#self!, this.#index);
    const held = this.#held;
    if (held && this.#wanted) this.#hook.onObject({ index: this.#index, self: this.#self!, ...held });
    this.#held = undefined;
  }
}
