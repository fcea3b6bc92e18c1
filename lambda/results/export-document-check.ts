import { EntrySelection, type ExportEntryHook } from './export-entry-selection.ts';
import { NotExportDocumentError } from './invalid-json-error.ts';
import { JsonStreamWalker, type PathKey, type ValueKind, type Visit } from './json-stream-walker.ts';
import type { NeedleScan } from './needle-scan.ts';

export type { ExportEntry, ExportEntryHook } from './export-entry-selection.ts';

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
 * The entry hook (ExportEntryHook, in export-entry-selection.ts) is asked about each entry that
 * is a JSON object, and gets the `object`s it wants. Without a hook, entries are only counted, at
 * the walker's full speed.
 *
 * With a `prefilter` as well, an entry in which none of its needles occurs is only counted: the
 * hook is not asked about it. Each entry is then captured whole (a view of the chunk, no copy,
 * unless it spans chunks) and only the entries with a needle are walked. This is for a caller
 * that wants a few entries of hundreds of thousands: the scan for the needles costs far less
 * than reading every entry's `self`.
 */
export interface ExportCheckOptions {
  readonly entries?: ExportEntryHook;
  /** With `entries`: the needles one of which every entry the hook may want contains. */
  readonly prefilter?: NeedleScan;
  /** Bytes kept of a wanted `object` (and of a `self`; with a prefilter, of a whole entry). Default MAX_OBJECT_BYTES. */
  readonly maxObjectBytes?: number;
}

export interface ExportDocumentDigest {
  /** Entries in `objects`. */
  readonly objects: number;
}

/** Bytes kept of one export entry's `object` by default: far above any real configuration object. */
export const MAX_OBJECT_BYTES = 16 * 1024 * 1024;

export class ExportDocumentCheck {
  readonly #walker: JsonStreamWalker;
  readonly #selection: EntrySelection | undefined;
  readonly #prefilter: NeedleScan | undefined;
  readonly #maxObjectBytes: number;
  #notExport: string | undefined = 'the document is empty';
  #objects = 0;
  /** With a prefilter: the stream byte the entry being captured starts at. */
  #entryStart = 0;

  constructor(options: ExportCheckOptions = {}) {
    this.#selection = options.entries && new EntrySelection(options.entries);
    this.#prefilter = options.entries && options.prefilter;
    this.#maxObjectBytes = options.maxObjectBytes ?? MAX_OBJECT_BYTES;
    this.#walker = new JsonStreamWalker({
      visit: (path, kind, at) => this.#visit(path, kind, at),
      onValue: (path, raw, complete) => this.#value(path, raw, complete),
      onEnd: (path, entries) => this.#end(path, entries),
      captureLimit: this.#maxObjectBytes,
    });
  }

  write(chunk: Uint8Array): void {
    // The needles are found in a chunk before its entries end, which is when they are asked about.
    this.#prefilter?.scan(chunk);
    this.#walker.write(chunk);
  }

  /** Throws InvalidJsonError for invalid or cut JSON, NotExportDocumentError for other JSON. */
  finish(): ExportDocumentDigest {
    this.#walker.end();
    if (this.#notExport) throw new NotExportDocumentError(`The document is not an export document: ${this.#notExport}.`);
    return { objects: this.#objects };
  }

  #visit(path: readonly PathKey[], kind: ValueKind, at: number): Visit {
    switch (path.length) {
      case 0:
        this.#notExport = kind === 'object' ? 'it has no "objects" array' : `it is a JSON ${kind}, not an object`;
        return kind === 'object' ? 'descend' : 'skip';
      case 1:
        if (path[0] !== 'objects') return 'skip';
        this.#notExport = kind === 'array' ? undefined : `its "objects" is a JSON ${kind}, not an array`;
        return kind === 'array' ? 'descend' : 'skip';
      case 2:
        if (!this.#selection) return 'skip-rest';
        if (kind !== 'object') return 'skip';
        if (this.#prefilter) {
          this.#entryStart = at;
          return 'capture';
        }
        this.#selection.begin(path[1] as number);
        return 'descend';
      default:
        return this.#selection!.visit(path[2]!);
    }
  }

  #value(path: readonly PathKey[], raw: Buffer, complete: boolean): void {
    if (path.length === 2) this.#captured(path[1] as number, raw, complete);
    else this.#selection!.value(path[2]!, raw, complete);
  }

  #end(path: readonly PathKey[], entries: number): void {
    if (path.length === 1) this.#objects = entries;
    else if (path.length === 2) this.#selection!.end();
  }

  /** A whole entry, captured because of the prefilter: walked only when a needle occurs in it. */
  #captured(index: number, raw: Buffer, complete: boolean): void {
    const start = this.#entryStart;
    if (!this.#prefilter!.occursWithin(start, start + raw.length)) return;
    const selection = this.#selection!;
    selection.begin(index);
    // The bytes were checked by the walker above: walking them again cannot fail. When the entry
    // was cut at the limit, what lies past the cut is not read (as when `object` itself is cut).
    const walker = new JsonStreamWalker({
      visit: (path) => (path.length === 0 ? 'descend' : selection.visit(path[0]!)),
      onValue: (path, value, whole) => selection.value(path[0]!, value, whole),
      onEnd: (path) => {
        if (path.length === 0) selection.end();
      },
      captureLimit: this.#maxObjectBytes,
    });
    walker.write(raw);
    if (complete) walker.end();
  }
}
