import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyCache } from '../../../lambda/results/json-text.ts';

// The walker's key cache: a repeated key is answered without decoding it again, and never with a
// different key that happens to share its slot in the small table.

/** The object keys of JSON `text` in order: each with where its token starts and ends. */
function keyTokens(buf: Buffer): { key: string; start: number; end: number }[] {
  const found = [];
  for (const match of buf.toString('latin1').matchAll(/"((?:[^"\\]|\\.)*)"\s*:/g)) {
    const start = match.index;
    const end = start + match[1]!.length + 2;
    found.push({ key: JSON.parse(buf.toString('utf8', start, end)) as string, start, end });
  }
  return found;
}

/** Every key of `text` read through one cache, and how many times the bytes were decoded. */
function readKeys(text: string | Buffer, cache = new KeyCache()): { keys: string[]; decoded: number } {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text);
  let decoded = 0;
  const spied = buf as Buffer & Record<'latin1Slice' | 'utf8Slice', (start: number, end: number) => string>;
  for (const name of ['latin1Slice', 'utf8Slice'] as const) {
    const slice = spied[name];
    spied[name] = (start, end) => {
      decoded++;
      return slice.call(buf, start, end);
    };
  }
  const keys = keyTokens(buf).map(({ start, end }) => cache.decode(buf, start, end));
  return { keys, decoded };
}

describe('KeyCache', () => {
  it('decodes each key of repeated entries once', () => {
    const entry = '{"type":"SOURCE","id":"2c91","name":"HR","key":"IMPORT","text":"ok","details":{}}';
    const { keys, decoded } = readKeys(`[${Array(40).fill(entry).join(',')}]`);
    expect(keys).toEqual(Array(40).fill(['type', 'id', 'name', 'key', 'text', 'details']).flat());
    expect(decoded).toBe(6);
  });

  it('remembers keys of up to 32 bytes, and decodes longer ones every time', () => {
    const short = `${'k'.repeat(31)}x`;
    const long = `${'k'.repeat(32)}x`;
    expect(readKeys(`{"${short}":1,"${short}":2}`)).toEqual({ keys: [short, short], decoded: 1 });
    expect(readKeys(`{"${long}":1,"${long}":2}`)).toEqual({ keys: [long, long], decoded: 2 });
  });

  it('never answers a key with a shorter one it starts with that shares its slot', () => {
    // "ab" and "abC" fall in the same slot of the table (same first byte, length and last byte weigh alike).
    expect(readKeys('{"ab":1,"abC":2,"ab":3}').keys).toEqual(['ab', 'abC', 'ab']);
    expect(readKeys('{"abC":1,"ab":2,"abC":3}').keys).toEqual(['abC', 'ab', 'abC']);
  });

  it('compares a remembered key with the key itself, not with the bytes before its quote', () => {
    // "," and "l" share a slot, and the byte before the second key is the "," of the first.
    expect(readKeys('{",":1,"l":2}').keys).toEqual([',', 'l']);
  });

  it('decodes keys with escapes or bytes past ASCII as JSON does, however often they come', () => {
    expect(readKeys('{"a\\nb":1,"a\\nb":2,"\\u0041":3,"é":4,"é":5}').keys).toEqual(['a\nb', 'a\nb', 'A', 'é', 'é']);
    // A stray continuation byte reads as the replacement character, as in any other string.
    const stray = Buffer.from([0x7b, 0x22, 0x80, 0x22, 0x3a, 0x31, 0x7d]);
    expect(readKeys(stray).keys).toEqual(['\ufffd']);
  });

  it('reads any keys, in any order through one cache, as JSON.parse does', () => {
    const key = fc.string({ unit: fc.constantFrom('a', 'b', 'A', 'B', '!', ',', 'é', '"', '\\'), maxLength: 4 });
    fc.assert(
      fc.property(fc.array(key, { minLength: 1, maxLength: 30 }), (names) => {
        const text = `[${names.map((name) => `{${JSON.stringify(name)}:0}`).join(',')}]`;
        expect(readKeys(text).keys).toEqual(names);
      }),
      { numRuns: 100 },
    );
  });
});
