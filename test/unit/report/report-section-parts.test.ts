import { describe, expect, it } from 'vitest';
import type { Manifest, RestoreLink } from '../../../lambda/domain/manifest.ts';
import { PageBudget } from '../../../lambda/report/page-budget.ts';
import type { ReportLimits } from '../../../lambda/report/report-input.ts';
import { reportLink, restoreOf, restoresFrom } from '../../../lambda/report/restore-section.ts';
import { listRows, moreNote, pre, short, time } from '../../../lambda/report/section-parts.ts';
import { attr, elements, parseStrict, text } from './parsed-html.ts';

const HEX = '4fb105031c4946038f8d886e1f6aa47b';
const UUID = '9d3c0b7e-52a1-4c8e-b1f0-6a2d9e8c7b10';
const limits = (listEntries: number): ReportLimits => ({
  pageBytes: 1_000_000,
  listEntries,
  textChars: 200,
  detailChars: 2000,
  fieldChars: 2000,
  fieldsPerObject: 100,
});

function fragment(html: string) {
  const { doc, errors } = parseStrict(`<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>${html}</body></html>`);
  expect(errors).toEqual([]);
  return doc;
}

describe('section parts', () => {
  it.each([
    ['abc', 5, 'abc'],
    ['abcdef', 3, 'abc…'],
    ['<b>', 3, '&lt;b&gt;'],
    [null, 5, ''],
    [undefined, 5, ''],
  ])('short(%j, %i) is %j', (value, limit, html) => {
    expect(short(value, limit)).toBe(html);
  });

  it('makes a non-string from ISC text instead of trusting it', () => {
    expect(short(12345 as unknown as string, 3)).toBe('123…');
  });

  it.each([
    ['2026-11-28T11:00:00Z', '<time datetime="2026-11-28T11:00:00Z">2026-11-28T11:00:00Z</time>'],
    ['"><x', '<time datetime="&quot;&gt;&lt;x">&quot;&gt;&lt;x</time>'],
    [null, 'not reported'],
    ['', 'not reported'],
  ])('time(%j) is %j', (value, html) => {
    expect(time(value)).toBe(html);
  });

  it('puts text in a pre, and says where the full value is when it was shortened', () => {
    expect(pre({ text: '"a" <b>', shortened: false }, 'results.json')).toBe('<pre>"a" &lt;b&gt;</pre>');
    expect(pre({ text: 'abc', shortened: true }, 'changes.json')).toBe(
      '<pre>abc…</pre><p class="note">Shortened here; the full value is in changes.json.</p>',
    );
  });

  it('lists up to the limit and stops without a cut when the limit is reached', () => {
    const budget = new PageBudget(1000);
    expect(listRows([1, 2, 3], 2, budget, (n) => `<li>${n}</li>`)).toEqual({ html: '<li>1</li>\n<li>2</li>', shown: 2, cut: false });
    expect(budget.left).toBe(1000 - 20);
  });

  it('stops at the first row the budget cannot take, and says it was cut', () => {
    const budget = new PageBudget(20);
    expect(listRows(['a', 'bb', 'c'], 10, budget, (s) => `<li>${s}</li>`)).toEqual({ html: '<li>a</li>', shown: 1, cut: true });
  });

  it('takes a row that fits the budget exactly', () => {
    expect(listRows(['a'], 10, new PageBudget(10), (s) => `<li>${s}</li>`)).toEqual({ html: '<li>a</li>', shown: 1, cut: false });
  });

  it.each([
    [{ shown: 3, cut: false }, 3, ''],
    [{ shown: 3, cut: false }, 2, ''],
    [{ shown: 3, cut: false }, 5, '<p class="more">2 more not listed here; see results.json.</p>'],
    [{ shown: 1, cut: true }, 5, '<p class="more">4 more not listed here to keep this page under 5 MB; see results.json.</p>'],
  ])('moreNote(%j of %i) is %j', (listed, total, html) => {
    expect(moreNote(listed, total, 'results.json')).toBe(html);
  });
});

describe('reportLink', () => {
  it.each([
    [HEX, `<a href="../${HEX}/report.html"><code>${HEX}</code></a>`],
    [HEX.toUpperCase(), `<a href="../${HEX}/report.html"><code>${HEX}</code></a>`],
    [UUID, `<a href="../${UUID}/report.html"><code>${UUID}</code></a>`],
    ['../x"<', '<code>../x&quot;&lt;</code>'],
    [null, '—'],
    [undefined, '—'],
    ['', '—'],
  ])('%j becomes %j', (jobId, html) => {
    expect(reportLink(jobId)).toBe(html);
  });

  it('cuts a long non-id at 100 characters', () => {
    expect(reportLink('x'.repeat(150))).toBe(`<code>${'x'.repeat(100)}…</code>`);
  });
});

