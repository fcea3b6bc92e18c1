import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CATEGORIES,
  type Counts,
  DETAIL_TEXT_LIMIT,
  emptyCounts,
  type ObjectRef,
  SAMPLE_LIMIT,
  TEXT_LIMIT,
} from '../../../lambda/domain/summary.ts';
import { NotImportResultsError } from '../../../lambda/results/json-stream-walker.ts';
import { type ResultsDigest, ResultsScanner } from '../../../lambda/results/results-scanner.ts';
import { chunked, nest, splits, valueText } from './json-arbitraries.ts';
import { type JsonTree, Members, Raw, render } from './json-render.ts';

// The scanner against what JSON.parse reads from the same bytes, on generated results: odd type
// names, messages of every shape, details deep and long, the seed's doubly nested form.

const text = fc.string({ unit: 'binary', maxLength: 12 });
const longText = fc.oneof({ weight: 9, arbitrary: text }, { weight: 1, arbitrary: fc.string({ minLength: 2_001, maxLength: 5_000 }) });
const scalar = fc.oneof(text, fc.integer(), fc.constant(null), fc.boolean());
const anyValue: fc.Arbitrary<JsonTree> = fc.oneof(
  scalar,
  valueText.map((t) => new Raw(t)),
);
const deepValue = fc
  .tuple(fc.integer({ min: 1_000, max: 20_000 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 2 }))
  .map(([n, p]) => new Raw(nest(n, p, '"x"')));

/** Members with distinct keys, in a random order. */
function members(fields: Record<string, fc.Arbitrary<JsonTree>>, extra = fc.constant<[string, JsonTree][]>([])): fc.Arbitrary<Members> {
  const present = Object.entries(fields).map(([k, arb]) =>
    fc.option(
      arb.map((v) => [k, v] as [string, JsonTree]),
      { nil: undefined },
    ),
  );
  return fc
    .tuple(fc.tuple(...present), extra)
    .chain(([chosen, more]) =>
      fc.shuffledSubarray([...chosen.filter((m) => m !== undefined), ...more], {
        minLength: chosen.filter((m) => m !== undefined).length + more.length,
      }),
    )
    .map((e) => new Members(e));
}

const message: fc.Arbitrary<JsonTree> = fc.oneof(
  {
    weight: 6,
    arbitrary: members(
      {
        key: fc.oneof(text, fc.constant(null), fc.integer()),
        text: fc.oneof(longText, fc.constant(null), fc.integer()),
        detail: fc.oneof(anyValue, longText, deepValue),
        details: anyValue,
      },
      fc.array(fc.tuple(text, anyValue), { maxLength: 1 }),
    ),
  },
  { weight: 1, arbitrary: fc.oneof(text, fc.integer(), fc.constant(null), fc.constant([])) },
);
const objectName = fc.oneof(
  { weight: 5, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.constant(new Members([]))) },
);
const imported: fc.Arbitrary<JsonTree> = fc.oneof(
  { weight: 8, arbitrary: members({ type: fc.constantFrom('SOURCE', 'RULE', '', '__proto__'), id: objectName, name: objectName }) },
  { weight: 1, arbitrary: fc.oneof(text, fc.constant(null), fc.constant([1])) },
);
/** A short list of any entries, or (rarely) one just around SAMPLE_LIMIT of simple entries. */
const list = (entry: fc.Arbitrary<JsonTree>, simple: fc.Arbitrary<(i: number) => JsonTree>) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.array(entry, { maxLength: 4 }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: SAMPLE_LIMIT - 2, max: SAMPLE_LIMIT + 2 }), simple)
        .map(([n, e]) => Array.from({ length: n }, (_, i) => e(i))),
    },
  );
