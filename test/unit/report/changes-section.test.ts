import { describe, expect, it } from 'vitest';
import type { ChangesDocument, ChangesRecord, ObjectChange } from '../../../lambda/domain/changes.ts';
import { REPORT_LIST_LIMIT, renderReport } from '../../../lambda/report/report-renderer.ts';
import { completeResults } from '../../../local/import-results.ts';
import { type Element, elements, parseStrict, text } from './parsed-html.ts';
import { AFTER_ID, BACKUP_ID, CHANGES_DISABLED, computedRecord, realisticChanges, reportInput } from './report-fixtures.ts';

function render(changes: ChangesDocument | null, record: ChangesRecord) {
  const html = renderReport(reportInput(completeResults(BACKUP_ID), { changes, manifest: { changes: record } }));
  const { doc, errors } = parseStrict(html);
  expect(errors).toEqual([]);
  const section = changesPart(doc);
  return { body: text(section), cards: elements(section, 'article'), html };
}

/** The "What changed" section: from its heading up to the next h2. */
function changesPart(doc: Parameters<typeof elements>[0]): Element {
  const main = elements(doc, 'main')[0]!;
  const start = main.childNodes.findIndex((n) => 'tagName' in n && n.tagName === 'h2' && text(n) === 'What changed');
  expect(start).toBeGreaterThanOrEqual(0);
  const end = main.childNodes.findIndex((n, i) => i > start && 'tagName' in n && n.tagName === 'h2');
  return { ...main, childNodes: main.childNodes.slice(start, end < 0 ? undefined : end) };
}

const cardOf = (cards: Element[], name: string) => cards.find((c) => text(elements(c, 'h3')[0]!).includes(name))!;

