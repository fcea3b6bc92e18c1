import { describe, expect, it } from 'vitest';
import type { ChangesDocument, ChangesRecord, ObjectChange } from '../../../lambda/domain/changes.ts';
import type { Manifest } from '../../../lambda/domain/manifest.ts';
import { changesSection } from '../../../lambda/report/changes-section.ts';
import { PageBudget } from '../../../lambda/report/page-budget.ts';
import { REPORT_LIMITS, type ReportLimits } from '../../../lambda/report/report-input.ts';
import { attr, type Element, elements, parseStrict, text } from './parsed-html.ts';

const COMPLETED = '2026-11-20T09:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(COMPLETED) + minutes * 60_000).toISOString();

function record(overrides: Partial<ChangesRecord> = {}): ChangesRecord {
  return {
    state: 'COMPUTED',
    reason: 'Compared.',
    afterExportJobId: 'after-1',
    afterExportedAt: at(2),
    counts: { created: 1, changed: 2, unchanged: 3, unknown: 4 },
    ...overrides,
  };
}

function document(
  objects: readonly ObjectChange[] | null,
  before: ChangesDocument['before'] = { exportJobId: 'backup-1', key: 'k' },
): ChangesDocument {
  return {
    schemaVersion: 1,
    jobId: 'j',
    tenant: 't',
    before,
    after: { exportJobId: 'after-doc', key: 'k2', exportedAt: at(3) },
    objects,
  } as ChangesDocument;
}

function render(
  changes: ChangesRecord | undefined,
  doc: ChangesDocument | null,
  limits: ReportLimits = REPORT_LIMITS,
  budget = new PageBudget(5_000_000),
) {
  const manifest = { completed: COMPLETED, changes } as unknown as Manifest;
  const html = changesSection(manifest, doc, budget, limits);
  const { doc: parsed, errors } = parseStrict(`<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>${html}</body></html>`);
  expect(errors).toEqual([]);
  const body = elements(parsed, 'body')[0]!;
  const dd = (label: string) => {
    const dts = elements(body, 'dt');
    const i = dts.findIndex((dt) => text(dt) === label);
    return i < 0 ? undefined : text(elements(body, 'dd')[i]!);
  };
  return { body, all: text(body), dd, html };
}

const obj = (change: ObjectChange['change'], name: string, fields: ObjectChange['fields'] = []): ObjectChange =>
  ({ type: 'RULE', id: `id-${name}`, name, change, fields }) as ObjectChange;
const headings = (body: Element) => elements(body, 'h3').map((h) => text(h));