const simpleMessage = text.map(
  (t) => (i: number) =>
    new Members([
      ['key', null],
      ['text', `${t}${i}`],
      ['detail', null],
    ]),
);
const simpleObject = fc.integer({ min: 1, max: 400 }).map(
  (m) => (i: number) =>
    new Members([
      ['type', 'ROLE'],
      ['id', `r${i % m}`],
      ['name', 'n'],
    ]),
);
const typeResults: fc.Arbitrary<JsonTree> = fc.oneof(
  {
    weight: 8,
    arbitrary: members(
      {
        infos: list(message, simpleMessage),
        warnings: list(message, simpleMessage),
        errors: list(message, simpleMessage),
        importedObjects: list(imported, simpleObject),
      },
      fc.array(fc.tuple(fc.constantFrom('future', 'errors2'), anyValue), { maxLength: 1 }),
    ),
  },
  { weight: 1, arbitrary: fc.oneof(scalar, fc.constant([])) },
);
const typeName = fc
  .oneof(
    fc.constantFrom('SOURCE', 'RULE', 'TRANSFORM', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'results', 'errors', ''),
    fc.string({ maxLength: 5 }),
  )
  .filter((k) => !/^(0|[1-9]\d*)$/.test(k));
const byType = fc.uniqueArray(fc.tuple(typeName, typeResults), { selector: ([k]) => k, maxLength: 5 }).map((e) => new Members(e));
const resultsDocument: fc.Arbitrary<JsonTree> = fc
  .tuple(
    byType,
    fc.boolean(),
    fc.option(
      fc.oneof(
        fc.uuid(),
        fc.constant(''),
        fc.integer().map((n) => n as JsonTree),
      ),
      { nil: undefined },
    ),
  )
  .map(([types, twice, exportJobId]) => {
    const entries: [string, JsonTree][] = [['results', twice ? new Members([['results', types]]) : types]];
    if (exportJobId !== undefined) entries.push(['exportJobId', exportJobId]);
    return new Members(entries);
  });

/** What the digest must say, computed from JSON.parse's reading of the same bytes. */
function expected(doc: Record<string, unknown>) {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const byType: Record<string, Counts> = Object.create(null);
  const samples: Record<string, unknown[]> = { infos: [], warnings: [], errors: [], importedObjects: [] };
  const touched: ObjectRef[] = [];
  const seen = new Set<string>();
  const nameOf = (v: unknown) => (typeof v === 'string' ? shorten(v, 1_000) : typeof v === 'number' ? String(v) : '');
  const list = (type: string, category: string, entries: unknown) => {
    if (!Array.isArray(entries)) return;
    (byType[type] ??= emptyCounts())[category as keyof Counts] += entries.length;
    for (const e of entries) {
      if (category === 'importedObjects') {
        const ref = isObject(e) ? { type: nameOf(e.type) || type, id: nameOf(e.id), name: nameOf(e.name) } : { type, id: '', name: '' };
        if (samples.importedObjects!.length < SAMPLE_LIMIT) samples.importedObjects!.push(ref);
        const identity = ref.id ? `${ref.type}\0i${ref.id}` : `${ref.type}\0n${ref.name}`;
        if (isObject(e) && (ref.id || ref.name) && !seen.has(identity)) seen.add(identity), touched.push(ref);
      } else if (samples[category]!.length < SAMPLE_LIMIT)
        samples[category]!.push(isObject(e) ? e : { text: typeof e === 'string' ? e : null, plain: true });
    }
  };
  const types = (results: Record<string, unknown>, wrapped: boolean) => {
    for (const [type, value] of Object.entries(results)) {
      if (!wrapped && type === 'results' && isObject(value)) {
        for (const [k, v] of Object.entries(value))
          (CATEGORIES as readonly string[]).includes(k) ? list('results', k, v) : types({ [k]: v }, true);
        continue;
      }
      byType[type] ??= emptyCounts();
      if (isObject(value)) for (const category of CATEGORIES) list(type, category, value[category]);
    }
  };
  types(doc.results as Record<string, unknown>, false);
  return { byType, samples, touched, exportJobId: typeof doc.exportJobId === 'string' && doc.exportJobId !== '' ? doc.exportJobId : null };
}

