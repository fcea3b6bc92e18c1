import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ObjectRef } from '../../../lambda/domain/summary.ts';
import {
  type ExportCheckOptions,
  ExportDocumentCheck,
  type ExportDocumentDigest,
  type ExportEntry,
} from '../../../lambda/results/export-document-check.ts';
import { InvalidJsonError, NotExportDocumentError } from '../../../lambda/results/json-stream-walker.ts';
import { NeedleScan } from '../../../lambda/results/needle-scan.ts';
import { exportDocumentStream } from '../../../local/export-document.ts';
import { chunked, splits, valueText } from './json-arbitraries.ts';
import { type JsonTree, Members, Raw, render } from './json-render.ts';

function check(chunks: Buffer[], options?: ExportCheckOptions): ExportDocumentDigest {
  const c = new ExportDocumentCheck(options);
  for (const chunk of chunks) c.write(chunk);
  return c.finish();
}

async function generated(bytes: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of exportDocumentStream({ bytes, tenant: 'acme', exportJobId: 'e1' })) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** A hook that wants the entries `want` picks, recording what it is asked and given. */
function recorder(want: (self: ObjectRef | null, index: number) => boolean) {
  const asked: [ObjectRef | null, number][] = [];
  const given: ExportEntry[] = [];
  return {
    asked,
    given,
    entries: {
      wants: (self: ObjectRef | null, index: number) => (asked.push([self, index]), want(self, index)),
      onObject: (e: ExportEntry) => given.push(e),
    },
  };
}

describe('ExportDocumentCheck', () => {
  it('counts the entries of an export document, however it is cut', async () => {
    const doc = await generated(200_000);
    const objects = (JSON.parse(doc.toString()) as { objects: unknown[] }).objects.length;
    for (const size of [1, 7, 4096, 65_536]) expect(check(chunked(doc, size))).toEqual({ objects });
  });

  it.each([
    ['an HTML error page', '<html><body>502 Bad Gateway</body></html>', InvalidJsonError, 'Unexpected "<" at byte 0.'],
    ['an empty body', '', InvalidJsonError, 'The JSON document ended early, at byte 0.'],
    [
      'a body cut short',
      '{"version":1,"objects":[{"self":{"type":"RULE"},"object":{"name":"x"',
      InvalidJsonError,
      'The JSON document ended early, at byte 68.',
    ],
    ['an empty object', '{}', NotExportDocumentError, 'The document is not an export document: it has no "objects" array.'],
    ['an array', '[]', NotExportDocumentError, 'The document is not an export document: it is a JSON array, not an object.'],
    [
      'objects that are not a list',
      '{"objects":{"0":{}}}',
      NotExportDocumentError,
      'The document is not an export document: its "objects" is a JSON object, not an array.',
    ],
    [
      'import results',
      '{"results":{},"exportJobId":"x"}',
      NotExportDocumentError,
      'The document is not an export document: it has no "objects" array.',
    ],
  ])('refuses %s, saying what it is', (_what, doc, type, message) => {
    for (const options of [undefined, { entries: recorder(() => true).entries }]) {
      const run = () => check(chunked(Buffer.from(doc), 5), options);
      expect(run).toThrow(type);
      expect(run).toThrow(message);
      expect(run).toThrow(InvalidJsonError);
    }
  });

  it('refuses invalid JSON inside the objects it passes over', () => {
    const doc = '{"objects":[{"self":{"type":"RULE","id":"1","name":"r"},"object":{"script":"bad \\q escape"}}]}';
    expect(() => check([Buffer.from(doc)])).toThrow(InvalidJsonError);
    expect(() => check([Buffer.from(doc)], { entries: recorder(() => false).entries })).toThrow(InvalidJsonError);
  });

  it('asks about each entry by its self and hands over the exact bytes of the objects wanted', async () => {
    const doc = await generated(100_000);
    const parsed = (JSON.parse(doc.toString()) as { objects: { self: ObjectRef; object: unknown }[] }).objects;
    const text = doc.toString('latin1');
    for (const size of [3, 1000, 65_536]) {
      const hook = recorder((self) => self?.type === 'RULE');
      expect(check(chunked(doc, size), { entries: hook.entries })).toEqual({ objects: parsed.length });
      expect(hook.asked).toEqual(parsed.map((e, i) => [e.self, i]));
      const rules = parsed.flatMap((e, index) => (e.self.type === 'RULE' ? [{ index, e }] : []));
      expect(hook.given.map((g) => g.index)).toEqual(rules.map((r) => r.index));
      for (const [i, g] of hook.given.entries()) {
        expect(g.self).toEqual(rules[i]!.e.self);
        expect(g.complete).toBe(true);
        expect(JSON.parse(g.object.toString())).toEqual(rules[i]!.e.object);
        // Byte for byte what ISC sent: RULE signatures cover these bytes.
        expect(text.includes(`"object":${g.object.toString('latin1')}`)).toBe(true);
      }
    }
  });

  it('holds an object that comes before its self until it knows whether it is wanted', () => {
    const doc =
      '{"objects":[{"object":{"a":[1,"}"]},"version":1,"self":{"type":"SOURCE","id":"s1","name":"S"}},{"object":{"b":2},"self":{"type":"RULE","id":"r1","name":"R"}},{"object":{"c":3}},{"self":"odd","object":4},5]}';
    for (let split = 0; split <= doc.length; split += 3) {
      const hook = recorder((self) => self === null || self.type === 'SOURCE');
      expect(check(chunked(Buffer.from(doc), [split / doc.length]), { entries: hook.entries })).toEqual({ objects: 5 });
      expect(hook.asked).toEqual([
        [{ type: 'SOURCE', id: 's1', name: 'S' }, 0],
        [{ type: 'RULE', id: 'r1', name: 'R' }, 1],
        [null, 2],
        [null, 3],
      ]);
      expect(hook.given.map((g) => [g.index, g.self, g.object.toString(), g.complete])).toEqual([
        [0, { type: 'SOURCE', id: 's1', name: 'S' }, '{"a":[1,"}"]}', true],
        [2, null, '{"c":3}', true],
        [3, null, '4', true],
      ]);
    }
  });

  it('cuts a wanted object at maxObjectBytes and says so', () => {
    const doc = `{"objects":[{"self":{"type":"RULE","id":"1","name":"big"},"object":{"script":"${'x'.repeat(5_000)}"}}]}`;
    const hook = recorder(() => true);
    check(chunked(Buffer.from(doc), 100), { entries: hook.entries, maxObjectBytes: 1_000 });
    expect(hook.given).toHaveLength(1);
    expect(hook.given[0]!.object).toHaveLength(1_000);
    expect(hook.given[0]!.complete).toBe(false);
  });
});

