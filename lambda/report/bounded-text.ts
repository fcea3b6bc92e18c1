// Values from ISC made readable text of bounded size (value-text.ts for values, json-text.ts for
// JSON text). Nothing there recurses: a value nested thousands of levels deep costs no stack, and
// no call reads or writes more than its limit allows (a 4 KB value nested 2000 deep used to
// become 8 MB of indentation). This file holds what both share.

/** Text ready to escape, and whether it is shorter than what it shows. */
export interface ShownText {
  readonly text: string;
  readonly shortened: boolean;
}

/** Nesting shown before a container is written `{…}` / `[…]`. */
export const SHOWN_DEPTH = 32;
/** Indentation grows with nesting up to this depth, then stays put. */
const INDENT_DEPTH = 16;

/** Appends pieces up to `limit` characters, then ignores the rest and remembers it did. */
export class BoundedText {
  readonly #parts: string[] = [];
  #length = 0;
  #shortened = false;
  #elided = false;

  readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  get full(): boolean {
    return this.#shortened;
  }

  write(piece: string): void {
    if (this.#shortened) return;
    const room = this.limit - this.#length;
    if (piece.length > room) {
      this.#parts.push(cut(piece, room));
      this.#length = this.limit;
      this.#shortened = true;
      return;
    }
    this.#parts.push(piece);
    this.#length += piece.length;
  }

  /** Something was left out although the limit was not reached (a collapsed deep part). */
  elide(): void {
    this.#elided = true;
  }

  result(): ShownText {
    return { text: this.#parts.join(''), shortened: this.#shortened || this.#elided };
  }
}

/** The first `length` UTF-16 units, never ending in half of a surrogate pair. */
export function cut(text: string, length: number): string {
  if (length <= 0) return '';
  const code = text.charCodeAt(length - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}

export const newline = (depth: number) => `\n${'  '.repeat(Math.min(depth, INDENT_DEPTH))}`;

/** Text as is, at most `limit` characters. */
export function clipText(text: string, limit: number): ShownText {
  return text.length <= limit ? { text, shortened: false } : { text: cut(text, limit), shortened: true };
}
