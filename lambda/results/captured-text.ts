import { QUOTE } from './json-lexer.ts';
import { decodeJsonString, shorten } from './json-text.ts';

// What a captured value (raw JSON text, possibly cut) reads as, for fields people see.

const decoder = new TextDecoder('utf-8');

/** A captured value is a JSON string. */
export function isJsonString(raw: Buffer): boolean {
  return raw[0] === QUOTE;
}

/** A captured value is the literal null. */
export function isJsonNull(raw: Buffer): boolean {
  return raw.length === 4 && raw[0] === 0x6e;
}

/**
 * A captured value as text of at most `limit` characters: a string as it is, anything else as its
 * JSON text as sent (never re-serialised: no recursion, whatever the depth).
 */
export function readableText(raw: Buffer, complete: boolean, limit: number): { text: string; truncated: boolean } {
  let text: string;
  if (isJsonString(raw)) text = decodeJsonString(raw, complete);
  else if (complete) text = raw.toString('utf8');
  else {
    text = decoder.decode(raw, { stream: true });
    decoder.decode();
  }
  const truncated = !complete || text.length > limit;
  return { text: shorten(text, limit, truncated), truncated };
}

/** A message's `key`: a string, shortened to `limit`; null when it is anything else. */
export function keyText(raw: Buffer, complete: boolean, limit: number): string | null {
  return isJsonString(raw) ? shorten(decodeJsonString(raw, complete), limit, !complete) : null;
}
