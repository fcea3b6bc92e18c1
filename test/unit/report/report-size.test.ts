import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChangesDocument, ObjectChange } from '../../../lambda/domain/changes.ts';
import type { MessageSample, Samples } from '../../../lambda/domain/summary.ts';
import { pageCost } from '../../../lambda/report/page-budget.ts';
import {
  REPORT_LIMITS,
  REPORT_MAX_BYTES,
  type ReportInput,
  type ReportLimits,
  renderReport,
} from '../../../lambda/report/report-renderer.ts';
import { elements, parseStrict, text } from './parsed-html.ts';
import { computedRecord, deepText, deepValue, JOB_ID, realisticChanges, reportInput } from './report-fixtures.ts';

/** Lambda answers at most 6 MB, and the API carries the page inside a JSON response. */
const LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024;

function failedWith(samples: Partial<Samples>, options: Parameters<typeof reportInput>[1] = {}): ReportInput {
  const base = reportInput(null, { status: 'FAILED', ...options });
  const full: Samples = { errors: [], warnings: [], infos: [], importedObjects: [], ...samples };
  const totals = {
    errors: full.errors.length,
    warnings: full.warnings.length,
    infos: full.infos.length,
    importedObjects: full.importedObjects.length,
  };
  return { ...base, samples: full, manifest: { ...base.manifest, summary: { byType: { RULE: totals }, totals } } };
}

// The scanner hands the report a detail as the JSON text ISC sent (MessageSample.detailText).
const asText = (detail: unknown): string => (typeof detail === 'string' ? detail : deepJson(detail));
const error = (detail: unknown, i = 0): MessageSample => ({
  type: 'RULE',
  key: 'BAD_RULE',
  text: `Rule ${i} is invalid.`,
  detailText: asText(detail),
  detailTruncated: false,
});

/** Renders, then checks what the contract promises of any report: small, valid, inert. */
function renderChecked(input: ReportInput): { html: string; body: string } {
  const html = renderReport(input);
  expect(Buffer.byteLength(html)).toBeLessThan(REPORT_MAX_BYTES);
  expect(Buffer.byteLength(JSON.stringify({ statusCode: 200, body: html }))).toBeLessThan(LAMBDA_RESPONSE_LIMIT - 64 * 1024);
  const { doc, errors } = parseStrict(html);
  expect(errors).toEqual([]);
  expect(elements(doc, 'script')).toHaveLength(0);
  expect(elements(doc, 'img')).toHaveLength(0);
  return { html, body: text(doc) };
}