function shorten(s: string, limit: number): string {
  if (s.length <= limit) return s;
  const end = /[\ud800-\udbff]/.test(s[limit - 1]!) ? limit - 1 : limit;
  return `${s.slice(0, end)}…`;
}

/** A message sample agrees with the message JSON.parse read. */
function checkMessage(sample: ResultsDigest['samples']['errors'][number], message: Record<string, unknown>): void {
  if (message.plain) {
    expect(sample).toMatchObject({
      key: null,
      text: typeof message.text === 'string' ? shorten(message.text, TEXT_LIMIT) : '',
      detailText: null,
    });
    return;
  }
  expect(sample.key).toBe(typeof message.key === 'string' ? shorten(message.key, 1_000) : null);
  if (typeof message.text === 'string') expect(sample.text).toBe(shorten(message.text, TEXT_LIMIT));
  else if (typeof message.text === 'number') expect(JSON.parse(sample.text)).toBe(message.text);
  else expect(sample.text).toBe('');
  const detail = message.detail ?? message.details ?? null;
  if (detail === null) expect(sample.detailText).toBeNull();
  else if (typeof detail === 'string') {
    expect(sample.detailText).toBe(shorten(detail, DETAIL_TEXT_LIMIT));
    expect(sample.detailTruncated).toBe(detail.length > DETAIL_TEXT_LIMIT);
  } else if (sample.detailTruncated) expect(sample.detailText!.length).toBeLessThanOrEqual(DETAIL_TEXT_LIMIT + 1);
  else expect(JSON.parse(sample.detailText!)).toEqual(detail);
}

function scan(chunks: Buffer[]): ResultsDigest {
  const scanner = new ResultsScanner();
  for (const chunk of chunks) scanner.write(chunk);
  return scanner.finish();
}

const sorted = (o: Record<string, Counts>) => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

describe('ResultsScanner properties', () => {
  it('counts, samples and lists touched objects as JSON.parse reads them, however the bytes are cut', () => {
    fc.assert(
      fc.property(resultsDocument, fc.nat(), splits, (tree, seed, split) => {
        const bytes = Buffer.from(render(tree, seed));
        const want = expected(JSON.parse(bytes.toString('utf8')));
        const digest = scan(chunked(bytes, split));
        expect(sorted(digest.summary.byType)).toEqual(sorted(want.byType));
        const totals = emptyCounts();
        for (const c of Object.values(want.byType)) for (const k of CATEGORIES) totals[k] += c[k];
        expect(digest.summary.totals).toEqual(totals);
        expect(digest.touched).toEqual(want.touched);
        expect(digest.touchedCapped).toBe(false);
        expect(digest.exportJobId).toBe(want.exportJobId);
        expect(digest.samples.importedObjects).toEqual(want.samples.importedObjects);
        for (const category of ['infos', 'warnings', 'errors'] as const) {
          expect(digest.samples[category]).toHaveLength(want.samples[category]!.length);
          for (const [i, sample] of digest.samples[category].entries())
            checkMessage(sample, want.samples[category]![i] as Record<string, unknown>);
        }
        expect({}.constructor).toBe(Object);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses any other JSON as not import results, and never anything valid as invalid', () => {
    fc.assert(
      fc.property(valueText, splits, (text, split) => {
        const parsed = JSON.parse(text) as unknown;
        const isResults =
          typeof parsed === 'object' &&
          parsed !== null &&
          !Array.isArray(parsed) &&
          typeof (parsed as { results?: unknown }).results === 'object' &&
          (parsed as { results?: unknown }).results !== null &&
          !Array.isArray((parsed as { results: unknown }).results);
        const run = () => scan(chunked(Buffer.from(text), split));
        if (isResults) run();
        else expect(run).toThrow(NotImportResultsError);
      }),
      { numRuns: 200 },
    );
  });
});
