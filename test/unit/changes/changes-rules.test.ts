import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { afterStateIsLate, CHANGES_REASONS, changesRecord, NO_COUNTS } from '../../../lambda/changes/changes-record.ts';
import { jsonText, SHOWN_LIMITS, shownValue } from '../../../lambda/changes/shown-value.ts';
import { hasId, readSelf, refKey, TouchedIndex } from '../../../lambda/changes/touched-index.ts';

describe('shownValue', () => {
  it('keeps a value of exactly the byte limit, counting UTF-8 bytes', () => {
    const atLimit = 'é'.repeat((SHOWN_LIMITS.bytes - 2) / 2);
    expect(shownValue(atLimit)).toBe(atLimit);
    expect(shownValue(`${atLimit}a`)).toMatchObject({ truncated: true, bytes: SHOWN_LIMITS.bytes + 1 });
  });

  it('shortens a large value to a 1 KiB preview with the size and sha256 of its full JSON text', () => {
    const value = { text: 'x'.repeat(5000) };
    const full = JSON.stringify(value);
    expect(shownValue(value)).toEqual({
      truncated: true,
      preview: full.slice(0, SHOWN_LIMITS.previewBytes),
      bytes: full.length,
      sha256: createHash('sha256').update(full).digest('hex'),
    });
  });

  it('never cuts a character in half in the preview', () => {
    // '"' then 3-byte characters: byte 1024 falls inside the 342nd character.
    const shown = shownValue('€'.repeat(2000)) as { preview: string; bytes: number };
    expect(shown.preview).toBe(`"${'€'.repeat(341)}`);
    expect(Buffer.byteLength(shown.preview)).toBe(1024);
    expect(shown.bytes).toBe(6002);
    const fourByte = shownValue('😀'.repeat(2000)) as { preview: string };
    expect(fourByte.preview).toBe(`"${'😀'.repeat(255)}`);
  });

  it.each([
    ['exactly the depth limit', SHOWN_LIMITS.depth, false],
    ['one level deeper', SHOWN_LIMITS.depth + 1, true],
  ])('shortens a value nested %s: %s', (_case, depth, truncated) => {
    let value: unknown = 1;
    for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
    const shown = shownValue(value);
    expect(typeof shown === 'object' && shown !== null && 'truncated' in shown).toBe(truncated);
  });

  it('tells two shortened values apart by their hash', () => {
    const a = shownValue('a'.repeat(5000)) as { sha256: string };
    const b = shownValue(`${'a'.repeat(4999)}b`) as { sha256: string };
    expect(a.sha256).not.toBe(b.sha256);
  });
});

describe('jsonText', () => {
  it.each([
    [[1, undefined, 'x'], '[1,null,"x"]'],
    [{ a: undefined, b: [], c: {} }, '{"b":[],"c":{}}'],
    [{ 'k"1': null, n: -0.5, t: true }, '{"k\\"1":null,"n":-0.5,"t":true}'],
    [undefined, 'null'],
    ['é\n', '"é\\n"'],
  ])('writes %j as %s', (value, text) => {
    expect(jsonText(value)).toBe(text);
  });

  it('writes a value 100 000 levels deep without overflowing the stack', () => {
    let value: unknown = 0;
    for (let i = 0; i < 100_000; i++) value = [value];
    expect(jsonText(value)).toBe(`${'['.repeat(100_000)}0${']'.repeat(100_000)}`);
  });
});

