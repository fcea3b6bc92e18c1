// Field-level differences between an object's state before and after an import, as JSON Pointers
// into the export entry's `object` (docs/changes.md, "What is compared").

import type { FieldChange } from '../domain/changes.ts';
import { shownValue } from './shown-value.ts';

/** Stamps ISC moves on every save: at the top level of `object` they are never changes. */
export const VOLATILE_FIELDS: ReadonlySet<string> = new Set(['created', 'modified']);

/** One RFC 6901 reference token: `~` and `/` escaped as `~0` and `~1`. */
export function pointerToken(key: string | number): string {
  return String(key).replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Marks the side of a pair where the key does not exist. */
const ABSENT: unique symbol = Symbol('absent');
type Side = unknown | typeof ABSENT;

interface Pair {
  readonly path: string;
  readonly before: Side;
  readonly after: Side;
}

type Kind = 'object' | 'array' | 'scalar';
function kind(value: unknown): Kind {
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' && value !== null ? 'object' : 'scalar';
}

/**
 * Objects are compared key by key (key order never matters); arrays of the same length position by
 * position; anything else (scalars, arrays whose length changed, values of different kinds) as a
 * whole. Each difference is reported once, at the deepest path where it shows, depth first with
 * keys in code-unit order. A key on one side only leaves the other side's property out.
 * Walks with an explicit stack: ISC documents can nest deeper than the call stack allows.
 */
export function compareObject(before: unknown, after: unknown): FieldChange[] {
  const changes: FieldChange[] = [];
  const stack: Pair[] = [];
  if (kind(before) === 'object' && kind(after) === 'object')
    pushMembers(stack, '', before as Record<string, unknown>, after as Record<string, unknown>, VOLATILE_FIELDS);
  else stack.push({ path: '', before, after });
  while (stack.length > 0) {
    const { path, before: b, after: a } = stack.pop()!;
    if (b === ABSENT || a === ABSENT) {
      changes.push(fieldChange(path, b, a));
      continue;
    }
    const kinds = kind(b);
    if (kinds !== kind(a)) changes.push(fieldChange(path, b, a));
    else if (kinds === 'object') pushMembers(stack, path, b as Record<string, unknown>, a as Record<string, unknown>);
    else if (kinds === 'array') {
      const bs = b as unknown[],
        as = a as unknown[];
      if (bs.length !== as.length) changes.push(fieldChange(path, b, a));
      else for (let i = bs.length - 1; i >= 0; i--) stack.push({ path: `${path}/${i}`, before: bs[i], after: as[i] });
    } else if (b !== a) changes.push(fieldChange(path, b, a));
  }
  return changes;
}

/** Pushes the pairs of two objects' members, last key first so they pop in key order. */
function pushMembers(
  stack: Pair[],
  path: string,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  ignore?: ReadonlySet<string>,
): void {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i]!;
    if (ignore?.has(key)) continue;
    stack.push({
      path: `${path}/${pointerToken(key)}`,
      before: Object.hasOwn(before, key) ? before[key] : ABSENT,
      after: Object.hasOwn(after, key) ? after[key] : ABSENT,
    });
  }
}

function fieldChange(path: string, before: Side, after: Side): FieldChange {
  return {
    path,
    ...(before === ABSENT ? {} : { before: shownValue(before) }),
    ...(after === ABSENT ? {} : { after: shownValue(after) }),
  };
}