describe('restoreOf', () => {
  const manifest = (restore: RestoreLink | undefined) => ({ restore }) as unknown as Manifest;
  const facts = (html: string) => {
    const doc = fragment(html);
    const dts = elements(doc, 'dt').map(text);
    const dds = elements(doc, 'dd').map(text);
    return Object.fromEntries(dts.map((k, i) => [k, dds[i]]));
  };

  it('is nothing for an ordinary import, and costs nothing', () => {
    const budget = new PageBudget(100);
    expect(restoreOf(manifest(undefined), budget)).toBe('');
    expect(budget.left).toBe(100);
  });

  it('describes an apply with its preview and the selection, and charges the budget', () => {
    const budget = new PageBudget(100_000);
    const html = restoreOf(
      manifest({
        of: HEX,
        preview: false,
        previewJobId: UUID,
        selection: {
          includeTypes: ['SOURCE', 'RULE', 'TRANSFORM'],
          objectOptions: {
            SOURCE: { includedIds: ['a', 'b'], includedNames: ['n'] },
            RULE: { includedIds: [], includedNames: ['x', 'y', 'z'] },
          },
        },
      }),
      budget,
    );
    expect(budget.left).toBeLessThan(100_000);
    const doc = fragment(html);
    expect(text(elements(doc, 'h2')[0]!)).toBe(`Restore of ${HEX}`);
    expect(attr(elements(doc, 'h2')[0]!, 'id')).toBe('restore');
    expect(facts(html)).toEqual({
      Kind: 'Apply: the backup’s objects were imported again.',
      'Restore of': `import ${HEX} (its report)`,
      'Preview job': UUID,
      Selection: 'SOURCE (2 by id, 1 by name), RULE (3 by name), TRANSFORM (all)',
    });
  });

  it('describes a preview as this job, with no types selected', () => {
    const html = restoreOf(
      manifest({ of: HEX, preview: true, previewJobId: null, selection: { includeTypes: [], objectOptions: {} } }),
      new PageBudget(100_000),
    );
    expect(facts(html)).toMatchObject({
      Kind: 'Preview: ISC checked what the backup would restore and changed nothing.',
      'Preview job': 'this job',
      Selection: 'no object types',
    });
  });

  it('shows 30 types and counts the rest', () => {
    const types = Array.from({ length: 32 }, (_, i) => `T${i}`);
    const html = restoreOf(
      manifest({ of: HEX, preview: true, previewJobId: null, selection: { includeTypes: types, objectOptions: {} } }),
      new PageBudget(100_000),
    );
    const shownSelection = facts(html).Selection!;
    expect(shownSelection).toContain('T29 (all)');
    expect(shownSelection).not.toContain('T30');
    expect(shownSelection.endsWith(', and 2 more types (see manifest.json)')).toBe(true);
  });

  it('survives a selection that is not what it should be', () => {
    const html = restoreOf(
      manifest({
        of: HEX,
        preview: false,
        previewJobId: null,
        selection: { includeTypes: 'SOURCE' } as unknown as RestoreLink['selection'],
      }),
      new PageBudget(100_000),
    );
    expect(facts(html)).toMatchObject({ Selection: 'no object types', 'Preview job': '—' });
  });
});

describe('restoresFrom', () => {
  const entries = [
    { jobId: UUID, preview: true, at: '2026-11-28T11:00:00Z' },
    { jobId: HEX, preview: false, at: '2026-11-28T12:00:00Z' },
    { jobId: 'not-an-id', preview: false, at: '2026-11-28T11:30:00Z' },
  ];

  it.each([undefined, []])('is nothing for %j', (restores) => {
    expect(restoresFrom(restores, new PageBudget(100), limits(10))).toBe('');
  });

  it('lists the restores newest first with their kind and link', () => {
    const doc = fragment(restoresFrom(entries, new PageBudget(100_000), limits(10)));
    expect(text(elements(doc, 'h2')[0]!)).toBe('Restores of this import (3)');
    const rows = elements(doc, 'tbody')[0]!;
    expect(elements(rows, 'tr').map((tr) => elements(tr, 'td').map(text))).toEqual([
      ['2026-11-28T12:00:00Z', HEX, 'Apply'],
      ['2026-11-28T11:30:00Z', 'not-an-id', 'Apply'],
      ['2026-11-28T11:00:00Z', UUID, 'Preview'],
    ]);
    expect(elements(doc, 'p').filter((p) => attr(p, 'class') === 'more')).toEqual([]);
  });

  it('says how many it left out, and where to find them', () => {
    const doc = fragment(restoresFrom(entries, new PageBudget(100_000), limits(1)));
    expect(elements(doc, 'tr')).toHaveLength(2);
    expect(text(elements(doc, 'p')[0]!)).toBe('2 more restores not listed here; see GET /imports/{jobId}.');
  });
});