describe('ExportDocumentCheck with a prefilter', () => {
  const needles = () => new NeedleScan(['"s1"', '"R"']);

  it('asks only about the entries a needle occurs in, and still counts them all, however it is cut', () => {
    const doc =
      '{"objects":[{"self":{"type":"X","id":"x0"},"object":{"v":"s1"}},{"object":{"a":[1,"}"]},"self":{"type":"SOURCE","id":"s1","name":"S"}},' +
      '{"self":{"type":"X","id":"x2"},"object":{}},{"object":{"b":2},"self":{"type":"RULE","id":"r1","name":"R"}},[],{"self":{"type":"X","id":"x5"}}]}';
    for (let split = 0; split <= doc.length; split += 2) {
      const hook = recorder((self) => self?.type === 'SOURCE' || self?.type === 'RULE');
      const digest = check(chunked(Buffer.from(doc), [split / doc.length]), { entries: hook.entries, prefilter: needles() });
      expect(digest).toEqual({ objects: 6 });
      // Entry 0 holds "s1" in its object (a false positive: asked, not wanted); 2 and 5 hold no needle.
      expect(hook.asked.map(([, index]) => index)).toEqual([0, 1, 3]);
      expect(hook.given.map((g) => [g.index, g.object.toString(), g.complete])).toEqual([
        [1, '{"a":[1,"}"]}', true],
        [3, '{"b":2}', true],
      ]);
    }
  });

  it('still checks the grammar of the entries it does not read', () => {
    const bad = '{"objects":[{"self":{"type":"X","id":"x0"},"object":{"v":tru}},{"self":{"type":"RULE","id":"r1","name":"R"}}]}';
    expect(() => check([Buffer.from(bad)], { entries: recorder(() => true).entries, prefilter: needles() })).toThrow(InvalidJsonError);
    const cut = '{"objects":[{"self":{"type":"RULE","id":"r1","name":"R"},"object":{"v":1}}';
    expect(() => check([Buffer.from(cut)], { entries: recorder(() => true).entries, prefilter: needles() })).toThrow(InvalidJsonError);
  });

  it('reads what lies within maxObjectBytes of an entry longer than that', () => {
    const doc = `{"objects":[{"self":{"type":"RULE","id":"1","name":"R"},"object":{"script":"${'x'.repeat(5_000)}"}}]}`;
    const hook = recorder(() => true);
    check(chunked(Buffer.from(doc), 100), { entries: hook.entries, maxObjectBytes: 1_000, prefilter: needles() });
    expect(hook.asked).toEqual([[{ type: 'RULE', id: '1', name: 'R' }, 0]]);
    // The object was cut with its entry: handed over as cut, never as whole.
    expect(hook.given.every((g) => !g.complete)).toBe(true);
  });

  it('passes over a large generated export asking about only the one entry that holds the needle', async () => {
    const doc = await generated(2 * 1024 * 1024);
    const hook = recorder(() => true);
    const digest = check(chunked(doc, 64), { entries: hook.entries, prefilter: new NeedleScan(['"Transform 4242"']) });
    expect(digest.objects).toBeGreaterThan(5_000);
    expect(hook.asked.map(([self]) => self?.name)).toEqual(['Transform 4242']);
    expect(JSON.parse(hook.given[0]!.object.toString())).toMatchObject({ name: 'Transform 4242' });
  });
});

