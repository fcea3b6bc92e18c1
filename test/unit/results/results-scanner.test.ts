import { describe, expect, it } from 'vitest';
import { ResultsScanner, SAMPLE_LIMIT } from '../../../lambda/results/results-scanner.ts';
import { InvalidJsonError } from '../../../lambda/results/json-stream-walker.ts';
import { completeResults, importResultsDocument } from '../../../local/import-results.ts';

function scan(document: string, chunkSize = 7) {
  const scanner = new ResultsScanner();
  const bytes = Buffer.from(document);
  for (let i = 0; i < bytes.length; i += chunkSize) scanner.write(bytes.subarray(i, i + chunkSize));
  return scanner.finish();
}

describe('ResultsScanner', () => {
  it('counts messages and imported objects per object type, across any chunking', () => {
    for (const size of [1, 3, 64, 100_000]) {
      const digest = scan(completeResults('be9e116d-08e1-49fc-ab7f-fa585e96c9e4'), size);
      expect(digest.exportJobId).toBe('be9e116d-08e1-49fc-ab7f-fa585e96c9e4');
      expect(digest.summary.byType.TRIGGER_SUBSCRIPTION).toEqual({ infos: 2, warnings: 0, errors: 0, importedObjects: 2 });
      expect(digest.summary.totals).toEqual({ infos: 5, warnings: 1, errors: 0, importedObjects: 5 });
    }
  });

  it('reads the doubly nested results of the spec example, and `details` as well as `detail`', () => {
    const doc = importResultsDocument({ TRANSFORM: { errors: [{ key: 'K', text: 'bad', detail: { line: 3 } }] } }, { nestTwice: true, detailField: 'details' });
    const digest = scan(doc);
    expect(digest.summary.byType).toEqual({ TRANSFORM: { infos: 0, warnings: 0, errors: 1, importedObjects: 0 } });
    expect(digest.samples.errors).toEqual([{ type: 'TRANSFORM', key: 'K', text: 'bad', detail: { line: 3 } }]);
  });

  it('keeps unknown object types and tolerates odd messages', () => {
    const doc = '{"results":{"NEW_TYPE_2027":{"infos":["plain text",42,null],"warnings":[{"text":{"nested":true}}],"future":[1]}},"exportJobId":null}';
    const digest = scan(doc);
    expect(digest.summary.byType.NEW_TYPE_2027).toEqual({ infos: 3, warnings: 1, errors: 0, importedObjects: 0 });
    expect(digest.exportJobId).toBeNull();
    expect(digest.samples.infos[0]).toMatchObject({ text: 'plain text' });
  });

  it('counts everything but keeps only a bounded sample of each list', () => {
    const errors = Array.from({ length: SAMPLE_LIMIT + 50 }, (_, i) => ({ key: null, text: `error ${i} ${'x'.repeat(5_000)}` }));
    const digest = scan(importResultsDocument({ RULE: { errors } }), 65_536);
    expect(digest.summary.totals.errors).toBe(SAMPLE_LIMIT + 50);
    expect(digest.samples.errors).toHaveLength(SAMPLE_LIMIT);
    expect(digest.samples.errors[0]!.text.length).toBeLessThanOrEqual(2_001);
  });

  it.each([
    ['truncated', '{"results":{"SOURCE":{"infos":['],
    ['not JSON', '<html>502 Bad Gateway</html>'],
    ['trailing garbage', '{"results":{}} {"x":1}'],
    ['empty', ''],
  ])('fails on a %s document', (_what, doc) => {
    expect(() => scan(doc)).toThrow(InvalidJsonError);
  });
});
