import { describe, expect, it } from 'vitest';
import {
  InvalidJsonError,
  JsonStreamWalker,
  type PathKey,
  type ValueKind,
  type Visit,
} from '../../../lambda/results/json-stream-walker.ts';
import { MAX_NESTING } from '../../../lambda/results/json-walk-state.ts';

type Captured = [PathKey[], string, boolean];

function walk(
  doc: string | Buffer,
  visit: (path: readonly PathKey[], kind: ValueKind) => Visit,
  split?: number,
  ends?: [PathKey[], number][],
  captureLimit?: number,
) {
  const values: Captured[] = [];
  const walker = new JsonStreamWalker({
    visit,
    onValue: (path, raw, complete) => values.push([[...path], raw.toString('utf8'), complete]),
    onEnd: (path, entries) => ends?.push([[...path], entries]),
    captureLimit,
  });
  const bytes = Buffer.isBuffer(doc) ? doc : Buffer.from(doc);
  if (split === undefined) walker.write(bytes);
  else {
    walker.write(bytes.subarray(0, split));
    walker.write(bytes.subarray(split));
  }
  walker.end();
  return values;
}

/** Visit policies applied to every value. */
const EVERYWHERE: (() => Visit)[] = [() => 'descend', () => 'skip', () => 'capture'];

/** Every way to cut `doc` in two. */
function everySplit(doc: string, check: (bytes: Buffer, split: number) => void): void {
  const bytes = Buffer.from(doc);
  for (let split = 0; split <= bytes.length; split++) check(bytes, split);
}

const VALID = [
  '{"a":[1,-2.5e3,true,false,null,"x\\"y\\\\z\\u00e9\\/\\b\\f\\n\\r\\t\\uD83D\\uDE00"],"b":{"c":{}},"d":[]}',
  '  [ {"k" : "v"} , [ ] , 0 , "ünïcödé ✓ 😀" , 1E+2 , -0.0e-0 ]  ',
  '"just a string"',
  '42',
  '123456789012345678901234567890e999',
  '{"results":{"results":{"SOURCE":{"infos":[{"key":null,"text":"t","detail":{"n":[1,2]}}]}}},"exportJobId":"e"}',
];

