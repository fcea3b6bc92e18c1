import { BACKSLASH } from './json-lexer.ts';

// Turning bounded bytes of JSON into text for people, without recursion or unbounded output.

// ignoreBOM: a string's text may start with U+FEFF; a decoder would drop it as a byte order mark.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * The string that the JSON string token `raw` (its opening quote included) holds. `complete`
 * false: the token was cut short; its valid prefix is decoded, without a half escape or a half
 * UTF-8 sequence at the cut.
 */
export function decodeJsonString(raw: Buffer, complete: boolean): string {
  if (complete) return decodeJsonStringAt(raw, 0, raw.length);
  let body = decoder.decode(raw.subarray(1), { stream: true });
  decoder.decode(); // reset the decoder's held bytes
  // The lexer checked every escape before the cut, so at most the last escape is unfinished.
  for (let drop = 0; drop <= 6; drop++) {
    try {
      return JSON.parse(`"${body}"`) as string;
    } catch {
      body = body.slice(0, -1);
    }
  }
  return '';
}

/** `text` cut to `limit` UTF-16 units (never inside a surrogate pair), ending in "…" when cut. */
export function shorten(text: string, limit: number, cut = false): string {
  if (text.length <= limit && !cut) return text;
  let end = Math.min(limit, text.length);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** The string that the whole JSON string token `buf[start, end)` holds. */
export function decodeJsonStringAt(buf: Buffer, start: number, end: number): string {
  // Most strings have no escapes: read them in place.
  for (let i = start + 1; i < end - 1; i++) {
    if (buf[i] === BACKSLASH) return JSON.parse(buf.toString('utf8', start, end)) as string;
  }
  return (buf as Buffer & FastSlices).utf8Slice(start + 1, end - 1);
}

/** Buffer's own slice decoders, which `toString` calls after checking its arguments. */
interface FastSlices {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}

/**
 * Decodes keys, answering a key seen before with the same string: the keys of walked objects
 * repeat (`type`, `id`, `name` in every entry), and this spares a string per key. Short ASCII keys
 * without escapes only; a small direct-mapped table, so it stays bounded.
 */
export class KeyCache {
  readonly #slots: (string | undefined)[] = new Array(256).fill(undefined);

  /** The key that the JSON string token `buf[start, end)` holds. */
  decode(buf: Buffer, start: number, end: number): string {
    const length = end - start - 2;
    if (length > 32) return decodeJsonStringAt(buf, start, end);
    // A cheap slot from the length and two bytes; a hit is then checked byte by byte (a cached key
    // is plain ASCII, so equal bytes mean an equal key).
    const slot = (length * 31 + (buf[start + 1] ?? 0) * 7 + buf[end - 2]!) & 255;
    const known = this.#slots[slot];
    if (known !== undefined && known.length === length && sameAscii(known, buf, start + 1)) return known;
    for (let i = start + 1; i < end - 1; i++) {
      const c = buf[i]!;
      if (c >= 0x80 || c === BACKSLASH) return decodeJsonStringAt(buf, start, end);
    }
    const key = (buf as Buffer & FastSlices).latin1Slice(start + 1, end - 1);
    this.#slots[slot] = key;
    return key;
  }
}

function sameAscii(text: string, buf: Buffer, at: number): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== buf[at + i]) return false;
  return true;
}