describe('changesSection', () => {
  it('says an old manifest without a record was archived before changes were recorded', () => {
    const { body, all } = render(undefined, null);
    const pill = elements(body, 'span')[0]!;
    expect(text(pill)).toBe('DISABLED');
    expect(attr(pill, 'class')).toBe('pill muted');
    expect(all).toContain('Archived before changes were recorded.');
    expect(elements(body, 'dl')).toEqual([]);
  });

  it.each([
    ['COMPUTED', 'pill info'],
    ['NONE', 'pill muted'],
    ['DISABLED', 'pill muted'],
    ['UNAVAILABLE', 'pill amber'],
    ['WEIRD', 'pill muted'],
  ])('tones the state %s as %s', (state, tone) => {
    const { body } = render(record({ state: state as ChangesRecord['state'] }), null);
    expect(attr(elements(body, 'span')[0]!, 'class')).toBe(tone);
  });

  it('lists the counts in a fixed order', () => {
    const { body } = render(record(), null);
    expect(elements(body, 'li').map((li) => [attr(li, 'class'), text(li)])).toEqual([
      ['changed', '2 changed'],
      ['created', '1 created'],
      ['unchanged', '3 unchanged'],
      ['unknown', '4 unknown'],
    ]);
  });

  it.each([
    [0.4, 'less than a minute after the import completed'],
    [1, '1 minute after the import completed'],
    [10, '10 minutes after the import completed'],
    [119, '119 minutes after the import completed'],
    [120, '2 hours 0 minutes after the import completed'],
    [-1, 'before the import was reported complete'],
  ])('says the after-state was taken %s minutes after as "%s"', (minutes, phrase) => {
    const { dd } = render(record({ afterExportedAt: at(minutes) }), null);
    expect(dd('After-state')).toBe(`taken ${at(minutes)} by export after-1, ${phrase}`);
  });

  it('warns only past 10 minutes', () => {
    expect(render(record({ afterExportedAt: at(10) }), null).all).not.toContain('⚠');
    const late = render(record({ afterExportedAt: at(10.6) }), null);
    const warning = elements(late.body, 'p').find((p) => attr(p, 'class') === 'warn')!;
    expect(attr(warning, 'role')).toBe('note');
    expect(text(warning)).toBe(
      '⚠ Taken 11 minutes after the import completed (more than 10 minutes): someone may have changed these objects in between, and such edits show here as if the import made them.',
    );
  });

  it('falls back to the document for when and by which export the after-state was taken', () => {
    const { dd } = render(record({ afterExportedAt: null, afterExportJobId: null }), document([]));
    expect(dd('After-state')).toBe(`taken ${at(3)} by export after-doc, 3 minutes after the import completed`);
    expect(dd('Compared with')).toBe('the pre-import backup backup-1');
  });

  it('says "not reported" without a time or an export', () => {
    const { dd } = render(record({ afterExportedAt: null, afterExportJobId: null }), null);
    expect(dd('After-state')).toBe('taken not reported');
    expect(dd('Compared with')).toBe('the pre-import backup (see changes.json)');
  });

  it('says when there was no backup', () => {
    expect(render(record(), document([], null)).dd('Compared with')).toBe(
      'no backup: ISC took none, or it was not archived (objects are UNKNOWN)',
    );
  });

  it.each([
    [null, 'The objects are listed in changes.json.'],
    [[], 'The results list no imported objects to compare.'],
  ])('with objects %j says: %s', (objects, note) => {
    const { all, body } = render(record(), document(objects));
    expect(all).toContain(note);
    expect(elements(body, 'article')).toEqual([]);
  });

  it('lists CHANGED, CREATED, UNKNOWN, UNCHANGED in that order, then anything else', () => {
    const objects = [
      obj('UNCHANGED', 'u'),
      obj('ODD' as ObjectChange['change'], 'o'),
      obj('CREATED', 'c'),
      obj('UNKNOWN', 'k'),
      obj('CHANGED', 'x', [{ path: 'a', before: 1, after: 2 }]),
    ];
    const { body } = render(record(), document(objects));
    expect(headings(body).map((h) => h.split(' ')[0])).toEqual(['CHANGED', 'CREATED', 'UNKNOWN', 'UNCHANGED', 'ODD']);
    expect(
      elements(body, 'span')
        .filter((s) => attr(s, 'class')?.startsWith('kind '))
        .map((s) => attr(s, 'class')),
    ).toEqual(['kind amber', 'kind ok', 'kind info', 'kind muted', 'kind muted']);
  });

  it('shows an object without a name or an id as such, and a CHANGED one without fields with a note', () => {
    const { body, all } = render(
      record(),
      document([{ type: 'RULE', id: null, name: null, change: 'CHANGED', fields: [] } as unknown as ObjectChange]),
    );
    expect(headings(body)).toEqual(['CHANGED (no name) RULE no id']);
    expect(all).toContain('No field differences listed.');
  });

  it('shows strings quoted so "1" and 1 differ, and the whole object for an empty path', () => {
    const { body } = render(
      record(),
      document([
        obj('CHANGED', 'r', [
          { path: 'a', before: '1', after: 1 },
          { path: '', before: { x: true }, after: null },
        ]),
      ]),
    );
    expect(
      elements(body, 'tr')
        .slice(1)
        .map((tr) => elements(tr, 'td').map((td) => text(td))),
    ).toEqual([
      ['a', '"1"', '1'],
      ['(the whole object)', '{\n  "x": true\n}', 'null'],
    ]);
  });

  it('quotes a long string open, marks it shortened and says where the full value is', () => {
    const limits = { ...REPORT_LIMITS, fieldChars: 5 };
    const { body } = render(record(), document([obj('CHANGED', 'r', [{ path: 'p', before: 'abcdefgh', after: 'abc' }])]), limits);
    const [before, after] = elements(body, 'td')
      .slice(1)
      .map((td) => text(td));
    expect(before).toBe('"abcde…Shortened here; the full value is in changes.json.');
    expect(after).toBe('"abc"');
  });

  it('lists at most fieldsPerObject fields and says how many more are in changes.json', () => {
    const fields = Array.from({ length: 4 }, (_, i) => ({ path: `f${i}`, before: i, after: i + 1 }));
    const { body } = render(record(), document([obj('CHANGED', 'r', fields)]), { ...REPORT_LIMITS, fieldsPerObject: 3 });
    expect(elements(body, 'tbody')[0]!.childNodes.filter((n) => 'tagName' in n)).toHaveLength(3);
    expect(text(elements(body, 'p').find((p) => attr(p, 'class') === 'more')!)).toBe('1 more fields not listed here; see changes.json.');
  });

  it('lists at most listEntries objects, and stops at an object whose heading does not fit', () => {
    const objects = [obj('CREATED', 'a'), obj('CREATED', 'b'), obj('CREATED', 'c')];
    const capped = render(record(), document(objects), { ...REPORT_LIMITS, listEntries: 2 });
    expect(headings(capped.body)).toHaveLength(2);
    expect(capped.all).toContain('1 more objects not listed here; see changes.json.');
    const roomy = new PageBudget(1_000_000);
    render(record(), document(objects), REPORT_LIMITS, roomy);
    const whole = 1_000_000 - roomy.left;
    // Room for all but the last card's closing tag: the third heading no longer fits.
    const tight = render(record(), document(objects), REPORT_LIMITS, new PageBudget(whole - '</article>'.length - 1));
    expect(headings(tight.body)).toHaveLength(2);
    expect(tight.all).toContain('1 more objects not listed here to keep this page under 5 MB; see changes.json.');
  });
});
