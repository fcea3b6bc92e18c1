import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareObject, pointerToken } from '../../../lambda/changes/compare-object.ts';
import { jsonText, SHOWN_LIMITS, shownValue } from '../../../lambda/changes/shown-value.ts';
import type { FieldChange } from '../../../lambda/domain/changes.ts';
import { rule, source, transform } from './isc-objects.ts';

describe('compareObject', () => {
  it('reports a transform’s changed input attribute as a pointer with both values', () => {
    expect(compareObject(transform('department'), transform('dept', '2026-11-20T09:30:00.000Z'))).toEqual([
      { path: '/attributes/input/attributes/attributeName', before: 'department', after: 'dept' },
    ]);
    const replaced = { ...transform('department'), attributes: { input: 'static' } };
    expect(compareObject(transform('department'), replaced)).toEqual([
      {
        path: '/attributes/input',
        before: { type: 'accountAttribute', attributes: { sourceName: 'Workday', attributeName: 'department' } },
        after: 'static',
      },
    ]);
  });

  it('does not count the created and modified stamps of the object, only deeper ones', () => {
    expect(compareObject(rule('2026-01-15T08:00:00.000Z'), { ...rule('2026-11-20T09:30:00.000Z'), created: 'later' })).toEqual([]);
    const { created: _c, modified: _m, ...unstamped } = rule();
    expect(compareObject(rule(), unstamped)).toEqual([]);
    const nested = (at: string) => ({ ...source(), owner: { id: 'x', modified: at } });
    expect(compareObject(nested('a'), nested('b'))).toEqual([{ path: '/owner/modified', before: 'a', after: 'b' }]);
  });

  it('leaves out the side where a key does not exist', () => {
    const before = { ...source(), description: 'old' };
    const after: Record<string, unknown> = { ...source(), cluster: { id: 'c1' } };
    delete after.description;
    const changes = compareObject(before, after);
    expect(changes).toEqual([
      { path: '/cluster', after: { id: 'c1' } },
      { path: '/description', before: 'old' },
    ]);
    expect(JSON.parse(JSON.stringify(changes))).toEqual([
      { path: '/cluster', after: { id: 'c1' } },
      { path: '/description', before: 'old' },
    ]);
    // null is a value, not an absence.
    expect(compareObject({ a: null }, {})).toEqual([{ path: '/a', before: null }]);
  });

  it('does not count key order', () => {
    const reordered = Object.fromEntries(Object.entries(source()).reverse());
    expect(compareObject(source(), reordered)).toEqual([]);
  });

  it('compares arrays of the same length position by position, and shows others whole', () => {
    const features = (list: string[]) => ({ ...source(), features: list });
    expect(compareObject(features(['A', 'B', 'C']), features(['A', 'X', 'C']))).toEqual([{ path: '/features/1', before: 'B', after: 'X' }]);
    expect(compareObject(features(['A', 'B']), features(['B', 'A']))).toEqual([
      { path: '/features/0', before: 'A', after: 'B' },
      { path: '/features/1', before: 'B', after: 'A' },
    ]);
    expect(compareObject(features(['A', 'B']), features(['A', 'B', 'C']))).toEqual([
      { path: '/features', before: ['A', 'B'], after: ['A', 'B', 'C'] },
    ]);
    expect(compareObject({ l: [{ k: 1, v: 'a' }] }, { l: [{ k: 1, v: 'b' }] })).toEqual([{ path: '/l/0/v', before: 'a', after: 'b' }]);
    expect(compareObject({ l: [{ k: 1 }] }, { l: ['k'] })).toEqual([{ path: '/l/0', before: { k: 1 }, after: 'k' }]);
  });

  it('shows values of different kinds whole, and a whole object that is not one at the root', () => {
    expect(compareObject({ a: 1 }, { a: '1' })).toEqual([{ path: '/a', before: 1, after: '1' }]);
    expect(compareObject({ a: {} }, { a: [] })).toEqual([{ path: '/a', before: {}, after: [] }]);
    expect(compareObject(null, { a: 1 })).toEqual([{ path: '', before: null, after: { a: 1 } }]);
    expect(compareObject([1], [2])).toEqual([{ path: '/0', before: 1, after: 2 }]);
  });

  it('escapes ~ and / in keys as RFC 6901 says', () => {
    expect(pointerToken('a/b~c')).toBe('a~1b~0c');
    expect(pointerToken('~1')).toBe('~01');
    expect(compareObject({ 'a/b': { '~': 1 } }, { 'a/b': { '~': 2 } })).toEqual([{ path: '/a~1b/~0', before: 1, after: 2 }]);
    expect(compareObject({ '': 1, __proto__x: 1 }, { '': 2, __proto__x: 1 })).toEqual([{ path: '/', before: 1, after: 2 }]);
    expect(compareObject(JSON.parse('{"__proto__":{"a":1}}'), JSON.parse('{"__proto__":{"a":2}}'))).toEqual([
      { path: '/__proto__/a', before: 1, after: 2 },
    ]);
  });

  it('shortens a value over 4 KB, with the sha256 of its full JSON text', () => {
    const script = `${'é'.repeat(3000)}`;
    const [change] = compareObject({ sourceCode: { script } }, { sourceCode: { script: `${script}!` } });
    const text = JSON.stringify(script);
    expect(change!.before).toEqual({
      truncated: true,
      preview: text.slice(0, 512),
      bytes: Buffer.byteLength(text),
      sha256: createHash('sha256').update(text).digest('hex'),
    });
    expect(Buffer.byteLength((change!.after as { preview: string }).preview)).toBeLessThanOrEqual(SHOWN_LIMITS.previewBytes);
    expect(shownValue('x'.repeat(SHOWN_LIMITS.bytes - 2))).toBe('x'.repeat(SHOWN_LIMITS.bytes - 2));
    expect(shownValue('x'.repeat(SHOWN_LIMITS.bytes - 1))).toMatchObject({ truncated: true, bytes: SHOWN_LIMITS.bytes + 1 });
  });

  it('walks any depth without overflowing the stack, and shortens values nested too deep to show', () => {
    const depth = 100_000;
    const deep = (leaf: number) => JSON.parse(`${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`);
    const changes = compareObject(deep(1), deep(2));
    expect(changes).toHaveLength(1);
    expect(changes[0]!.path).toBe('/a'.repeat(depth));
    const nested = compareObject({ a: 1 }, { a: deep(1) });
    expect(nested[0]!.after).toMatchObject({ truncated: true, bytes: depth * 6 + 1 });
    expect(shownValue(JSON.parse('[[[[1]]]]'))).toEqual([[[[1]]]]);
    expect(shownValue(JSON.parse(`${'['.repeat(SHOWN_LIMITS.depth + 1)}${']'.repeat(SHOWN_LIMITS.depth + 1)}`))).toMatchObject({
      truncated: true,
    });
  });
});