// Generated export documents: entries with `self` before or after `object`, extra members, odd
// names; cut anywhere.
const name = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor'));
const self = fc
  .record({ type: fc.constantFrom('RULE', 'SOURCE', 'TRANSFORM'), id: fc.uuid(), name })
  .map((s) => new Members(Object.entries(s)));
const entry: fc.Arbitrary<JsonTree> = fc
  .tuple(
    fc.option(self, { nil: undefined }),
    fc.option(
      valueText.map((t) => new Raw(t)),
      { nil: undefined },
    ),
    fc.boolean(),
    fc.constantFrom<[string, JsonTree][]>(
      [],
      [['version', 1]],
      [
        ['jwsHeader', 'eyJ'],
        ['jwsSignature', 's'],
      ],
    ),
  )
  .map(([s, o, objectFirst, extra]) => {
    const members: [string, JsonTree][] = [...extra];
    const pair: [string, JsonTree][] = [];
    if (s) pair.push(['self', s]);
    if (o) pair.push(['object', o]);
    members.push(...(objectFirst ? pair.reverse() : pair));
    return new Members(members);
  });
const exportDocument = fc.array(entry, { maxLength: 12 }).map(
  (objects) =>
    new Members([
      ['version', 1],
      ['tenant', 'acme'],
      ['objects', objects],
    ]),
);

describe('ExportDocumentCheck properties', () => {
  it('counts every entry and hands over exactly the objects wanted, as JSON.parse reads them', () => {
    fc.assert(
      fc.property(exportDocument, fc.nat(), splits, fc.func(fc.boolean()), (tree, seed, split, want) => {
        const bytes = Buffer.from(render(tree, seed));
        const parsed = (JSON.parse(bytes.toString()) as { objects: { self?: ObjectRef; object?: unknown }[] }).objects;
        const hook = recorder((s, i) => want(s?.id ?? null, i));
        expect(check(chunked(bytes, split), { entries: hook.entries })).toEqual({ objects: parsed.length });
        expect(hook.asked).toEqual(parsed.map((e, i) => [e.self ?? null, i]));
        const wanted = parsed.flatMap((e, i) => (e.object !== undefined && want(e.self?.id ?? null, i) ? [[i, e.object]] : []));
        expect(hook.given.map((g) => [g.index, JSON.parse(g.object.toString())])).toEqual(wanted);
        expect(check(chunked(bytes, split))).toEqual({ objects: parsed.length });
      }),
      { numRuns: 150 },
    );
  });

  it('refuses any JSON that is not an export document, and a cut one as invalid', () => {
    fc.assert(
      fc.property(valueText, fc.nat(), splits, (text, cut, split) => {
        const parsed = JSON.parse(text) as { objects?: unknown };
        const isExport = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Array.isArray(parsed.objects);
        const bytes = Buffer.from(text);
        if (!isExport) expect(() => check(chunked(bytes, split))).toThrow(NotExportDocumentError);
        const short = bytes.subarray(0, cut % bytes.length);
        let parses = true;
        try {
          JSON.parse(short.toString());
        } catch {
          parses = false;
        }
        if (!parses) expect(() => check(chunked(short, split))).toThrow(InvalidJsonError);
      }),
      { numRuns: 200 },
    );
  });
});
