import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { describe, expect, it } from 'vitest';
import { renderReport, REPORT_LIST_LIMIT, type ReportInput } from '../../../lambda/report/report-renderer.ts';
import { ResultsScanner } from '../../../lambda/results/results-scanner.ts';
import { completeResults, failedResults, importResultsDocument } from '../../../local/import-results.ts';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

function elements(node: Node, tag?: string, out: Element[] = []): Element[] {
  if ('tagName' in node && (!tag || node.tagName === tag)) out.push(node);
  const children = 'childNodes' in node ? node.childNodes : [];
  for (const child of children) elements(child, tag, out);
  if ('content' in node && node.content) elements(node.content as Node, tag, out);
  return out;
}

function text(node: Node): string {
  if (node.nodeName === '#text') return (node as DefaultTreeAdapterMap['textNode']).value;
  return ('childNodes' in node ? node.childNodes : []).map(text).join('');
}

function input(results: string | null, status = 'COMPLETE', overrides: Partial<ReportInput> = {}): ReportInput {
  const scanner = new ResultsScanner();
  if (results) scanner.write(Buffer.from(results));
  const digest = results ? scanner.finish() : null;
  return {
    schemaVersion: 1, tenant: 'acme', jobId: 'ef38f94347e94562b5bb8424a56397d8', status,
    message: status === 'FAILED' ? 'Import halted because of errors. Download results for error details.' : null,
    created: '2026-11-28T10:00:00Z', completed: '2026-11-28T10:01:00Z', exportJobId: digest?.exportJobId ?? null,
    archivedAt: '2026-11-28T10:02:00.000Z', apiVersion: 'beta', archiver: { name: 'isc-import-archiver', version: '0.1.0' },
    objects: [{ role: 'results', key: 'sp-config/acme/imports/x/results.json', bytes: 10, sha256: 'a' }],
    backup: digest?.exportJobId ? { state: 'ARCHIVED', reason: 'Pre-import backup archived.' } : { state: 'NONE', reason: 'ISC took no pre-import backup for this job.' },
    changes: { state: 'DISABLED', reason: 'ARCHIVE_CHANGES is false.', afterExportJobId: null, afterExportedAt: null, counts: { created: 0, changed: 0, unchanged: 0, unknown: 0 } },
    restore: null,
    summary: digest?.summary ?? { byType: {}, totals: { infos: 0, warnings: 0, errors: 0, importedObjects: 0 } },
    samples: digest?.samples ?? null,
    ...overrides,
  };
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
    expect(text(errors)).toContain('"name":"Workday HR"');
  });

  it('shows a CANCELLED import without results', () => {
    const body = text(parse(renderReport(input(null, 'CANCELLED'))));
    expect(body).toContain('– Cancelled');
    expect(body).toContain('ISC produced no results');
  });

  it('handles results that list no object types', () => {
    const body = text(parse(renderReport(input('{"results":{}}'))));
    expect(body).toContain('The results list no object types.');
  });

  it('keeps everything from ISC as text: no element, attribute or script comes through', () => {
    const hostile = ['<script>alert(1)</script>', '"><img src=x onerror=alert(2)>', "' onmouseover='x", 'a & b < c', '\u202Egnp.exe\u200B', 'x'.repeat(5_000)];
    const doc = importResultsDocument({
      [`<b>TYPE</b>`]: {
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
    expect(elements(parsed).flatMap((e) => e.attrs).some((a) => a.name.startsWith('on'))).toBe(false);
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
