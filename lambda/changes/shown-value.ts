// How a value appears in changes.json: as is, or shortened when large or deeply nested, with the
// sha256 of its full JSON text so two shortened values can still be told apart (docs/changes.md).

import { createHash } from 'node:crypto';
import type { ShownValue } from '../domain/changes.ts';

export const SHOWN_LIMITS = {
  /** A value whose JSON text is longer than this (UTF-8 bytes) is shortened. */
  bytes: 4 * 1024,
  /** How much of a shortened value's JSON text is kept (UTF-8 bytes, cut at a character). */
  previewBytes: 1024,
  /** A value nested deeper than this is shortened too: readers of changes.json recurse. */
  depth: 64,
} as const;

export interface ShortenedValue {
  readonly truncated: true;
  readonly preview: string;
  readonly bytes: number;
  readonly sha256: string;
}

export function shownValue(value: unknown): ShownValue {
  const text = jsonText(value);
  const bytes = Buffer.byteLength(text);
  if (bytes <= SHOWN_LIMITS.bytes && depthWithin(value, SHOWN_LIMITS.depth)) return value;
  return {
    truncated: true,
    preview: utf8Prefix(text, SHOWN_LIMITS.previewBytes),
    bytes,
    sha256: createHash('sha256').update(text).digest('hex'),
  } satisfies ShortenedValue;
}

class Text {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}
const COMMA = new Text(','),
  CLOSE_ARRAY = new Text(']'),
  CLOSE_OBJECT = new Text('}');

/**
 * The text JSON.stringify gives for a parsed JSON value, written with an explicit stack:
 * JSON.stringify itself overflows the call stack a few thousand levels down, and JSON.parse
 * accepts any depth.
 */
export function jsonText(value: unknown): string {
  const out: string[] = [];
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item instanceof Text) out.push(item.text);
    else if (Array.isArray(item)) {
      out.push('[');
      stack.push(CLOSE_ARRAY);
      for (let i = item.length - 1; i >= 0; i--) {
        stack.push(item[i] === undefined ? null : item[i]);
        if (i > 0) stack.push(COMMA);
      }
    } else if (typeof item === 'object' && item !== null) {
      const record = item as Record<string, unknown>;
      const keys = Object.keys(record).filter((key) => record[key] !== undefined);
      out.push('{');
      stack.push(CLOSE_OBJECT);
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push(record[keys[i]!], new Text(`${JSON.stringify(keys[i])}:`));
        if (i > 0) stack.push(COMMA);
      }
    } else out.push(JSON.stringify(item) ?? 'null');
  }
  return out.join('');
}

function depthWithin(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth >= limit) return false;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return true;
}

/** The longest prefix of `text` within `limit` UTF-8 bytes that does not split a character. */
function utf8Prefix(text: string, limit: number): string {
  const bytes = Buffer.from(text);
  if (bytes.length <= limit) return text;
  let end = limit;
  // Back off continuation bytes (10xxxxxx) to the start of the character that would be cut.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}