describe('the report stays under 5 MB whatever ISC sends', () => {
  it('shows a detail nested 2000 deep (an 8 MB page when pretty-printed) as its first levels', () => {
    const deep = deepValue(2_000);
    expect(JSON.stringify(deep).length).toBeLessThan(10_000);
    expect(JSON.stringify(deep, null, 2).length).toBeGreaterThan(REPORT_MAX_BYTES);
    const { body } = renderChecked(failedWith({ errors: [error(deep)] }));
    expect(body).toContain('Rule 0 is invalid.');
    expect(body).toMatch(/"a": \[\n\s+\{\n\s+"a": \[/);
    expect(body).toContain('Shortened here; the full value is in results.json.');
  });

  it('shows twenty of them, as values and as JSON text, in a page of bounded size', () => {
    const errors = Array.from({ length: 20 }, (_, i) => error(i % 2 ? deepValue(2_000) : deepText(2_000), i));
    const { html, body } = renderChecked(failedWith({ errors, warnings: errors }));
    expect(body).toContain('Errors (20)');
    expect(body).toContain('Rule 19 is invalid.');
    expect(Buffer.byteLength(html)).toBeLessThan(1_000_000);
  });

  it('shortens huge strings wherever ISC can put them', () => {
    const huge = `<b>${'"&\\'.repeat(7_000_000)}`;
    const message: MessageSample = { type: huge, key: huge, text: huge, detailText: huge, detailTruncated: false };
    const object: ObjectChange = {
      type: huge,
      id: huge,
      name: huge,
      change: 'CHANGED',
      fields: [{ path: huge, before: huge, after: { v: huge } }],
    };
    const changes = realisticChanges({ objects: [object] });
    const input = failedWith(
      { errors: [message], warnings: [message], infos: [message], importedObjects: [{ type: huge, id: huge, name: huge }] },
      {
        changes,
        manifest: {
          message: huge,
          tenant: huge,
          status: huge,
          backup: { state: 'UNAVAILABLE', reason: huge },
          changes: { ...computedRecord(changes), reason: huge },
        },
      },
    );
    const summary = { ...input.manifest.summary, byType: { [huge]: input.manifest.summary.totals } };
    const { html, body } = renderChecked({
      ...input,
      manifest: { ...input.manifest, summary },
      restores: [{ jobId: huge, preview: true, at: huge }],
    });
    expect(Buffer.byteLength(html)).toBeLessThan(1_000_000);
    expect(body).toContain('<b>"&\\"&\\');
    expect(body).toContain('Shortened here; the full value is in changes.json.');
  });

  it('lists as many entries as fit and says how many more are in results.json and changes.json', () => {
    // Quotes and backslashes cost the most: escaped for HTML, then for the JSON response.
    const costly = '"\\'.repeat(1_000);
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        type: costly,
        key: costly,
        text: `${i} ${costly}`,
        detailText: JSON.stringify({ costly, list: [costly, costly] }),
        detailTruncated: false,
      }));
    const objects: ObjectChange[] = Array.from({ length: 2_000 }, (_, i) => ({
      type: 'TRANSFORM',
      id: `${i}`,
      name: costly,
      change: 'CHANGED',
      fields: Array.from({ length: 150 }, (_, f) => ({ path: `/attributes/${f}`, before: costly, after: [costly] })),
    }));
    const changes: ChangesDocument = realisticChanges({ objects });
    const base = failedWith(
      {
        errors: many(300),
        warnings: many(300),
        infos: many(300),
        importedObjects: Array.from({ length: 300 }, (_, i) => ({ type: costly, id: `${i}`, name: costly })),
      },
      { changes, manifest: { changes: computedRecord(changes) } },
    );
    const byType = Object.fromEntries(
      Array.from({ length: 100_000 }, (_, i) => [`${i}<${'&'.repeat(40)}>`, { infos: 1, warnings: 1, errors: 1, importedObjects: 1 }]),
    );
    const restores = Array.from({ length: 10_000 }, (_, i) => ({ jobId: JOB_ID, preview: i % 2 === 0, at: `2026-11-28T11:00:${i}Z` }));
    const { html, body } = renderChecked({
      ...base,
      manifest: { ...base.manifest, summary: { ...base.manifest.summary, byType } },
      restores,
    });
    expect(Buffer.byteLength(html)).toBeGreaterThan(2_000_000);
    expect(body).toMatch(/\d+ more not listed here to keep this page under 5 MB; see results\.json\./);
    expect(body).toMatch(/\d+ more objects not listed here to keep this page under 5 MB; see changes\.json\./);
    expect(body).toMatch(/\d+ more object types not listed here to keep this page under 5 MB; see manifest\.json\./);
  });

  it('lists all 300 errors of a FAILED import even when each carries a 4 KB detail', () => {
    const detail = (i: number) => ({
      objectType: 'IDENTITY_PROFILE',
      objectName: `Profile ${i}`,
      missing: Array.from({ length: 50 }, (_, r) => ({ type: 'SOURCE', name: `Workday HR ${r}`, id: `2c9180835d2e5168015d32f890ca${r}` })),
    });
    expect(JSON.stringify(detail(0)).length).toBeGreaterThan(3_500);
    const errors = Array.from({ length: 300 }, (_, i) => error(detail(i), i));
    const { body } = renderChecked(failedWith({ errors }));
    expect(body).toContain('Rule 299 is invalid.');
    expect(body).not.toContain('not listed here');
  });

  it('keeps any input within the page budget it is given, as a valid page', () => {
    const limits: ReportLimits = {
      pageBytes: 60_000,
      listEntries: 40,
      textChars: 200,
      detailChars: 400,
      fieldChars: 300,
      fieldsPerObject: 8,
    };
    const anything = fc.anything({ maxDepth: 4, withBigInt: true, withNullPrototype: true });
    const message = fc.record({
      type: fc.string(),
      key: fc.option(fc.string()),
      text: fc.string({ unit: 'binary', maxLength: 2_000 }),
      detailText: fc.option(fc.oneof(anything.map(asText), fc.json())),
      detailTruncated: fc.boolean(),
    });
    const field = fc.record({ path: fc.string(), before: anything, after: anything }, { requiredKeys: ['path'] });
    const object = fc.record({
      type: fc.string(),
      id: fc.option(fc.string()),
      name: fc.option(fc.string()),
      change: fc.constantFrom('CREATED', 'CHANGED', 'UNCHANGED', 'UNKNOWN'),
      fields: fc.array(field, { maxLength: 12 }),
    });
    fc.assert(
      fc.property(fc.array(message, { maxLength: 80 }), fc.array(object, { maxLength: 80 }), (messages, objects) => {
        const changes = realisticChanges({ objects: objects as ObjectChange[] });
        const input = failedWith({ errors: messages, warnings: messages }, { changes, manifest: { changes: computedRecord(changes, 30) } });
        const html = renderReport(input, limits);
        expect(pageCost(html)).toBeLessThanOrEqual(limits.pageBytes);
        expect(html).not.toContain('The lists are left out');
        expect(parseStrict(html).errors).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the facts and totals when even they exceed the budget', () => {
    const html = renderReport(failedWith({ errors: [error(null)] }), { ...REPORT_LIMITS, pageBytes: 1_000 });
    const { doc, errors } = parseStrict(html);
    expect(errors).toEqual([]);
    expect(text(doc)).toContain('✗ Failed');
    expect(text(doc)).toContain('The lists are left out to keep this page small; see results.json and changes.json.');
    expect(text(doc)).not.toContain('Rule 0 is invalid.');
  });
});

/** JSON text of any depth, without recursion (JSON.stringify overflows at a few thousand levels). */
function deepJson(value: unknown): string {
  let out = '';
  const stack: unknown[] = [value];
  while (stack.length) {
    const next = stack.pop();
    if (typeof next === 'symbol') {
      out += next.description;
      continue;
    }
    if (Array.isArray(next)) {
      stack.push(Symbol(']'));
      for (let i = next.length - 1; i >= 0; i--) stack.push(next[i], ...(i > 0 ? [Symbol(',')] : []));
      out += '[';
      continue;
    }
    if (next && typeof next === 'object') {
      const entries = Object.entries(next);
      stack.push(Symbol('}'));
      for (let i = entries.length - 1; i >= 0; i--)
        stack.push(entries[i]![1], Symbol(`${JSON.stringify(entries[i]![0])}:`), ...(i > 0 ? [Symbol(',')] : []));
      out += '{';
      continue;
    }
    out += typeof next === 'bigint' ? next.toString() : (JSON.stringify(next) ?? 'null');
  }
  return out;
}
