// The one place the changes code meets the results layer's export reading: it turns an export
// document's bytes into its entries (`objects[i]`, `{version, self, object}`), parsing only the
// `object`s the handler wants. The export-document check underneath also judges the document
// whole: reading the touched objects out of a backup checks it as an export at the same time.

import type { ObjectRef } from '../domain/summary.ts';
import { ExportDocumentCheck } from '../results/export-document-check.ts';
import { NeedleScan } from '../results/needle-scan.ts';

export { NotExportDocumentError as NotAnExportDocumentError } from '../results/invalid-json-error.ts';

export interface EntryHandler {
  /** An entry's `self` was read: should its `object` be kept? Called once per entry with a `self`. */
  wants(self: ObjectRef): boolean;
  /** A wanted entry is complete. */
  onEntry(self: ObjectRef, object: unknown): void;
}

/**
 * Reads export entries as the bytes stream past. ISC writes `self` before `object`, so the choice
 * is made before `object` starts and an unwanted one is read past unparsed; when `object` comes
 * first it is held and dropped at the entry's end unless wanted (memory bounded by one entry).
 * Given needles, it reads only the entries holding one (docs/changes.md, "Cost").
 */
export class ExportEntryReader {
  readonly #check: ExportDocumentCheck;

  /** With `needles`, entries in which none occurs are passed over unread (see ExportDocumentCheck). */
  constructor(handler: EntryHandler, needles?: readonly string[]) {
    this.#check = new ExportDocumentCheck({
      prefilter: needles && new NeedleScan(needles),
      entries: {
        wants: (self) => self !== null && handler.wants(self),
        onObject: (entry) => {
          // An object over the check's limit (16 MiB) was cut: it cannot be compared, so it is not found.
          if (entry.complete && entry.self) handler.onEntry(entry.self, JSON.parse(entry.object.toString('utf8')));
        },
      },
    });
  }

  write(chunk: Uint8Array): void {
    this.#check.write(chunk);
  }

  /** Throws InvalidJsonError when the document is incomplete or invalid, NotAnExportDocumentError when it is not an export. */
  end(): number {
    return this.#check.finish().objects;
  }
}
