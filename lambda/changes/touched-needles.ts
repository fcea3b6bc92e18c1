// What an export entry naming a touched object must contain, byte for byte: the needles that let
// the changes read only the few entries of a large backup that can be touched ones, and pass over
// the rest unread (docs/changes.md, "Cost"). An entry matches by its `self`'s id or name, so it
// holds the one or the other as a JSON writer writes it.

import type { ObjectRef } from '../domain/summary.ts';
import { hasId } from './touched-index.ts';

/**
 * Characters every JSON writer puts as they are. Left out: `"` and `\` (always escaped), control
 * and non-ASCII characters (escaped by some writers), `/` (by some), and `<>&='` and the backtick
 * (by writers that make JSON safe to embed in HTML).
 */
const PLAIN = /[A-Za-z0-9 _.,:;@#%()[\]{}!?*+|~^$-]+/g;
const ALL_PLAIN = /^[A-Za-z0-9 _.,:;@#%()[\]{}!?*+|~^$-]*$/;
const JSON_NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
/** Shorter runs of a value's plain characters would occur in most entries: no use as a filter. */
const MIN_RUN = 3;
/** Beyond this, one pattern of them all gets slow to build: read every entry instead. */
const MAX_NEEDLES = 10_000;

/**
 * One needle per touched id and name (ids are matched without case, and the scan ignores ASCII
 * case anyway), or undefined when some id or name gives none: then every entry must be read.
 */
export function touchedNeedles(refs: readonly ObjectRef[]): string[] | undefined {
  const needles = new Set<string>();
  for (const ref of refs) {
    for (const value of [hasId(ref) ? ref.id : '', ref.name]) {
      if (value === '') continue;
      const needle = needleFor(value);
      if (needle === undefined) return undefined;
      needles.add(needle);
    }
  }
  return needles.size > 0 && needles.size <= MAX_NEEDLES ? [...needles] : undefined;
}

/** The bytes (as latin1 text) that any JSON writing of `value`, a `self` member, contains. */
export function needleFor(value: string): string | undefined {
  // Written as it is, after its opening quote; unless it is a number's text, which a `self` may
  // hold unquoted (the results name an object by a number's text, as objectRef reads it). The
  // closing quote is left out on purpose: the scan runs about a third faster without it.
  if (ALL_PLAIN.test(value) && !JSON_NUMBER.test(value)) return `"${value}`;
  let longest = '';
  for (const [run] of value.matchAll(PLAIN)) if (run.length > longest.length) longest = run;
  return longest.length >= MIN_RUN ? longest : undefined;
}
