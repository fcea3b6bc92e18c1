import { describe, expect, it } from 'vitest';
import { InvalidJsonError, JsonStreamWalker, OVERSIZED, type PathKey, type Visit } from '../../../lambda/results/json-stream-walker.ts';

function walk(doc: string | Buffer, visit: (path: readonly PathKey[]) => Visit, split?: number, ends?: [PathKey[], number][]) {
  const values: [PathKey[], unknown][] = [];
  const walker = new JsonStreamWalker({ visit, onValue: (path, value) => values.push([[...path], value]), onEnd: (path, entries) => ends?.push([[...path], entries]) });
  const bytes = Buffer.isBuffer(doc) ? doc : Buffer.from(doc);
  if (split === undefined) walker.write(bytes);
  else {
    walker.write(bytes.subarray(0, split));
    walker.write(bytes.subarray(split));
  }
  walker.end();
  return values;
}

const VALID = [
  '{"a":[1,-2.5e3,true,false,null,"x\\"y\\\\z\\u00e9"],"b":{"c":{}},"d":[]}',
  '  [ {"k" : "v"} , [ ] , 0 , "ünïcödé ✓" ]  ',
  '"just a string"',
  '42',
  '{"results":{"results":{"SOURCE":{"infos":[{"key":null,"text":"t","detail":{"n":[1,2]}}]}}},"exportJobId":"e"}',
];

describe('JsonStreamWalker', () => {
  it.each(VALID)('captures exactly what JSON.parse reads, however the bytes are split: %s', (doc) => {
    const bytes = Buffer.from(doc);
    for (let split = 0; split <= bytes.length; split++) {
      expect(walk(bytes, () => 'capture', split)).toEqual([[[], JSON.parse(doc)]]);
    }
  });

  it('reports paths of the values it is asked to capture, and only those', () => {
    const seen: string[] = [];
    const values = walk('{"results":{"T":{"errors":[{"text":"a"},{"text":"b"}]},"U":{"infos":["c"]}}}', (path) => {
      seen.push(path.join('.'));
      return path.length === 4 ? 'capture' : path[0] === 'results' || path.length === 0 ? 'descend' : 'skip';
    });
    expect(values).toEqual([[['results', 'T', 'errors', 0], { text: 'a' }], [['results', 'T', 'errors', 1], { text: 'b' }], [['results', 'U', 'infos', 0], 'c']]);
    expect(seen).toEqual(['', 'results', 'results.T', 'results.T.errors', 'results.T.errors.0', 'results.T.errors.1', 'results.U', 'results.U.infos', 'results.U.infos.0']);
  });

  it('does not look inside skipped values', () => {
    const seen: PathKey[][] = [];
    walk('{"skip":{"deep":{"deeper":[1,2,3]}},"keep":1}', (path) => (seen.push([...path]), path.length === 0 ? 'descend' : 'skip'));
    expect(seen).toEqual([[], ['skip'], ['keep']]);
  });

  it('replaces a captured value over 64 KiB with a note instead of holding it', () => {
    const huge = JSON.stringify({ list: [{ text: 'x'.repeat(70_000) }, { text: 'small' }] });
    const values = walk(huge, (path) => (path.length === 2 ? 'capture' : 'descend'), 1000);
    expect(values).toEqual([[['list', 0], OVERSIZED], [['list', 1], { text: 'small' }]]);
  });

  it('reads long strings, with escapes before and after the first 256 bytes, however the bytes are split', () => {
    const long = `${'a'.repeat(300)}\\"${'b'.repeat(300)}\\\\${'c'.repeat(10)}\\u00e9`;
    const doc = JSON.stringify({ keep: [long, 'x'.repeat(700)], skip: { s: long }, after: 1 });
    const bytes = Buffer.from(doc);
    for (let split = 0; split <= bytes.length; split++) {
      expect(walk(bytes, () => 'capture', split)).toEqual([[[], JSON.parse(doc)]]);
      expect(walk(bytes, (path) => (path.length === 0 ? 'descend' : path[0] === 'after' ? 'capture' : 'skip'), split)).toEqual([[['after'], 1]]);
    }
  });

  it('counts the entries of walked containers, also those whose rest is skipped, however the bytes are split', () => {
    const doc = '{"list":[{"t":"a\\"}"},{"t":"b","n":[1,{"x":"]"}]},"c",3,[],{"t":"d\\u00e9\\\\"}],"empty":[],"obj":{"k":1,"l":{}}}';
    const bytes = Buffer.from(doc);
    for (let split = 0; split <= bytes.length; split++) {
      const ends: [PathKey[], number][] = [];
      const values = walk(bytes, (path) => (path.length < 2 && path[0] !== 'obj' ? 'descend' : path[1] === 0 ? 'capture' : 'skip-rest'), split, ends);
      expect(values).toEqual([[['list', 0], { t: 'a"}' }]]);
      expect(ends).toEqual([[['list'], 6], [['empty'], 0], [[], 3]]);
    }
  });

  it.each([
    ['{"a":{"b" 1}}'], ['{"a":[1,]}'], ['{"a":[1 2]}'], ['{"a":{"b":tru}}'], ['{"a":{"b":1,}}'], ['{"a":[}]}'],
    ['{"a":{"b":"open}}'], ['{"a":[{"x":1}}]}'], ['{"a":{"k":"v" "l":1}}'], ['{"a":["\\"]}'], ['{"a":[{,}]}'],
    ['{"a":[{"k":1}:]}'], ['{"a":[["x"]'], ['{"a":{"k":[1}]}'],
  ])('refuses %j inside values it passes over, however the bytes are split', (doc) => {
    const bytes = Buffer.from(doc);
    for (let split = 0; split <= bytes.length; split++) {
      expect(() => walk(bytes, (path) => (path.length === 0 ? 'descend' : 'skip'), split)).toThrow(InvalidJsonError);
      expect(() => walk(bytes, (path) => (path.length < 2 ? 'descend' : 'skip-rest'), split)).toThrow(InvalidJsonError);
      expect(() => walk(bytes, () => 'capture', split)).toThrow(InvalidJsonError);
    }
  });

  it.each([
    ['{"a" 1}'], ['[1,]'], ['{,}'], ['[1 2]'], ['tru'], ['01'], ['{"a":1,}'], ['"open'],
    ['{"a":1}}'], ['[}'], ['{"a":1} x'], [''], ['   '], ['<html></html>'], ['{"a":[1,2'], ['nul'], ['-'],
  ])('refuses %j', (doc) => {
    expect(() => walk(doc, () => 'descend')).toThrow(InvalidJsonError);
    expect(() => walk(doc, () => 'capture')).toThrow(InvalidJsonError);
  });
});
