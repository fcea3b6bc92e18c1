import { parse } from 'parse5';
import { describe, expect, it } from 'vitest';
import { REPORT_LIST_LIMIT, type ReportInput, renderReport } from '../../../lambda/report/report-renderer.ts';
import { completeResults, failedResults, importResultsDocument } from '../../../local/import-results.ts';
import { elements, text } from './parsed-html.ts';
import { reportInput } from './report-fixtures.ts';

function input(results: string | null, status = 'COMPLETE', manifest: Partial<ReportInput['manifest']> = {}): ReportInput {
  return reportInput(results, { status, manifest });
}

describe('renderReport', () => {
  it('shows a COMPLETE import with its backup, totals and imported objects', () => {
    const doc = parse(renderReport(input(completeResults('be9e116d-08e1-49fc-ab7f-fa585e96c9e4'))));
    const body = text(doc);
    expect(elements(doc, 'html')[0]!.attrs).toContainEqual({ name: 'lang', value: 'en' });
    expect(body).toContain('✓ Complete');
    expect(body).toContain('ARCHIVED be9e116d-08e1-49fc-ab7f-fa585e96c9e4');
    expect(body).toContain('Imported objects (5)');
    expect(text(elements(doc, 'table').find((t) => text(t).includes('Build Account Map'))!)).toContain('0f3e5d7c9b1a2c4e6f8a0b2d4f6e8c1a');
    expect(elements(doc, 'th').some((th) => th.attrs.some((a) => a.name === 'scope'))).toBe(true);
  });

  it('shows a FAILED import with every error, its object type, key and detail', () => {
    const doc = parse(renderReport(input(failedResults(), 'FAILED')));
    const body = text(doc);
    expect(body).toContain('✗ Failed');
    expect(body).toContain('Errors (2)');
    const errors = elements(doc, 'table').find((t) => text(t).includes('REFERENCE_NOT_FOUND'))!;
    expect(text(errors)).toContain('IDENTITY_PROFILE');
    expect(text(errors)).toMatch(/"name": ?"Workday HR"/);
  });

  it('shows a CANCELLED import without results', () => {
    const body = text(parse(renderReport(input(null, 'CANCELLED'))));
    expect(body).toContain('– Cancelled');
    expect(body).toContain('ISC produced no results');
  });

  it('renders a manifest archived before changes and restores were recorded', () => {
    const { changes: _changes, restore: _restore, ...older } = input(completeResults()).manifest;
    const body = text(parse(renderReport({ manifest: older as ReportInput['manifest'], samples: null, changes: null })));
    expect(body).toContain('DISABLED Archived before changes were recorded.');
    expect(body).not.toContain('Restore');
  });

  it('handles results that list no object types', () => {
    const body = text(parse(renderReport(input('{"results":{}}'))));
    expect(body).toContain('The results list no object types.');
  });

  it('keeps everything from ISC as text: no element, attribute or script comes through', () => {
    const hostile = [
      '<script>alert(1)</script>',
      '"><img src=x onerror=alert(2)>',
      "' onmouseover='x",
      'a & b < c',
      '\u202Egnp.exe\u200B',
      'x'.repeat(5_000),
    ];
    const doc = importResultsDocument({
      '<b>TYPE</b>': {
        errors: hostile.map((t) => ({ key: '<i>k</i>', text: t, detail: { html: '<svg onload=alert(3)>' } })),
        importedObjects: [{ type: 'SOURCE', id: '<script>', name: '</td></tr></table><script>alert(4)</script>' }],
      },
    });
    const html = renderReport(input(doc, 'FAILED', { tenant: '<acme>' }));
    const parsed = parse(html);
    expect(elements(parsed, 'script')).toHaveLength(0);
    expect(elements(parsed, 'img')).toHaveLength(0);
    expect(elements(parsed, 'svg')).toHaveLength(0);
    expect(elements(parsed, 'b')).toHaveLength(0);
    expect(
      elements(parsed)
        .flatMap((e) => e.attrs)
        .some((a) => a.name.startsWith('on')),
    ).toBe(false);
    const body = text(parsed);
    for (const t of hostile) expect(body).toContain(t.slice(0, 2_000));
    expect(body).toContain('</td></tr></table><script>alert(4)</script>');
    const csp = elements(parsed, 'meta').find((m) => m.attrs.some((a) => a.value === 'Content-Security-Policy'))!;
    expect(csp.attrs.find((a) => a.name === 'content')!.value).toContain("default-src 'none'");
    expect(html).not.toMatch(/<link|src="http|url\(/);
  });

  it('lists the first entries of a long section and says how many more are in results.json', () => {
    const errors = Array.from({ length: REPORT_LIST_LIMIT + 25 }, (_, i) => ({ key: null, text: `error number ${i}` }));
    const doc = parse(renderReport(input(importResultsDocument({ RULE: { errors } }), 'FAILED')));
    const body = text(doc);
    const table = elements(doc, 'table').find((t) => text(t).includes('error number 0'))!;
    expect(elements(table, 'tr')).toHaveLength(REPORT_LIST_LIMIT + 1);
    expect(body).toContain(`error number ${REPORT_LIST_LIMIT - 1}`);
    expect(body).toContain('25 more not listed here; see results.json.');
  });
});
