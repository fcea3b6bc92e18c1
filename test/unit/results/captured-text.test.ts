import { describe, expect, it } from 'vitest';
import { BoundedBytes } from '../../../lambda/results/bounded-bytes.ts';
import { isJsonNull, keyText, readableText } from '../../../lambda/results/captured-text.ts';
import { InvalidJsonError, NotExportDocumentError, NotImportResultsError } from '../../../lambda/results/invalid-json-error.ts';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('readableText: a captured value as people read it', () => {
  it('gives a value cut inside a multi-byte character without a replacement character, and the next one clean', () => {
    const value = bytes('{"note":"café crème"}');
    // Cut inside the two bytes of "è".
    const cut = value.subarray(0, value.indexOf(bytes('è')) + 1);
    expect(readableText(cut, false, 100)).toEqual({ text: '{"note":"café cr…', truncated: true });
    // Nothing of the cut character is left over for the next value.
    expect(readableText(bytes('{"n":"ü"}'), true, 100)).toEqual({ text: '{"n":"ü"}', truncated: false });
    expect(readableText(bytes('{"n":"ü"}').subarray(0, 7), false, 100).text).toBe('{"n":"…');
  });

  it('shortens only past the limit', () => {
    expect(readableText(bytes('"abcde"'), true, 5)).toEqual({ text: 'abcde', truncated: false });
    expect(readableText(bytes('"abcdef"'), true, 5)).toMatchObject({ truncated: true });
    expect(readableText(bytes('[1,2]'), true, 5)).toEqual({ text: '[1,2]', truncated: false });
  });

  it('knows the literal null from other values', () => {
    expect(isJsonNull(bytes('null'))).toBe(true);
    expect(isJsonNull(bytes('"null"'))).toBe(false);
    expect(isJsonNull(bytes('1234'))).toBe(false);
  });
});

describe('keyText: a message key', () => {
  it('is the string, shortened to the limit, and null for anything else', () => {
    expect(keyText(bytes('"IMPORT_PREVIEW"'), true, 100)).toBe('IMPORT_PREVIEW');
    expect(keyText(bytes('"IMPORT_PREVIEW"'), true, 6)).toBe('IMPORT…');
    expect(keyText(bytes('42'), true, 100)).toBeNull();
    expect(keyText(bytes('{"a":1}'), true, 100)).toBeNull();
  });
});

describe('BoundedBytes: a value spanning chunks', () => {
  it('keeps the first `limit` bytes across chunks, copied, and says whether any were dropped', () => {
    const kept = new BoundedBytes(5);
    const first = Buffer.from('abc');
    kept.add(first, 1, 3);
    first.fill(0x78); // the caller reuses its chunk
    expect(kept.finish(Buffer.from('def'), 0, 2).toString()).toBe('bcde');
    expect(kept.complete).toBe(true);

    const cut = new BoundedBytes(4);
    cut.add(Buffer.from('abc'), 0, 3);
    cut.add(Buffer.from('de'), 0, 2);
    expect(cut.finish(Buffer.from('fg'), 0, 2).toString()).toBe('abcd');
    expect(cut.complete).toBe(false);
  });
});

describe('the results layer’s errors', () => {
  it('are named for what ISC sent, all of the retried InvalidJsonError family', () => {
    for (const [error, name] of [
      [new NotImportResultsError('x'), 'NotImportResultsError'],
      [new NotExportDocumentError('x'), 'NotExportDocumentError'],
      [new InvalidJsonError('x'), 'InvalidJsonError'],
    ] as const) {
      expect(error.name).toBe(name);
      expect(error).toBeInstanceOf(InvalidJsonError);
    }
  });
});
