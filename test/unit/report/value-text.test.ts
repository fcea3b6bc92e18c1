import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clipText, SHOWN_DEPTH } from '../../../lambda/report/bounded-text.ts';
import { detailText, jsonText } from '../../../lambda/report/json-text.ts';
import { valueText } from '../../../lambda/report/value-text.ts';
import { deepText, deepValue } from './report-fixtures.ts';

// Values as deep as the indentation goes (16): within it, the output is exactly JSON.stringify's.
const shallowJson = fc.jsonValue({ maxDepth: 8 });

describe('valueText', () => {
  it('writes shallow JSON values exactly as JSON.stringify(value, null, 2) does', () => {
    fc.assert(
      fc.property(shallowJson, (value) => {
        expect(valueText(value, 1_000_000)).toEqual({ text: JSON.stringify(value, null, 2), shortened: false });
      }),
      { numRuns: 300 },
    );
  });

  it('never throws and never writes more than its limit, whatever the value', () => {
    fc.assert(
      fc.property(
        fc.anything({ maxDepth: 6, withBigInt: true, withMap: true, withSet: true, withTypedArray: true }),
        fc.integer({ min: 0, max: 300 }),
        (value, limit) => {
          expect(valueText(value, limit).text.length).toBeLessThanOrEqual(limit);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('shows a value nested 100 000 deep without recursion, as its first levels and a marker', () => {
    const shown = valueText(deepValue(100_000), 4_000);
    expect(shown.shortened).toBe(true);
    expect(shown.text.length).toBeLessThanOrEqual(4_000);
    expect(shown.text).toMatch(/[[{]…[\]}]/);
    expect(shown.text.split('\n').every((line) => line.length < 80)).toBe(true);
  });

  it('collapses what lies deeper than SHOWN_DEPTH, even when it is small', () => {
    const shown = valueText(deepValue(SHOWN_DEPTH + 5), 1_000_000);
    expect(shown.shortened).toBe(true);
    expect(shown.text).toContain('…');
    // Just within: JSON.stringify's text, but the indentation stops growing at 16 levels (32 spaces).
    expect(valueText(deepValue(SHOWN_DEPTH - 1), 1_000_000)).toEqual({
      text: JSON.stringify(deepValue(SHOWN_DEPTH - 1), null, 2).replace(/\n {34,}/g, `\n${' '.repeat(32)}`),
      shortened: false,
    });
  });

  it('ends after its limit on a cycle instead of looping', () => {
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = cycle;
    const shown = valueText(cycle, 2_000);
    expect(shown.shortened).toBe(true);
    expect(shown.text.length).toBeLessThanOrEqual(2_000);
  });

  it('reads only what it shows of a huge string, and never cuts a surrogate pair in half', () => {
    const shown = valueText({ text: `${'a'.repeat(9)}😀${'b'.repeat(50_000_000)}` }, 23);
    expect(shown.shortened).toBe(true);
    expect(shown.text).toBe('{\n  "text": "aaaaaaaaa');
    expect(valueText('😀😀', 2).text).toBe('"');
    expect(clipText('a😀', 2)).toEqual({ text: 'a', shortened: true });
  });
});

describe('jsonText (a detail the scanner kept as JSON text)', () => {
  it('indents compact JSON text exactly as valueText indents its value', () => {
    fc.assert(
      fc.property(shallowJson, (value) => {
        expect(jsonText(JSON.stringify(value), 1_000_000)).toEqual({ text: JSON.stringify(value, null, 2), shortened: false });
      }),
      { numRuns: 300 },
    );
  });

  it('shows text cut short, or not JSON at all, without failing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 0, max: 500 }), (text, limit) => {
        expect(jsonText(text, limit).text.length).toBeLessThanOrEqual(limit);
      }),
      { numRuns: 300 },
    );
    expect(jsonText('{"a":[1,2', 100).text).toBe('{\n  "a": [\n    1,\n    2');
  });

  it('collapses deep text and stops reading long before the end of a huge one', () => {
    const shown = jsonText(deepText(2_000), 4_000);
    expect(shown.shortened).toBe(true);
    expect(shown.text).toMatch(/\[…\]|{…}/);
    const huge = jsonText(`[${'1,'.repeat(10_000_000)}1]`, 1_000);
    expect(huge).toMatchObject({ shortened: true });
    expect(huge.text.length).toBeLessThanOrEqual(1_000);
  });
});

describe('detailText', () => {
  it('indents JSON text, keeps other text as it is, and writes values as JSON', () => {
    expect(detailText('{"name":"Workday HR"}', 100).text).toBe('{\n  "name": "Workday HR"\n}');
    expect(detailText('  [1]', 100).text).toBe('[\n  1\n]');
    expect(detailText('Object not found', 100)).toEqual({ text: 'Object not found', shortened: false });
    expect(detailText({ name: 'Workday HR' }, 100).text).toBe('{\n  "name": "Workday HR"\n}');
    expect(detailText(42, 100).text).toBe('42');
  });
});
