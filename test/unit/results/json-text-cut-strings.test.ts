import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyText, readableText } from '../../../lambda/results/captured-text.ts';
import { decodeJsonString, shorten } from '../../../lambda/results/json-text.ts';

// A JSON string cut at a chunk end (a captured value over its byte limit) still reads as the text
// it starts with: never a replacement character, a half escape or half a surrogate pair.

const strict = new TextDecoder('utf-8', { fatal: true });

/** What a cut string token should read as: the longest prefix of it that is whole JSON string text. */
function oracle(cut: Buffer): string {
  for (let end = cut.length; end > 1; end--) {
    try {
      return JSON.parse(`${strict.decode(cut.subarray(0, end))}"`) as string;
    } catch {
      // a half character or a half escape at the end: one byte shorter
    }
  }
  return '';
}

/** Every cut of `token` short of its closing quote. */
function cuts(token: Buffer): Buffer[] {
  return Array.from({ length: token.length - 1 }, (_, i) => token.subarray(0, i + 1));
}

/** `text` as a JSON string token, with every character past ASCII written as a `\uXXXX` escape. */
function escapedToken(text: string): Buffer {
  return Buffer.from(JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

describe('decodeJsonString on a string cut short', () => {
  it('reads a string cut inside a multi-byte character up to the character before it', () => {
    const token = Buffer.from('"añ€😀z"');
    expect(cuts(token).map((cut) => decodeJsonString(cut, false))).toEqual([
      '', // "
      'a',
      'a', // half of ñ
      'añ',
      'añ', // one and two bytes of €
      'añ',
      'añ€',
      'añ€', // one to three bytes of 😀
      'añ€',
      'añ€',
      'añ€😀',
      'añ€😀z',
    ]);
  });

  it('reads a string cut inside an escape up to the escape before it', () => {
    const token = Buffer.from('"a\\n\\u00e9\\""');
    expect(cuts(token).map((cut) => decodeJsonString(cut, false))).toEqual([
      '',
      'a',
      'a', // a\
      'a\n',
      'a\n', // a\n\ … a\n\u00e
      'a\n',
      'a\n',
      'a\n',
      'a\n',
      'a\né',
      'a\né', // a\né\
      'a\né"',
    ]);
  });

  it('keeps the high half of a surrogate pair cut between its escapes, which shortening then drops', () => {
    const token = Buffer.from('"x\\ud83d\\ude00"');
    const between = token.subarray(0, token.indexOf('\\ude00'));
    expect(decodeJsonString(between, false)).toBe('x\ud83d');
    expect(decodeJsonString(token.subarray(0, token.length - 2), false)).toBe('x\ud83d');
    expect(decodeJsonString(token.subarray(0, token.length - 1), false)).toBe('x😀');
    // What people see of it: no lone half at the cut.
    expect(keyText(between, false, 100)).toBe('x…');
    expect(readableText(between, false, 100)).toEqual({ text: 'x…', truncated: true });
  });

  it('reads a whole string and the same string cut after its last character alike, a leading U+FEFF included', () => {
    for (const text of ['\ufeffabc', 'a\ufeff', 'é"\\', '']) {
      const token = Buffer.from(JSON.stringify(text));
      expect(decodeJsonString(token, true)).toBe(text);
      expect(decodeJsonString(token.subarray(0, token.length - 1), false)).toBe(text);
    }
  });

  it('leaves nothing of a cut character behind for the next string it reads', () => {
    const euro = Buffer.from('"€"');
    expect(decodeJsonString(euro.subarray(0, 3), false)).toBe('');
    expect(decodeJsonString(Buffer.from('"abc'), false)).toBe('abc');
    expect(decodeJsonString(euro.subarray(0, 2), false)).toBe('');
    expect(decodeJsonString(Buffer.from([0x22, 0x82, 0x82]), false)).toBe('\ufffd\ufffd');
  });

  it('gives up with empty text, after an escape’s worth of tries, on bytes the lexer would have refused', () => {
    // A raw control character cannot be in a JSON string; dropping the last few characters never helps.
    expect(decodeJsonString(Buffer.from('"a\u0001bcdefgh'), false)).toBe('');
  });

  it('reads any string cut anywhere as JSON.parse reads its longest whole prefix', () => {
    const unit = fc.oneof(
      fc.constantFrom('a', '"', '\\', '\n', '\u0001', 'é', '€', '😀', '\ud83d', '\ude00', '\ufeff', '\u2028'),
      fc.string({ unit: 'binary', maxLength: 2 }),
    );
    const text = fc.array(unit, { maxLength: 8 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.boolean(), (value, escaped) => {
        const token = escaped ? escapedToken(value) : Buffer.from(JSON.stringify(value));
        expect(decodeJsonString(token, true)).toBe(value);
        for (const cut of cuts(token)) {
          const read = decodeJsonString(cut, false);
          expect(read).toBe(oracle(cut));
          expect(value.startsWith(read)).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('shorten', () => {
  it('keeps text within the limit as it is, and marks text cut or past it with "…"', () => {
    expect(shorten('abc', 3)).toBe('abc');
    expect(shorten('abcd', 3)).toBe('abc…');
    expect(shorten('abc', 10, true)).toBe('abc…');
    expect(shorten('abc', 3, true)).toBe('abc…');
  });

  it('never ends inside a surrogate pair, for the first and the last high surrogates too', () => {
    for (const pair of ['😀', '\ud800\udc00', '\udbff\udfff']) {
      expect(shorten(`ab${pair}c`, 3)).toBe('ab…');
      expect(shorten(`ab${pair}c`, 4)).toBe(`ab${pair}…`);
      expect(shorten(`ab${pair}`, 3, true)).toBe('ab…');
      // A lone high half at the end of cut text (a pair cut between its escapes) goes too.
      expect(shorten(`ab${pair[0]}`, 10, true)).toBe('ab…');
    }
    // A low half or a character just past the high halves is an end like any other.
    expect(shorten('ab\udc00', 10, true)).toBe('ab\udc00…');
    expect(shorten('ab\udc00c', 3)).toBe('ab\udc00…');
    expect(shorten('ab\ue000c', 3)).toBe('ab\ue000…');
    expect(shorten('ab\ud7ffc', 3)).toBe('ab\ud7ff…');
  });
});
