// JSON text (a detail the scanner kept as bounded text) indented like a value, by one pass over
// its characters: no parse, no recursion, and text that is cut short or not JSON passes unharmed.
import { BoundedText, clipText, newline, SHOWN_DEPTH, type ShownText } from './bounded-text.ts';
import { valueText } from './value-text.ts';

/** A JSON text is read at most this many times its output limit (the skipped deep parts included). */
const READ_FACTOR = 16;

/**
 * A message's `detail` as the scanner captured it: any value, or (bounded) JSON text. JSON text of
 * an object or array is indented like a value; any other string is shown as it is.
 */
export function detailText(detail: unknown, limit: number): ShownText {
  if (typeof detail !== 'string') return valueText(detail, limit);
  return looksLikeJsonContainer(detail) ? jsonText(detail, limit) : clipText(detail, limit);
}

function looksLikeJsonContainer(text: string): boolean {
  const start = /^\s{0,256}/.exec(text)![0].length;
  const first = text[start];
  return first === '{' || first === '[';
}

/**
 * JSON text (possibly cut short, as bounded captures are) indented like valueText, reading at most
 * READ_FACTOR times `limit` characters. Text that is not JSON passes through unharmed.
 */
export function jsonText(text: string, limit: number): ShownText {
  const out = new BoundedText(limit);
  const end = Math.min(text.length, Math.max(limit * READ_FACTOR, 65_536));
  let depth = 0;
  let pendingBreak = false;
  const breakLine = () => {
    if (pendingBreak) out.write(newline(depth));
    pendingBreak = false;
  };
  let i = 0;
  while (i < end && !out.full) {
    const c = text[i]!;
    if (c === '"') {
      const close = stringEnd(text, i, end);
      breakLine();
      out.write(text.slice(i, close));
      i = close;
    } else if (c === '{' || c === '[') {
      breakLine();
      if (depth >= SHOWN_DEPTH) {
        out.write(c === '{' ? '{…}' : '[…]');
        out.elide();
        i = containerEnd(text, i, end);
      } else {
        out.write(c);
        depth += 1;
        pendingBreak = true;
        i += 1;
      }
    } else if (c === '}' || c === ']') {
      depth = Math.max(0, depth - 1);
      if (pendingBreak) pendingBreak = false;
      else out.write(newline(depth));
      out.write(c);
      i += 1;
    } else if (c === ',') {
      out.write(',');
      pendingBreak = true;
      i += 1;
    } else if (c === ':') {
      out.write(': ');
      i += 1;
    } else if (c === ' ' || c === '\n' || c === '\r' || c === '\t') {
      i += 1;
    } else {
      let j = i + 1;
      while (j < end && !'"{}[],: \n\r\t'.includes(text[j]!)) j += 1;
      breakLine();
      out.write(text.slice(i, j));
      i = j;
    }
  }
  if (i < text.length && !out.full) {
    out.write(' …');
    out.elide();
  }
  return out.result();
}

/** Index just past the string literal that starts at `start` (or `end` if it is cut short). */
function stringEnd(text: string, start: number, end: number): number {
  for (let i = start + 1; i < end; i += 1) {
    if (text[i] === '\\') i += 1;
    else if (text[i] === '"') return i + 1;
  }
  return end;
}

/** Index just past the container that opens at `start`, strings included (or `end`). */
function containerEnd(text: string, start: number, end: number): number {
  let depth = 0;
  for (let i = start; i < end; i += 1) {
    const c = text[i];
    if (c === '"') i = stringEnd(text, i, end) - 1;
    else if (c === '{' || c === '[') depth += 1;
    else if ((c === '}' || c === ']') && --depth === 0) return i + 1;
  }
  return end;
}
