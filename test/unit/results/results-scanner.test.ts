import { describe, expect, it } from 'vitest';
import { DETAIL_TEXT_LIMIT, TEXT_LIMIT } from '../../../lambda/domain/summary.ts';
import { InvalidJsonError, NotImportResultsError } from '../../../lambda/results/json-stream-walker.ts';
import { OTHER_TYPES, ResultsScanner, SAMPLE_LIMIT, TOUCHED_LIMIT, TYPE_LIMITS } from '../../../lambda/results/results-scanner.ts';
import { completeResults, importResultsDocument } from '../../../local/import-results.ts';

function scan(document: string, chunkSize = 7) {
  const scanner = new ResultsScanner();
  const bytes = Buffer.from(document);
  for (let i = 0; i < bytes.length; i += chunkSize) scanner.write(bytes.subarray(i, i + chunkSize));
  return scanner.finish();
}

const counts = (infos: number, warnings: number, errors: number, importedObjects: number) => ({ infos, warnings, errors, importedObjects });

describe('ResultsScanner', () => {
  it('counts messages and imported objects per object type, across any chunking', () => {
    for (const size of [1, 3, 64, 100_000]) {
      const digest = scan(completeResults('be9e116d-08e1-49fc-ab7f-fa585e96c9e4'), size);
      expect(digest.exportJobId).toBe('be9e116d-08e1-49fc-ab7f-fa585e96c9e4');
      expect(digest.summary.byType.TRIGGER_SUBSCRIPTION).toEqual(counts(2, 0, 0, 2));
      expect(digest.summary.totals).toEqual(counts(5, 1, 0, 5));
    }
  });

  it('reads the doubly nested results of the seed example, and `details` as well as `detail`', () => {
    const doc = importResultsDocument(
      { TRANSFORM: { errors: [{ key: 'K', text: 'bad', detail: { line: 3 } }] } },
      { nestTwice: true, detailField: 'details' },
    );
    const digest = scan(doc);
    expect({ ...digest.summary.byType }).toEqual({ TRANSFORM: counts(0, 0, 1, 0) });
    expect(digest.samples.errors).toEqual([{ type: 'TRANSFORM', key: 'K', text: 'bad', detailText: '{"line":3}', detailTruncated: false }]);
  });

  it('keeps a detail as the text ISC sent: a string as it is, anything else as its JSON text', () => {
    const doc =
      '{"results":{"RULE":{"errors":[{"key":null,"text":"a","detail":"plain <b>text</b>"},{"text":"b","detail":{ "n" : [1, 2] }},{"text":"c","detail":null,"details":[true]},{"text":"d"}]}}}';
    expect(scan(doc).samples.errors.map((m) => [m.detailText, m.detailTruncated])).toEqual([
      ['plain <b>text</b>', false],
      ['{ "n" : [1, 2] }', false],
      ['[true]', false],
      [null, false],
    ]);
  });

  it('keeps unknown object types and tolerates odd messages', () => {
    const doc =
      '{"results":{"NEW_TYPE_2027":{"infos":["plain text",42,null],"warnings":[{"text":{"nested":true}}],"future":[1]}},"exportJobId":null}';
    const digest = scan(doc);
    expect(digest.summary.byType.NEW_TYPE_2027).toEqual(counts(3, 1, 0, 0));
    expect(digest.exportJobId).toBeNull();
    expect(digest.samples.infos.map((m) => m.text)).toEqual(['plain text', '', '']);
    expect(digest.samples.warnings[0]!.text).toBe('{"nested":true}');
  });

  it('counts everything but keeps only a bounded sample of each list, each message bounded', () => {
    const errors = Array.from({ length: SAMPLE_LIMIT + 50 }, (_, i) => ({
      key: null,
      text: `error ${i} ${'x'.repeat(5_000)}`,
      detail: 'd'.repeat(10_000),
    }));
    const digest = scan(importResultsDocument({ RULE: { errors } }), 65_536);
    expect(digest.summary.totals.errors).toBe(SAMPLE_LIMIT + 50);
    expect(digest.samples.errors).toHaveLength(SAMPLE_LIMIT);
    expect(digest.samples.errors[0]!.text).toHaveLength(TEXT_LIMIT + 1);
    expect(digest.samples.errors[0]!.detailText).toHaveLength(DETAIL_TEXT_LIMIT + 1);
    expect(digest.samples.errors[0]!.detailTruncated).toBe(true);
  });

  it('archives results whose error detail is 100,000 levels deep: counted, and the detail kept short', () => {
    const deep = `${'{"cause":['.repeat(50_000)}"root"${']}'.repeat(50_000)}`;
    const doc = `{"results":{"SOURCE":{"errors":[{"key":"K","text":"deep","detail":${deep}},{"key":null,"text":"next","detail":null}],"importedObjects":[{"type":"SOURCE","id":"1","name":"S"}]}}}`;
    for (const size of [1000, 65_536]) {
      const digest = scan(doc, size);
      expect(digest.summary.byType.SOURCE).toEqual(counts(0, 0, 2, 1));
      const [first, second] = digest.samples.errors;
      expect(first!.detailText).toBe(`${deep.slice(0, DETAIL_TEXT_LIMIT)}…`);
      expect(first!.detailTruncated).toBe(true);
      expect(second).toEqual({ type: 'SOURCE', key: null, text: 'next', detailText: null, detailTruncated: false });
    }
  });

  it('archives results whose error details are deep but small enough to capture whole', () => {
    for (const levels of [5_000, 30_000]) {
      const deep = `${'['.repeat(levels)}1${']'.repeat(levels)}`;
      const digest = scan(`{"results":{"RULE":{"errors":[{"text":"deep","detail":${deep}},{"text":"next"}]}}}`, 4096);
      expect(digest.summary.byType.RULE).toEqual(counts(0, 0, 2, 0));
      expect(digest.samples.errors[0]!.detailText).toBe(`${deep.slice(0, DETAIL_TEXT_LIMIT)}…`);
    }
  });

  it('counts object types named like Object.prototype members, and writes nothing onto it', () => {
    const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];
    const doc = `{"results":{${names.map((t, i) => `"${t}":{"errors":[${Array.from({ length: i + 1 }, () => '{"text":"e"}').join(',')}],"importedObjects":[{"type":"${t}","id":"${i}","name":"n"}]}`).join(',')}}}`;
    const digest = scan(doc, 5);
    names.forEach((name, i) => {
      expect(Object.hasOwn(digest.summary.byType, name)).toBe(true);
      expect(digest.summary.byType[name]).toEqual(counts(0, 0, i + 1, 1));
    });
    expect(Object.keys(digest.summary.byType)).toEqual(names);
    expect(digest.summary.totals).toEqual(counts(0, 0, 21, 6));
    expect(digest.touched.map((o) => o.type)).toEqual(names);
    // Object.prototype is untouched: plain objects behave as before.
    expect({}.constructor).toBe(Object);
    expect(typeof {}.toString).toBe('function');
    expect(Object.hasOwn({}, 'x')).toBe(false);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it('lists every touched object once, past the samples, by type and id or else by type and name', () => {
    const objects = Array.from({ length: 1_000 }, (_, i) => ({ type: 'SOURCE', id: `id-${i % 700}`, name: `Source ${i}` }));
    const doc = importResultsDocument({
      SOURCE: { importedObjects: objects },
      RULE: {
        importedObjects: [
          { type: 'RULE', id: '', name: 'By name' },
          { type: 'RULE', id: '', name: 'By name' },
          { type: 'RULE', id: 'x', name: 'By name' },
        ],
      },
      TRANSFORM: { importedObjects: [{ id: 'no-type', name: 't' } as never, { type: 'TRANSFORM', id: 'no-type', name: 'again' }] },
    });
    const digest = scan(doc, 4096);
    expect(digest.summary.byType.SOURCE!.importedObjects).toBe(1_000);
    expect(digest.samples.importedObjects).toHaveLength(SAMPLE_LIMIT);
    expect(digest.touched.filter((o) => o.type === 'SOURCE')).toHaveLength(700);
    expect(digest.touched.slice(700)).toEqual([
      { type: 'RULE', id: '', name: 'By name' },
      { type: 'RULE', id: 'x', name: 'By name' },
      { type: 'TRANSFORM', id: 'no-type', name: 't' },
    ]);
    expect(digest.touchedCapped).toBe(false);
  });

  it(`caps the touched objects at ${TOUCHED_LIMIT} and says so`, () => {
    const entries = Array.from({ length: TOUCHED_LIMIT + 10 }, (_, i) => `{"type":"ROLE","id":"${i}","name":"r"}`).join(',');
    const digest = scan(`{"results":{"ROLE":{"importedObjects":[${entries}]}}}`, 65_536);
    expect(digest.summary.byType.ROLE!.importedObjects).toBe(TOUCHED_LIMIT + 10);
    expect(digest.touched).toHaveLength(TOUCHED_LIMIT);
    expect(digest.touchedCapped).toBe(true);
  });

  it.each([
    ['an empty object', '{}', 'it has no "results" object'],
    ['an array', '[]', 'it is a JSON array, not an object'],
    ['a string', '"results"', 'it is a JSON string, not an object'],
    ['results that are a number', '{"results":5}', 'its "results" is a JSON literal, not an object'],
    ['results that are a list', '{"results":[{"SOURCE":{}}],"exportJobId":"x"}', 'its "results" is a JSON array, not an object'],
    ['an export document', '{"version":1,"objects":[]}', 'it has no "results" object'],
  ])('refuses %s as import results', (_what, doc, reason) => {
    expect(() => scan(doc)).toThrow(NotImportResultsError);
    expect(() => scan(doc)).toThrow(`The document is not import results: ${reason}.`);
    expect(() => scan(doc)).toThrow(InvalidJsonError);
  });

  it('accepts results with no object types at all, plain or doubly nested', () => {
    expect(scan('{"results":{}}').summary.totals).toEqual(counts(0, 0, 0, 0));
    expect(scan('{"results":{"results":{}}}').summary.totals).toEqual(counts(0, 0, 0, 0));
  });

  it.each([
    ['truncated', '{"results":{"SOURCE":{"infos":['],
    ['not JSON', '<html>502 Bad Gateway</html>'],
    ['trailing garbage', '{"results":{}} {"x":1}'],
    ['empty', ''],
    ['a bad escape in a skipped message', `{"results":{"S":{"infos":[${'{"text":"ok"},'.repeat(SAMPLE_LIMIT)}{"text":"bad \\x"}]}}}`],
  ])('fails on a %s document as not JSON', (_what, doc) => {
    expect(() => scan(doc)).toThrow(InvalidJsonError);
    expect(() => scan(doc)).not.toThrow(NotImportResultsError);
  });
});

describe('ResultsScanner without the touched list (an archive without changes)', () => {
  it('keeps the samples and the counts, reads no touched object, and says the list is not whole', () => {
    const n = SAMPLE_LIMIT + 700;
    const importedObjects = Array.from({ length: n }, (_, i) => ({ type: 'SOURCE', id: `id-${i}`, name: `Source ${i}` }));
    const doc = importResultsDocument({ SOURCE: { importedObjects } });
    const full = new ResultsScanner();
    full.write(Buffer.from(doc));
    const lean = new ResultsScanner({ touchedLimit: 0 });
    lean.write(Buffer.from(doc));
    const [a, b] = [full.finish(), lean.finish()];
    expect(b.summary).toEqual(a.summary);
    expect(b.summary.totals.importedObjects).toBe(n);
    expect(b.samples).toEqual(a.samples);
    expect(a.touched).toHaveLength(n);
    expect(b.touched).toEqual([]);
    expect(b.touchedCapped).toBe(true);
  });
});

describe('the number and length of object types', () => {
  it('names at most TYPE_LIMITS.maxTypes types and counts the rest, and overlong names, under OTHER_TYPES: totals stay exact', () => {
    const results: Record<string, unknown> = {};
    for (let i = 0; i < TYPE_LIMITS.maxTypes + 5; i++)
      results[`TYPE_${i}`] = { infos: [{ key: 'K', text: 't' }], warnings: [], errors: [], importedObjects: [] };
    results['L'.repeat(TYPE_LIMITS.typeChars + 1)] = { infos: [], warnings: [], errors: [{ key: 'K', text: 't' }], importedObjects: [] };
    const { summary } = scan(JSON.stringify({ results }), 4096);
    expect(Object.keys(summary.byType)).toHaveLength(TYPE_LIMITS.maxTypes + 1);
    expect(summary.byType[`TYPE_${TYPE_LIMITS.maxTypes - 1}`]).toEqual(counts(1, 0, 0, 0));
    expect(summary.byType[OTHER_TYPES]).toEqual(counts(5, 0, 1, 0));
    expect(summary.totals).toEqual(counts(TYPE_LIMITS.maxTypes + 5, 0, 1, 0));
  });
});