describe('changes records', () => {
  it('gives frozen zero counts', () => {
    expect(NO_COUNTS).toEqual({ created: 0, changed: 0, unchanged: 0, unknown: 0 });
    expect(Object.isFrozen(NO_COUNTS)).toBe(true);
  });

  it('carries both fields of the after-export', () => {
    expect(changesRecord('UNAVAILABLE', 'r', { exportJobId: 'e1', exportedAt: '2026-11-20T09:13:00Z' })).toEqual({
      state: 'UNAVAILABLE',
      reason: 'r',
      afterExportJobId: 'e1',
      afterExportedAt: '2026-11-20T09:13:00Z',
      counts: NO_COUNTS,
    });
  });

  it.each([
    ['disabled', 'ARCHIVE_CHANGES is false: the after-state was not exported.'],
    ['cancelled', 'The import was cancelled: it imported nothing.'],
    ['nothingImported', 'The results list no imported object.'],
  ] as const)('says why for %s', (key, reason) => {
    expect(CHANGES_REASONS[key]).toBe(reason);
  });

  it.each([
    ['2026-11-20T09:00:00Z', '2026-11-20T09:10:00Z', false],
    ['2026-11-20T09:00:00Z', '2026-11-20T09:10:00.001Z', true],
    ['2026-11-20T09:00:00Z', '2026-11-20T08:00:00Z', false],
    ['2026-11-20T09:00:00Z', null, false],
    ['', '2026-11-20T10:00:00Z', false],
    ['2026-11-20T09:00:00Z', 'garbage', false],
  ])('afterStateIsLate(%j, %j) is %s', (completed, exported, late) => {
    expect(afterStateIsLate(completed, exported)).toBe(late);
  });
});

describe('touched index', () => {
  it.each([
    [
      { type: 'RULE', id: 'a', name: 'n' },
      { type: 'RULE', id: 'a', name: 'n' },
    ],
    [
      { type: 'RULE', id: 5, name: null },
      { type: 'RULE', id: '', name: '' },
    ],
    [{ type: 'RULE' }, { type: 'RULE', id: '', name: '' }],
    [{ type: '', id: 'a' }, undefined],
    [{ type: 3, id: 'a' }, undefined],
    [[{ type: 'RULE' }], undefined],
    [null, undefined],
    ['RULE', undefined],
  ])('readSelf(%j) is %j', (self, read) => {
    expect(readSelf(self)).toEqual(read);
  });

  it.each([
    [' ', false],
    ['', false],
    ['a', true],
  ])('hasId(%j) is %s', (id, has) => {
    expect(hasId({ id })).toBe(has);
  });

  it('keys a ref by id without case, or by its exact name when it has no id', () => {
    expect(refKey({ type: 'RULE', id: 'ABC', name: 'x' })).toBe(refKey({ type: 'RULE', id: 'abc', name: 'y' }));
    expect(refKey({ type: 'RULE', id: 'abc', name: 'x' })).not.toBe(refKey({ type: 'SOURCE', id: 'abc', name: 'x' }));
    expect(refKey({ type: 'RULE', id: '', name: 'X' })).not.toBe(refKey({ type: 'RULE', id: '', name: 'x' }));
    expect(refKey({ type: 'RULE', id: '', name: 'abc' })).not.toBe(refKey({ type: 'RULE', id: 'abc', name: '' }));
  });

  it('deduplicates refs, drops refs with neither id nor name, and matches by id then by name', () => {
    const index = new TouchedIndex([
      { type: 'RULE', id: 'AA', name: 'Rule A' },
      { type: 'RULE', id: 'aa', name: 'Rule A again' },
      { type: 'RULE', id: '', name: '' },
      { type: 'RULE', id: ' ', name: 'Rule B' },
      { type: 'RULE', id: 'cc', name: 'Rule B' },
      { type: 'SOURCE', id: 'aa', name: 'Rule A' },
    ]);
    expect(index.refs).toEqual([
      { type: 'RULE', id: 'AA', name: 'Rule A' },
      { type: 'RULE', id: ' ', name: 'Rule B' },
      { type: 'RULE', id: 'cc', name: 'Rule B' },
      { type: 'SOURCE', id: 'aa', name: 'Rule A' },
    ]);
    expect(index.match({ type: 'RULE', id: 'aA', name: 'Rule B' })).toEqual({ byId: 0, byName: [1, 2] });
    expect(index.match({ type: 'SOURCE', id: 'AA', name: 'Rule A' })).toEqual({ byId: 3, byName: [3] });
    expect(index.match({ type: 'RULE', id: '', name: '' })).toEqual({ byId: undefined, byName: [] });
    expect(index.match({ type: 'RULE', id: 'zz', name: 'rule b' })).toEqual({ byId: undefined, byName: [] });
    expect(index.match({ type: 'TRANSFORM', id: 'aa', name: 'Rule A' })).toEqual({ byId: undefined, byName: [] });
  });
});
