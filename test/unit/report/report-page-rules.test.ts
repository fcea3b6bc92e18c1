import { describe, expect, it } from 'vitest';
import { page } from '../../../lambda/report/page-shell.ts';
import { renderReport } from '../../../lambda/report/report-renderer.ts';
import { completeResults } from '../../../local/import-results.ts';
import { attr, elements, parseStrict, text } from './parsed-html.ts';
import { BACKUP_ID, JOB_ID, reportInput } from './report-fixtures.ts';

function parsed(html: string) {
  const { doc, errors } = parseStrict(html);
  expect(errors).toEqual([]);
  return doc;
}

describe('the page shell', () => {
  it('is a self-contained page whose CSP allows no script and no outside resource', () => {
    const doc = parsed(page('A <title> & "more"', '<p>body</p>'));
    expect(text(elements(doc, 'title')[0]!)).toBe('A <title> & "more"');
    const metas = elements(doc, 'meta');
    expect(metas.map((m) => [attr(m, 'charset') ?? attr(m, 'http-equiv') ?? attr(m, 'name'), attr(m, 'content')])).toEqual([
      ['utf-8', undefined],
      ['Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"],
      ['viewport', 'width=device-width, initial-scale=1'],
      ['referrer', 'no-referrer'],
    ]);
    expect(attr(elements(doc, 'html')[0]!, 'lang')).toBe('en');
    expect(elements(doc, 'script')).toEqual([]);
    expect(elements(doc, 'link')).toEqual([]);
    expect(text(elements(doc, 'body')[0]!).trim()).toBe('body');
  });
});

describe('renderReport', () => {
  const sections = (html: string) => elements(parsed(html), 'h2').map((h) => attr(h, 'id'));
  const navLinks = (html: string) => elements(elements(parsed(html), 'nav')[0]!, 'a').map((a) => [attr(a, 'href'), text(a)]);

  it('titles the page with the job and its state', () => {
    expect(text(elements(parsed(renderReport(reportInput(completeResults(BACKUP_ID)))), 'title')[0]!)).toBe(`Import ${JOB_ID} — Complete`);
    expect(text(elements(parsed(renderReport(reportInput(null, { status: 'CANCELLED' }))), 'title')[0]!)).toBe(
      `Import ${JOB_ID} — Cancelled`,
    );
  });

  it('shows the sections of an import with results in page order, each linked from the contents', () => {
    const html = renderReport(reportInput(completeResults(BACKUP_ID)));
    expect(sections(html)).toEqual(['totals', 'changes', 'by-type', 'errors', 'warnings', 'imported', 'infos']);
    expect(navLinks(html)).toEqual([
      ['#totals', 'Totals'],
      ['#changes', 'What changed'],
      ['#errors', 'Errors'],
      ['#warnings', 'Warnings'],
      ['#imported', 'Imported objects'],
      ['#infos', 'Infos'],
    ]);
  });

  it('shows a cancelled import without results: no per-type table and no message lists', () => {
    const html = renderReport(reportInput(null, { status: 'CANCELLED' }));
    expect(sections(html)).toEqual(['totals', 'changes']);
    expect(navLinks(html)).toEqual([
      ['#totals', 'Totals'],
      ['#changes', 'What changed'],
    ]);
    expect(text(parsed(html))).toContain('The import was cancelled: ISC produced no results to archive.');
  });

  it('links the restore sections from the contents when there are restores', () => {
    const restore = {
      of: 'a'.repeat(32),
      preview: true,
      previewJobId: null,
      selection: { includeTypes: ['RULE'], objectOptions: {} },
    };
    const html = renderReport(
      reportInput(completeResults(BACKUP_ID), {
        manifest: { restore },
        restores: [{ jobId: 'b'.repeat(32), preview: false, at: '2026-11-28T11:00:00Z' }],
      }),
    );
    expect(sections(html).slice(0, 3)).toEqual(['restore', 'restores', 'totals']);
    expect(navLinks(html).slice(0, 2)).toEqual([
      ['#restore', 'Restore'],
      ['#restores', 'Restores'],
    ]);
  });

  it('falls back to the facts and totals only when the page budget cannot hold more', () => {
    const html = renderReport(reportInput(completeResults(BACKUP_ID)), {
      pageBytes: 1_000,
      listEntries: 10,
      textChars: 100,
      detailChars: 100,
      fieldChars: 100,
      fieldsPerObject: 10,
    });
    const doc = parsed(html);
    expect(elements(doc, 'nav')).toEqual([]);
    expect(elements(doc, 'h2').map((h) => attr(h, 'id'))).toEqual(['totals']);
    expect(text(doc)).toContain('The lists are left out to keep this page small; see results.json and changes.json.');
    expect(text(elements(doc, 'footer')[0]!)).toContain('Archived by isc-import-archiver 0.1.0');
  });
});