// Values over a small alphabet, so two draws share keys and positions and differ in places.
const scalar = fc.constantFrom<unknown>(null, true, false, 0, 1, -1.5, '', 'x', 'y', 'ünï');
const key = fc.constantFrom('a', 'b', 'c', 'created', 'modified', 'x/y', '~1', '');
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
}));
const object = fc.dictionary(key, value, { maxKeys: 6 });

function resolve(document: unknown, pointer: string): { found: boolean; value?: unknown } {
  let at: unknown = document;
  if (pointer === '') return { found: true, value: at };
  for (const token of pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'))) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, token)) return { found: false };
    at = (at as Record<string, unknown>)[token];
  }
  return { found: true, value: at };
}

function swapped(change: FieldChange): FieldChange {
  return {
    path: change.path,
    ...('after' in change ? { before: change.after } : {}),
    ...('before' in change ? { after: change.before } : {}),
  };
}

describe('compareObject, for any two objects', () => {
  const runs = { numRuns: 400 };

  it('finds no change between an object and itself, or a copy with its keys in another order', () => {
    fc.assert(
      fc.property(object, (a) => {
        expect(compareObject(a, a)).toEqual([]);
        expect(compareObject(a, reversed(a))).toEqual([]);
        expect(compareObject(a, structuredClone(a))).toEqual([]);
      }),
      runs,
    );
  });

  it('reports only paths whose values differ, each shown as it is, or absent on one side', () => {
    fc.assert(
      fc.property(object, object, (a, b) => {
        for (const change of compareObject(a, b)) {
          const before = resolve(a, change.path),
            after = resolve(b, change.path);
          expect(before.found || after.found).toBe(true);
          expect('before' in change).toBe(before.found);
          expect('after' in change).toBe(after.found);
          if (before.found) expect(change.before).toEqual(before.value);
          if (after.found) expect(change.after).toEqual(after.value);
          expect(isDeepStrictEqual(before, after)).toBe(false);
        }
      }),
      runs,
    );
  });

  it('never reports the created or modified stamp of the object', () => {
    fc.assert(
      fc.property(object, object, (a, b) => {
        for (const { path } of compareObject(a, b)) expect(path).not.toMatch(/^\/(created|modified)(\/|$)/);
      }),
      runs,
    );
  });

  it('reports the same paths either way round, with before and after swapped', () => {
    fc.assert(
      fc.property(object, object, (a, b) => {
        expect(compareObject(b, a)).toEqual(compareObject(a, b).map(swapped));
      }),
      runs,
    );
  });

  it('reports a difference somewhere whenever the objects differ beyond the stamps', () => {
    fc.assert(
      fc.property(object, object, (a, b) => {
        const { created: _a1, modified: _a2, ...x } = a;
        const { created: _b1, modified: _b2, ...y } = b;
        expect(compareObject(a, b).length > 0).toBe(jsonText(sorted(x)) !== jsonText(sorted(y)));
      }),
      runs,
    );
  });
});

/** A copy with every object's keys in reverse order. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversed(v)]),
  );
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
  );
}

describe('jsonText', () => {
  it('writes what JSON.stringify writes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(jsonText(v)).toBe(JSON.stringify(v));
      }),
      { numRuns: 300 },
    );
  });
});
