import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NotAnExportDocumentError } from '../../../lambda/changes/export-entry-reader.ts';
import { TouchedObjectExtractor } from '../../../lambda/changes/touched-object-extractor.ts';
import type { ObjectRef } from '../../../lambda/domain/summary.ts';
import { InvalidJsonError } from '../../../lambda/results/json-stream-walker.ts';
import {
  type Entry,
  entryOf,
  exportDocument,
  feed,
  others,
  RULE_ID,
  RULE_SCRIPT,
  rule,
  SOURCE_ID,
  source,
  TRANSFORM_ID,
  transform,
} from './isc-objects.ts';

function extract(touched: readonly ObjectRef[], text: string | Buffer, cuts: readonly number[] = []) {
  const extractor = new TouchedObjectExtractor(touched);
  feed(extractor, text, cuts);
  return extractor.finish();
}

const TRANSFORM_REF = { type: 'TRANSFORM', id: TRANSFORM_ID, name: 'Department Lowercase' };
const RULE_REF = { type: 'RULE', id: RULE_ID, name: 'Build Department' };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('TouchedObjectExtractor', () => {
  const entries = [
    ...others(20),
    entryOf('TRANSFORM', transform('department')),
    ...others(5, 'SOURCE'),
    entryOf('RULE', rule()),
    ...others(3),
  ];

  it('reads the touched objects, exactly as the document holds them, and nothing else', () => {
    const found = extract([TRANSFORM_REF, RULE_REF], exportDocument(entries));
    expect(found).toEqual([
      { ref: TRANSFORM_REF, matchedBy: 'id', self: entries[20]!.self, object: transform('department') },
      { ref: RULE_REF, matchedBy: 'id', self: entries[26]!.self, object: rule() },
    ]);
    // A rule's script is far longer than what the walker keeps of captured values by default.
    expect((found[1]!.object as { sourceCode: { script: string } }).sourceCode.script).toBe(RULE_SCRIPT);
  });

  it('reads an entry whose object comes before its self, and drops the ones not wanted', () => {
    const found = extract([RULE_REF], exportDocument(entries, { objectFirst: true }));
    expect(found).toEqual([{ ref: RULE_REF, matchedBy: 'id', self: entries[26]!.self, object: rule() }]);
  });

  it('matches by name when the results give no id, and fills nothing it cannot find', () => {
    const found = extract(
      [
        { type: 'SOURCE', id: '', name: 'Active Directory EMEA' },
        { type: 'SOURCE', id: '', name: 'Nowhere' },
      ],
      exportDocument([...others(3), entryOf('SOURCE', source())]),
    );
    expect(found).toEqual([
      {
        ref: { type: 'SOURCE', id: '', name: 'Active Directory EMEA' },
        matchedBy: 'name',
        self: { type: 'SOURCE', id: SOURCE_ID, name: 'Active Directory EMEA' },
        object: source(),
      },
    ]);
  });

  it('falls back to the name when the id is not the tenant’s, but prefers an id found later', () => {
    const foreign = { type: 'TRANSFORM', id: 'ffffffffffffffffffffffffffffffff', name: 'Department Lowercase' };
    expect(extract([foreign], exportDocument(entries))).toMatchObject([{ matchedBy: 'name', object: transform('department') }]);
    const sameName = entryOf('TRANSFORM', { ...transform('title'), id: 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee' });
    expect(extract([TRANSFORM_REF], exportDocument([sameName, ...entries]))).toMatchObject([
      { matchedBy: 'id', object: transform('department') },
    ]);
  });

  it('matches ids whatever their case, and types exactly', () => {
    const upper = { ...TRANSFORM_REF, id: TRANSFORM_ID.toUpperCase() };
    expect(extract([upper], exportDocument(entries))).toMatchObject([{ ref: upper, matchedBy: 'id', object: transform('department') }]);
    expect(extract([{ ...TRANSFORM_REF, type: 'transform' }], exportDocument(entries))).toEqual([]);
  });

  it('keeps the first entry when an object appears twice', () => {
    const twice = [entryOf('TRANSFORM', transform('first')), entryOf('TRANSFORM', transform('second'))];
    expect(extract([TRANSFORM_REF], exportDocument(twice))).toMatchObject([{ object: transform('first') }]);
  });

  it('captures large touched objects whole', () => {
    const big = {
      ...source(),
      connectorAttributes: { groups: Array.from({ length: 3000 }, (_, i) => `CN=Group ${i},OU=Groups,DC=emea,DC=acme,DC=local`) },
    };
    const found = extract([{ type: 'SOURCE', id: SOURCE_ID, name: '' }], exportDocument([entryOf('SOURCE', big)]));
    expect(JSON.stringify(big).length).toBeGreaterThan(100_000);
    expect(found[0]!.object).toEqual(big);
  });

  it('never parses the objects it does not want', () => {
    const huge = entryOf('SOURCE', { ...source(), id: 'dddddddddddddddddddddddddddddddd', blob: 'x'.repeat(2_000_000) });
    const text = exportDocument([huge, entryOf('RULE', rule())]);
    const parse = vi.spyOn(JSON, 'parse');
    expect(extract([RULE_REF], text, [100_000, 1_000_000])).toHaveLength(1);
    const longest = Math.max(...parse.mock.calls.map(([input]) => String(input).length));
    expect(longest).toBeLessThan(100_000);
  });

  it('refuses a document that is not a complete export', () => {
    const text = exportDocument(entries);
    expect(() => extract([RULE_REF], text.slice(0, -10))).toThrow(InvalidJsonError);
    expect(() => extract([RULE_REF], '{"version":1}')).toThrow(NotAnExportDocumentError);
    expect(() => extract([RULE_REF], '{"version":1,"objects":{"a":1}}')).toThrow(NotAnExportDocumentError);
    expect(() => extract([RULE_REF], '[{"objects":[]}]')).toThrow(NotAnExportDocumentError);
    expect(extract([RULE_REF], '{"objects":[]}')).toEqual([]);
  });

  it('ignores entries that are not objects or have no self', () => {
    const text = JSON.stringify({
      objects: [
        1,
        'x',
        null,
        [],
        { object: rule() },
        { self: 'RULE', object: rule() },
        { self: { type: 'RULE', id: RULE_ID }, object: rule() },
      ],
    });
    expect(extract([RULE_REF], text)).toEqual([
      { ref: RULE_REF, matchedBy: 'id', self: { type: 'RULE', id: RULE_ID, name: '' }, object: rule() },
    ]);
  });
});

// A small world of objects so touched refs and entries collide often.
const TYPES = ['RULE', 'SOURCE', 'TRANSFORM'] as const;
// Some need escaping (or may be escaped by some writer); one reads as a number.
const IDS = ['', 'a1', 'A1', 'b2', 'c3', '1234'];
const NAMES = ['', 'One', 'Two', 'Three', 'Zoë Ops', 'HR/Payroll', 'Say "hi"', '<A & B>', 'ü/é'];
const refArb = fc.record({ type: fc.constantFrom(...TYPES), id: fc.constantFrom(...IDS), name: fc.constantFrom(...NAMES) });
const entryArb = fc.record({
  self: refArb,
  object: fc.jsonValue({ maxDepth: 3 }),
  objectFirst: fc.boolean(),
  extra: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
});

/** What the extractor should find, read from the whole document parsed at once. */
function expected(touched: readonly ObjectRef[], entries: readonly Entry[]) {
  const keyOf = (ref: ObjectRef) => (ref.id ? `id:${ref.type}:${ref.id.toLowerCase()}` : `name:${ref.type}:${ref.name}`);
  const seen = new Set<string>();
  const found = [];
  for (const ref of touched) {
    if (seen.has(keyOf(ref)) || (!ref.id && !ref.name)) continue;
    seen.add(keyOf(ref));
    const byId = ref.id
      ? entries.find((e) => e.self.type === ref.type && e.self.id !== '' && e.self.id.toLowerCase() === ref.id.toLowerCase())
      : undefined;
    const byName = ref.name ? entries.find((e) => e.self.type === ref.type && e.self.name === ref.name) : undefined;
    const entry = byId ?? byName;
    if (entry) found.push({ ref, matchedBy: byId ? 'id' : 'name', self: entry.self, object: entry.object });
  }
  return found;
}

describe('TouchedObjectExtractor, fed any document in any chunks', () => {
  it('finds exactly the touched entries JSON.parse would find', () => {
    fc.assert(
      fc.property(
        fc.array(refArb, { maxLength: 6 }),
        fc.array(entryArb, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (touched, generated, cuts) => {
          const doc = {
            version: 1,
            options: { includeTypes: ['RULE'] },
            objects: generated.map((g) =>
              g.objectFirst
                ? { version: 1, object: g.object, self: g.self, extra: g.extra }
                : { extra: g.extra, self: g.self, version: 1, object: g.object },
            ),
            tenant: 'acme',
          };
          const written = JSON.stringify(doc, null, cuts.length % 2);
          // Half the time as a writer that escapes all it may: non-ASCII, `/`, and HTML's characters.
          const text = Buffer.from(cuts.length % 3 === 0 ? escapeAll(written) : written);
          const parsed = JSON.parse(text.toString()) as { objects: Entry[] };
          const found = extract(
            touched,
            text,
            cuts.map((c) => c % (text.length + 1)),
          );
          expect(found).toEqual(expected(touched, parsed.objects));
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** JSON text as the most escaping writer would put it (still the same JSON: these occur only in strings). */
function escapeAll(json: string): string {
  const hex = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  return json.replace(/[\u007f-\uffff<>&='/]/g, (c) => (c === '/' ? '\\/' : hex(c)));
}
