import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../../lambda/domain/manifest.ts';
import { byType, facts, footer, header, imported, messages, stateOf, totals } from '../../../lambda/report/import-sections.ts';
import { PageBudget } from '../../../lambda/report/page-budget.ts';
import { REPORT_LIMITS } from '../../../lambda/report/report-input.ts';
import { attr, type Element, elements, parseStrict, text } from './parsed-html.ts';

function body(html: string): Element {
  const { doc, errors } = parseStrict(`<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>${html}</body></html>`);
  expect(errors).toEqual([]);
  return elements(doc, 'body')[0]!;
}
const rows = (el: Element) =>
  elements(elements(el, 'tbody')[0]!, 'tr').map((tr) => [...elements(tr, 'th'), ...elements(tr, 'td')].map(text));
const budget = () => new PageBudget(5_000_000);

const manifest = (overrides: Record<string, unknown> = {}) =>
  ({
    tenant: 'acme',
    jobId: 'ef38f94347e94562b5bb8424a56397d8',
    status: 'COMPLETE',
    message: null,
    created: '2026-11-20T09:00:00Z',
    completed: '2026-11-20T09:05:00Z',
    archivedAt: '2026-11-20T09:06:00Z',
    apiVersion: 'beta',
    exportJobId: 'exp-1',
    backup: { state: 'ARCHIVED', reason: 'Backup archived.' },
    summary: {
      totals: { errors: 1, warnings: 2, infos: 3, importedObjects: 4 },
      byType: {
        TRANSFORM: { errors: 0, warnings: 1, infos: 0, importedObjects: 2 },
        RULE: { errors: 1, warnings: 1, infos: 3, importedObjects: 2 },
      },
    },
    objects: [],
    archiver: { name: 'isc-import-archiver', version: '1.2.3' },
    ...overrides,
  }) as unknown as Manifest;

describe('the import sections', () => {
  it.each([
    ['COMPLETE', { label: 'Complete', mark: '✓', tone: 'ok' }],
    ['FAILED', { label: 'Failed', mark: '✗', tone: 'bad' }],
    ['CANCELLED', { label: 'Cancelled', mark: '–', tone: 'muted' }],
    ['IN_PROGRESS', { label: 'IN_PROGRESS', mark: '?', tone: 'muted' }],
  ])('shows the state %s as %j', (status, state) => {
    expect(stateOf(status)).toEqual(state);
  });

  it('cuts an unknown state at 100 characters', () => {
    expect(stateOf('S'.repeat(150)).label).toBe('S'.repeat(100));
  });

  it('heads the page with the tenant, the job, the state and ISC’s message', () => {
    const el = body(header(manifest({ status: 'FAILED', message: 'Import failed <badly>' }), REPORT_LIMITS));
    expect(text(elements(el, 'h1')[0]!)).toBe('Import ef38f94347e94562b5bb8424a56397d8');
    expect(text(elements(el, 'strong')[0]!)).toBe('acme');
    const status = elements(el, 'span').find((s) => attr(s, 'role') === 'status')!;
    expect(attr(status, 'class')).toBe('status bad');
    expect(text(status)).toBe('✗ Failed');
    expect(text(elements(el, 'p')[1]!)).toBe('✗ Failed Import failed <badly>');
    expect(text(elements(body(header(manifest(), REPORT_LIMITS)), 'p')[1]!)).toBe('✓ Complete');
  });

  it('lists the facts, with the backup’s export when there is one', () => {
    const pairs = (m: Manifest) => {
      const el = body(facts(m, REPORT_LIMITS));
      const dds = elements(el, 'dd').map(text);
      return Object.fromEntries(elements(el, 'dt').map((dt, i) => [text(dt), dds[i]]));
    };
    expect(pairs(manifest())).toEqual({
      Tenant: 'acme',
      'Job id': 'ef38f94347e94562b5bb8424a56397d8',
      Status: 'COMPLETE',
      Created: '2026-11-20T09:00:00Z',
      Completed: '2026-11-20T09:05:00Z',
      Archived: '2026-11-20T09:06:00Z',
      'API version': 'beta',
      Backup: 'ARCHIVED exp-1: Backup archived.',
    });
    expect(pairs(manifest({ exportJobId: null, completed: null })).Backup).toBe('ARCHIVED: Backup archived.');
    expect(pairs(manifest({ completed: null })).Completed).toBe('not reported');
  });

  it('shows the totals in a fixed order', () => {
    const el = body(totals(manifest()));
    expect(elements(el, 'li').map((li) => [attr(li, 'class'), text(li)])).toEqual([
      ['errors', '1 errors'],
      ['warnings', '2 warnings'],
      ['infos', '3 infos'],
      ['importedObjects', '4 imported objects'],
    ]);
  });

  it('counts per object type, sorted by type', () => {
    const el = body(byType(manifest(), budget(), REPORT_LIMITS));
    expect(text(elements(el, 'h2')[0]!)).toBe('By object type');
    expect(elements(elements(el, 'thead')[0]!, 'th').map(text)).toEqual(['Object type', 'infos', 'warnings', 'errors', 'imported objects']);
    expect(rows(el)).toEqual([
      ['RULE', '3', '1', '1', '2'],
      ['TRANSFORM', '0', '1', '0', '2'],
    ]);
  });

  it('says when there are no object types', () => {
    expect(byType(manifest({ summary: { totals: {}, byType: {} } }), budget(), REPORT_LIMITS)).toBe(
      '<p>The results list no object types.</p>',
    );
  });

  it('lists messages with their object, key and detail, and counts the rest', () => {
    const list = [
      { type: 'RULE', key: 'r1', text: 'Broken', detailText: '{"a":1}' },
      { type: 'SOURCE', key: null, text: 'Odd', detailText: null },
    ];
    const el = body(messages('Errors', 'errors', list as never, 5, budget(), REPORT_LIMITS));
    expect(text(elements(el, 'h2')[0]!)).toBe('Errors (5)');
    expect(attr(elements(el, 'h2')[0]!, 'id')).toBe('errors');
    expect(rows(el)).toEqual([
      ['RULE', 'r1', 'Broken{\n  "a": 1\n}'],
      ['SOURCE', '—', 'Odd'],
    ]);
    expect(text(elements(el, 'p').at(-1)!)).toBe('3 more not listed here; see results.json.');
  });

  it('says None. for no messages and no imported objects', () => {
    expect(messages('Warnings', 'warnings', [], 0, budget(), REPORT_LIMITS)).toBe('<h2 id="warnings">Warnings</h2><p>None.</p>');
    expect(imported([], 0, budget(), REPORT_LIMITS)).toBe('<h2 id="imported">Imported objects</h2><p>None.</p>');
  });

  it('lists the imported objects', () => {
    const el = body(imported([{ type: 'RULE', name: 'A', id: 'id-a' }], 1, budget(), REPORT_LIMITS));
    expect(text(elements(el, 'h2')[0]!)).toBe('Imported objects (1)');
    expect(rows(el)).toEqual([['RULE', 'A', 'id-a']]);
  });

  it('names the archiver and up to ten archived objects in the footer', () => {
    const objects = Array.from({ length: 12 }, (_, i) => ({ role: 'results', key: `k${i}`, bytes: i }));
    const shown = text(body(footer(manifest({ objects }))));
    expect(shown.startsWith('Archived by isc-import-archiver 1.2.3 · results: k0 (0 bytes) · ')).toBe(true);
    expect(shown).toContain('results: k9 (9 bytes)');
    expect(shown).not.toContain('k10');
    expect(text(body(footer(manifest())))).toBe('Archived by isc-import-archiver 1.2.3 · no objects');
  });
});