describe('the report\'s "What changed" section', () => {
  it('shows the counts, the after-state, and each changed field before and after', () => {
    const doc = realisticChanges();
    const { body, cards } = render(doc, computedRecord(doc, 2));
    expect(body).toContain('COMPUTED');
    expect(body).toMatch(/1\s*changed\s*1\s*created\s*3\s*unchanged\s*0\s*unknown/);
    expect(body).toContain(`taken 2026-11-28T10:03:00.000Z by export ${AFTER_ID}, 2 minutes after the import completed`);
    expect(body).toContain(`the pre-import backup ${BACKUP_ID}`);
    expect(body).not.toContain('⚠');

    const transform = cardOf(cards, 'Lowercase Email');
    expect(text(transform)).toMatch(/^\s*CHANGED Lowercase Email TRANSFORM id b8d4c2e1-3a5f-4f2e-9d1c-7e6a5b4c3d2e/);
    const [input, description] = elements(transform, 'tr')
      .slice(1)
      .map((row) => elements(row, 'td').map(text));
    expect(input![0]).toBe('/attributes/input');
    expect(input![1]).toContain('"attributeName": "mail"');
    expect(input![2]).toContain('"attributeName": "userPrincipalName"');
    expect(description).toEqual(['/attributes/description', 'absent: not set before the import', '"Work email, lower case, from the UPN"']);

    expect(text(cardOf(cards, 'Active Directory'))).toMatch(/CREATED Active Directory SOURCE id 2c9180835d2e5168015d32f890ca1581/);
    expect(text(cardOf(cards, 'Build Account Map'))).toMatch(/UNCHANGED Build Account Map RULE/);
    expect(elements(cardOf(cards, 'Build Account Map'), 'table')).toHaveLength(0);
    // What the import did comes first, what it left alone last.
    expect(cards.map((c) => text(elements(c, 'span')[0]!))).toEqual(['CHANGED', 'CREATED', 'UNCHANGED', 'UNCHANGED', 'UNCHANGED']);
  });

  it('reads a value missing on either side as absent, as changes.json stores it (no key)', () => {
    const stored = JSON.parse(
      JSON.stringify(
        realisticChanges({
          objects: [
            {
              type: 'SOURCE',
              id: '1',
              name: 'HR',
              change: 'CHANGED',
              fields: [
                { path: '/owner', before: { type: 'IDENTITY', name: 'Ann' }, after: undefined },
                { path: '/description', before: null, after: '' },
              ],
            },
          ],
        }),
      ),
    ) as ChangesDocument;
    expect(Object.keys(stored.objects[0]!.fields[0]!)).toEqual(['path', 'before']);
    const { cards } = render(stored, computedRecord(stored));
    const rows = elements(cards[0]!, 'tr')
      .slice(1)
      .map((row) => elements(row, 'td').map(text));
    expect(rows[0]![2]).toBe('absent: removed by the import');
    expect(rows[1]).toEqual(['/description', 'null', '""']);
  });

  it('warns when the after-state was taken more than 10 minutes after the import completed', () => {
    const doc = realisticChanges();
    expect(render(doc, computedRecord(doc, 10)).body).not.toContain('⚠');
    const late = render(doc, computedRecord(doc, 11)).body;
    expect(late).toContain('11 minutes after the import completed');
    expect(late).toContain(
      '⚠ Taken 11 minutes after the import completed (more than 10 minutes): someone may have changed these objects in between',
    );
    expect(render(doc, computedRecord(doc, 185)).body).toContain('⚠ Taken 3 hours 5 minutes after');
  });

  it.each([
    ['NONE', 'The import imported nothing.'],
    ['DISABLED', 'ARCHIVE_CHANGES is false.'],
    ['UNAVAILABLE', 'The after-state export failed: 403 Forbidden (sp:config:read missing).'],
  ] as const)('shows the state %s with its reason and no object list', (state, reason) => {
    const { body, cards } = render(null, { ...CHANGES_DISABLED, state, reason });
    expect(body).toContain(`${state} ${reason}`);
    expect(cards).toHaveLength(0);
    expect(body).not.toContain('After-state');
  });

  it('points to changes.json when the record is computed but the document was not passed', () => {
    const doc = realisticChanges();
    const { body } = render(null, computedRecord(doc));
    expect(body).toMatch(/1\s*changed/);
    expect(body).toContain('The objects are listed in changes.json.');
  });

  it('shows a value changes.json shortened as its preview, its size and its full sha256', () => {
    const sha256 = 'a'.repeat(64);
    const doc = realisticChanges({
      objects: [
        {
          type: 'RULE',
          id: 'r1',
          name: 'Big Rule',
          change: 'CHANGED',
          fields: [
            {
              path: '/sourceCode/script',
              before: { truncated: true, preview: 'import sailpoint.object.*;\nreturn map;', bytes: 48_213, sha256 },
              after: 'return null;',
            },
          ],
        },
      ],
    });
    const { cards } = render(doc, computedRecord(doc));
    const before = text(elements(cards[0]!, 'td')[1]!);
    expect(before).toContain('import sailpoint.object.*;\nreturn map;…');
    expect(before).toContain(
      `Shortened in changes.json: 48213 bytes in all, sha256 ${sha256}; the full value is in the pre-import backup.`,
    );
    expect(text(elements(cards[0]!, 'td')[2]!)).toBe('"return null;"');
  });

  it('shortens long values and keeps every value from ISC as text', () => {
    const hostile = '</pre></td><script>alert(1)</script><a href="http://evil">x</a>';
    const doc = realisticChanges({
      objects: [
        {
          type: `<i>${hostile}`,
          id: hostile,
          name: hostile,
          change: 'CHANGED',
          fields: [{ path: hostile, before: hostile, after: { [hostile]: 'y'.repeat(50_000) } }],
        },
      ],
    });
    const { body, cards, html } = render(doc, computedRecord(doc));
    expect(html).not.toContain('<script>');
    expect(elements(cards[0]!, 'a')).toHaveLength(0);
    expect(elements(cards[0]!, 'i')).toHaveLength(0);
    expect(body).toContain(hostile);
    const after = text(elements(cards[0]!, 'td')[2]!);
    expect(after.length).toBeLessThan(2_500);
    expect(after).toContain('Shortened here; the full value is in changes.json.');
  });

  it(`lists the first ${REPORT_LIST_LIMIT} objects and says how many more are in changes.json`, () => {
    const objects: ObjectChange[] = Array.from({ length: REPORT_LIST_LIMIT + 42 }, (_, i) => ({
      type: 'TRANSFORM',
      id: `t${i}`,
      name: `Transform ${i}`,
      change: i % 2 ? 'UNCHANGED' : 'CHANGED',
      fields: i % 2 ? [] : Array.from({ length: i === 0 ? 120 : 2 }, (_, f) => ({ path: `/attributes/f${f}`, before: f, after: f + 1 })),
    }));
    const doc = realisticChanges({ objects });
    const { body, cards } = render(doc, computedRecord(doc));
    expect(cards).toHaveLength(REPORT_LIST_LIMIT);
    expect(body).toContain('42 more objects not listed here; see changes.json.');
    expect(elements(cards[0]!, 'tr')).toHaveLength(101);
    expect(text(cards[0]!)).toContain('20 more fields not listed here; see changes.json.');
  });
});
