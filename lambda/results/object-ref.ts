import type { ObjectRef } from '../domain/summary.ts';
import { BACKSLASH, CLOSE_ARRAY, CLOSE_OBJECT, OPEN_ARRAY, OPEN_OBJECT, QUOTE } from './json-lexer.ts';
import { decodeJsonStringAt, shorten } from './json-text.ts';

/** Characters kept of an object's type, id or name. */
export const NAME_LIMIT = 1_000;

/**
 * The object a captured JSON object names by its `type`, `id` and `name` (an `importedObjects`
 * entry, an export entry's `self`): each a string, or a number's value as text; else ''. A missing
 * type is `fallbackType`. Null when the capture was cut or is not an object. There are thousands
 * of these, so this reads the members in one pass over the bytes, which the walker has already
 * checked, rather than parsing the whole value; nested values are stepped over with a counter.
 */
export function objectRef(raw: Buffer, complete: boolean, fallbackType = ''): ObjectRef | null {
  if (!complete || raw[0] !== OPEN_OBJECT) return null;
  let type = '',
    id = '',
    name = '';
  const n = raw.length;
  let i = 1;
  for (;;) {
    i = skipSpace(raw, i);
    if (raw[i] !== QUOTE) break; // `}`
    const keyEnd = stringEnd(raw, i) + 1;
    const field = fieldOf(raw, i, keyEnd);
    const start = skipSpace(raw, skipSpace(raw, keyEnd) + 1); // past the colon
    const end = valueEnd(raw, start);
    if (field !== 0) {
      const text = nameText(raw, start, end);
      if (field === 1) type = text;
      else if (field === 2) id = text;
      else name = text;
    }
    i = skipSpace(raw, end) + 1; // past the comma or the closing brace
    if (i >= n) break;
  }
  return { type: type || fallbackType, id, name };
}

/** 1, 2, 3 for the key `type`, `id`, `name` at `raw[start, end)` (quotes included); else 0. */
function fieldOf(raw: Buffer, start: number, end: number): number {
  const length = end - start;
  const a = raw[start + 1];
  if (length === 6 && a === 0x74 && raw[start + 2] === 0x79 && raw[start + 3] === 0x70 && raw[start + 4] === 0x65) return 1;
  if (length === 4 && a === 0x69 && raw[start + 2] === 0x64) return 2;
  if (length === 6 && a === 0x6e && raw[start + 2] === 0x61 && raw[start + 3] === 0x6d && raw[start + 4] === 0x65) return 3;
  // A key may spell them with escapes (`"\u0069d"`): rare, so decoded only then.
  if (raw.indexOf(BACKSLASH, start) >= end || end - start > 40) return 0;
  const key = decodeJsonStringAt(raw, start, end);
  return key === 'type' ? 1 : key === 'id' ? 2 : key === 'name' ? 3 : 0;
}

function nameText(raw: Buffer, start: number, end: number): string {
  const c = raw[start]!;
  if (c === QUOTE) return shorten(decodeJsonStringAt(raw, start, end), NAME_LIMIT);
  return c === 0x2d || (c >= 0x30 && c <= 0x39) ? String(Number(raw.toString('latin1', start, end))) : '';
}

function skipSpace(raw: Buffer, i: number): number {
  while (raw[i] === 0x20 || raw[i] === 0x0a || raw[i] === 0x0d || raw[i] === 0x09) i++;
  return i;
}

/** The index of the quote closing the (valid) string opened at `at`. */
function stringEnd(raw: Buffer, at: number): number {
  let j = at + 1;
  for (;;) {
    const c = raw[j]!;
    if (c === QUOTE) return j;
    j += c === BACKSLASH ? 2 : 1;
  }
}

/** Just past the (valid) value starting at `at`. */
function valueEnd(raw: Buffer, at: number): number {
  const c = raw[at]!;
  if (c === QUOTE) return stringEnd(raw, at) + 1;
  let j = at;
  if (c !== OPEN_OBJECT && c !== OPEN_ARRAY) {
    while (j < raw.length && !isDelimiter(raw[j]!)) j++;
    return j;
  }
  let depth = 0;
  for (;;) {
    const b = raw[j]!;
    if (b === QUOTE) j = stringEnd(raw, j);
    else if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++;
    else if ((b === CLOSE_OBJECT || b === CLOSE_ARRAY) && --depth === 0) return j + 1;
    j++;
  }
}

function isDelimiter(c: number): boolean {
  return c === 0x2c || c === CLOSE_OBJECT || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