describe('JsonStreamWalker', () => {
  it.each(VALID)('captures the exact bytes of a value, however the bytes are split: %s', (doc) => {
    everySplit(doc, (bytes, split) => {
      expect(walk(bytes, () => 'capture', split)).toEqual([[[], doc.trim(), true]]);
      expect(JSON.parse(walk(bytes, () => 'capture', split)[0]![1])).toEqual(JSON.parse(doc));
    });
  });

  it('reports paths and kinds of the values it is asked about, and captures only those asked for', () => {
    const seen: string[] = [];
    const values = walk('{"results":{"T":{"errors":[{"text":"a"},{"text":"b"}]},"U":{"infos":["c",1]}}}', (path, kind) => {
      seen.push(`${path.join('.')}:${kind}`);
      return path.length === 4 ? 'capture' : path[0] === 'results' || path.length === 0 ? 'descend' : 'skip';
    });
    expect(values).toEqual([
      [['results', 'T', 'errors', 0], '{"text":"a"}', true],
      [['results', 'T', 'errors', 1], '{"text":"b"}', true],
      [['results', 'U', 'infos', 0], '"c"', true],
      [['results', 'U', 'infos', 1], '1', true],
    ]);
    expect(seen).toEqual([
      ':object',
      'results:object',
      'results.T:object',
      'results.T.errors:array',
      'results.T.errors.0:object',
      'results.T.errors.1:object',
      'results.U:object',
      'results.U.infos:array',
      'results.U.infos.0:string',
      'results.U.infos.1:literal',
    ]);
  });

  it('does not look inside skipped values', () => {
    const seen: PathKey[][] = [];
    walk('{"skip":{"deep":{"deeper":[1,2,3]}},"keep":1}', (path) => (seen.push([...path]), path.length === 0 ? 'descend' : 'skip'));
    expect(seen).toEqual([[], ['skip'], ['keep']]);
  });

  it('keeps only the first bytes of a captured value over the limit, and says it was cut', () => {
    const doc = JSON.stringify({ list: [{ text: 'x'.repeat(70_000) }, { text: 'small' }] });
    for (const split of [undefined, 1000, 40_000]) {
      const values = walk(doc, (path) => (path.length === 2 ? 'capture' : 'descend'), split, undefined, 1024);
      expect(values).toEqual([
        [['list', 0], `{"text":"${'x'.repeat(1024 - 9)}`, false],
        [['list', 1], '{"text":"small"}', true],
      ]);
    }
  });

  it('reads long strings, with escapes before and after the first 256 bytes, however the bytes are split', () => {
    const long = `${'a'.repeat(300)}\\"${'b'.repeat(300)}\\\\${'c'.repeat(10)}\\u00e9`;
    const doc = `{"keep":["${long}","${'x'.repeat(700)}"],"skip":{"s":"${long}"},"after":1}`;
    everySplit(doc, (bytes, split) => {
      expect(walk(bytes, () => 'capture', split)[0]![1]).toBe(doc);
      expect(walk(bytes, (path) => (path.length === 0 ? 'descend' : path[0] === 'after' ? 'capture' : 'skip'), split)).toEqual([
        [['after'], '1', true],
      ]);
    });
  });

  it('counts the entries of walked containers, also those whose rest is skipped, however the bytes are split', () => {
    const doc = '{"list":[{"t":"a\\"}"},{"t":"b","n":[1,{"x":"]"}]},"c",3,[],{"t":"d\\u00e9\\\\"}],"empty":[],"obj":{"k":1,"l":{}}}';
    everySplit(doc, (bytes, split) => {
      const ends: [PathKey[], number][] = [];
      const values = walk(
        bytes,
        (path) => (path.length < 2 && path[0] !== 'obj' ? 'descend' : path[1] === 0 ? 'capture' : 'skip-rest'),
        split,
        ends,
      );
      expect(values).toEqual([[['list', 0], '{"t":"a\\"}"}', true]]);
      expect(ends).toEqual([
        [['list'], 6],
        [['empty'], 0],
        [[], 3],
      ]);
    });
  });

  it('reads keys of walked objects that need decoding: escapes, unicode, __proto__', () => {
    const keys: PathKey[] = [];
    walk(
      '{"\\u0041\\n":1,"ü😀":2,"__proto__":3,"constructor":4,"":5}',
      (path) => (path.length === 1 && keys.push(path[0]!), path.length === 0 ? 'descend' : 'skip'),
    );
    expect(keys).toEqual(['A\n', 'ü😀', '__proto__', 'constructor', '']);
  });

  it('accepts and counts valid JSON 100,000 levels deep, walked, captured or skipped, however it is cut', () => {
    const depth = 100_000;
    const doc = `${'[{"k":'.repeat(depth / 2)}"x"${'}]'.repeat(depth / 2)}`;
    const bytes = Buffer.from(doc);
    for (const split of [1, 77_777, bytes.length - 1]) {
      // Each container, innermost first: its depth (path length) and its entries.
      const ends: [number, number][] = [];
      const walker = new JsonStreamWalker({ visit: () => 'descend', onEnd: (path, entries) => ends.push([path.length, entries]) });
      walker.write(bytes.subarray(0, split));
      walker.write(bytes.subarray(split));
      walker.end();
      expect(ends).toHaveLength(depth);
      expect(ends.every(([length, entries], i) => length === depth - 1 - i && entries === 1)).toBe(true);
      expect(walk(bytes, () => 'skip', split)).toEqual([]);
      const [captured] = walk(bytes, () => 'capture', split, undefined, 4096);
      expect(captured![1]).toBe(doc.slice(0, 4096));
      expect(captured![2]).toBe(false);
    }
  });

  it('refuses a document 100,000 levels deep that does not close, or closes wrongly', () => {
    for (const doc of [
      '['.repeat(100_000),
      `${'['.repeat(100_000)}${']'.repeat(99_999)}}`,
      `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_001)}`,
    ]) {
      for (const visit of EVERYWHERE) expect(() => walk(doc, visit, 1234)).toThrow(InvalidJsonError);
    }
  });

  it('refuses nesting deeper than MAX_NESTING, naming where, instead of a stack as large as the document', () => {
    const doc = Buffer.alloc(MAX_NESTING + 10, '[');
    for (const visit of [() => 'skip' as const, () => 'descend' as const]) {
      expect(() => walk(doc, visit, 1 << 20)).toThrow(`Nesting deeper than ${MAX_NESTING} levels at byte ${MAX_NESTING}.`);
    }
    // Exactly MAX_NESTING levels are still read.
    const deepest = Buffer.concat([Buffer.alloc(MAX_NESTING, '['), Buffer.alloc(MAX_NESTING, ']')]);
    expect(walk(deepest, () => 'skip', 1 << 20)).toEqual([]);
  });

  const INVALID_INSIDE = [
    '{"a":{"b" 1}}',
    '{"a":[1,]}',
    '{"a":[1 2]}',
    '{"a":{"b":tru}}',
    '{"a":{"b":1,}}',
    '{"a":[}]}',
    '{"a":{"b":"open}}',
    '{"a":[{"x":1}}]}',
    '{"a":{"k":"v" "l":1}}',
    '{"a":["\\"]}',
    '{"a":[{,}]}',
    '{"a":[{"k":1}:]}',
    '{"a":[["x"]',
    '{"a":{"k":[1}]}',
    // Escapes: only \" \\ \/ \b \f \n \r \t and \u with four hex digits.
    '{"a":["\\x"]}',
    '{"a":["\\u12G4"]}',
    '{"a":["\\u00"]}',
    '{"a":["\\U0041"]}',
    '{"a":["\\\'"]}',
    '{"a":{"\\q":1}}',
    // Raw control characters in strings.
    '{"a":["tab\there"]}',
    '{"a":["line\nbreak"]}',
    '{"a":["nul\u0000"]}',
    '{"a":{"k\u001f":1}}',
    // Numbers and literals.
    '{"a":[01]}',
    '{"a":[1.]}',
    '{"a":[.5]}',
    '{"a":[1e]}',
    '{"a":[1e+]}',
    '{"a":[-]}',
    '{"a":[+1]}',
    '{"a":[--1]}',
    '{"a":[truex]}',
    '{"a":[nulL]}',
    '{"a":[True]}',
    '{"a":[NaN]}',
    '{"a":[Infinity]}',
    '{"a":[0x10]}',
  ];
  it.each(INVALID_INSIDE.map((doc) => [doc]))('refuses %j inside values it passes over, however the bytes are split', (doc) => {
    everySplit(doc, (bytes, split) => {
      expect(() => walk(bytes, (path) => (path.length === 0 ? 'descend' : 'skip'), split)).toThrow(InvalidJsonError);
      expect(() => walk(bytes, (path) => (path.length < 2 ? 'descend' : 'skip-rest'), split)).toThrow(InvalidJsonError);
      expect(() => walk(bytes, () => 'capture', split)).toThrow(InvalidJsonError);
      expect(() => walk(bytes, () => 'descend', split)).toThrow(InvalidJsonError);
    });
  });

  it.each([
    ['{"a" 1}'],
    ['[1,]'],
    ['{,}'],
    ['[1 2]'],
    ['tru'],
    ['01'],
    ['{"a":1,}'],
    ['"open'],
    ['1.'],
    ['-'],
    ['"\\u004'],
    ['{"a":1}}'],
    ['[}'],
    ['{"a":1} x'],
    ['1 2'],
    [''],
    ['   '],
    ['<html></html>'],
    ['{"a":[1,2'],
    ['nul'],
    ['\ufeff{}'],
  ])('refuses %j', (doc) => {
    for (const visit of EVERYWHERE) expect(() => walk(doc, visit)).toThrow(InvalidJsonError);
  });

  it('names the byte where the document goes wrong', () => {
    expect(() => walk('{"a":["ok", "bad\\x"]}', () => 'skip', 7)).toThrow('Invalid escape "\\x" in a string at byte 16.');
    expect(() => walk('{"a":1', () => 'descend')).toThrow('The JSON document ended early, at byte 6.');
  });
});
