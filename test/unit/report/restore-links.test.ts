import { describe, expect, it } from 'vitest';
import type { RestoreLink } from '../../../lambda/domain/manifest.ts';
import { type ReportInput, renderReport } from '../../../lambda/report/report-renderer.ts';
import { completeResults } from '../../../local/import-results.ts';
import { attr, elements, parseStrict, text } from './parsed-html.ts';
import { BACKUP_ID, reportInput } from './report-fixtures.ts';

const ORIGINAL = '4fb105031c4946038f8d886e1f6aa47b';
const PREVIEW = '9d3c0b7e-52a1-4c8e-b1f0-6a2d9e8c7b10';

const selection: RestoreLink['selection'] = {
  includeTypes: ['TRANSFORM', 'RULE'],
  objectOptions: {
    TRANSFORM: { includedIds: ['b8d4c2e1-3a5f-4f2e-9d1c-7e6a5b4c3d2e', 'c1'], includedNames: [] },
    RULE: { includedIds: [], includedNames: ['Build Account Map'] },
  },
};

function render(input: ReportInput) {
  const { doc, errors } = parseStrict(renderReport(input));
  expect(errors).toEqual([]);
  const links = elements(doc, 'a').filter((a) => !attr(a, 'href')?.startsWith('#'));
  return { body: text(doc), links: links.map((a) => ({ href: attr(a, 'href'), text: text(a) })) };
}

describe("links between an import's report and its restores' reports", () => {
  it('shows a restore preview as "Restore of" the original, linking to its report', () => {
    const restore: RestoreLink = { of: ORIGINAL, preview: true, selection, previewJobId: null };
    const { body, links } = render(reportInput(completeResults(BACKUP_ID), { manifest: { restore } }));
    expect(body).toContain(`Restore of ${ORIGINAL}`);
    expect(body).toContain('Preview: ISC checked what the backup would restore and changed nothing.');
    expect(body).toContain('TRANSFORM (2 by id), RULE (1 by name)');
    expect(links).toContainEqual({ href: `../${ORIGINAL}/report.html`, text: ORIGINAL });
  });

  it('shows an applied restore with links to the original and to the preview that allowed it', () => {
    const restore: RestoreLink = { of: ORIGINAL, preview: false, selection, previewJobId: PREVIEW };
    const { body, links } = render(reportInput(completeResults(BACKUP_ID), { manifest: { restore } }));
    expect(body).toContain('Apply: the backup’s objects were imported again.');
    expect(links).toContainEqual({ href: `../${ORIGINAL}/report.html`, text: ORIGINAL });
    expect(links).toContainEqual({ href: `../${PREVIEW}/report.html`, text: PREVIEW });
  });

  it('lists the restores started from this job, newest first, each linking to its report', () => {
    const restores = [
      { jobId: PREVIEW, preview: true, at: '2026-11-28T11:00:00Z' },
      { jobId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', preview: false, at: '2026-11-28T11:05:00Z' },
    ];
    const { body, links } = render(reportInput(completeResults(BACKUP_ID), { restores }));
    expect(body).toContain('Restores of this import (2)');
    expect(body).toMatch(/2026-11-28T11:05:00Z\s*a{32}\s*Apply\s*2026-11-28T11:00:00Z\s*9d3c0b7e-52a1-4c8e-b1f0-6a2d9e8c7b10\s*Preview/);
    expect(links.map((l) => l.href)).toEqual(['../aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/report.html', `../${PREVIEW}/report.html`]);
  });

  it('links only to job ids: anything else is shown as text and goes nowhere', () => {
    const hostile = '../../../other-tenant/x"><script>alert(1)</script>';
    const restore: RestoreLink = { of: hostile, preview: false, selection, previewJobId: 'javascript:alert(1)' };
    const { body, links } = render(
      reportInput(null, {
        status: 'CANCELLED',
        manifest: { restore },
        restores: [{ jobId: 'http://evil.example/', preview: true, at: 'now' }],
      }),
    );
    expect(links).toEqual([]);
    expect(body).toContain(hostile);
    expect(body).toContain('javascript:alert(1)');
  });

  it('shows neither section for an ordinary import with no restores', () => {
    const { body, links } = render(reportInput(completeResults(BACKUP_ID)));
    expect(body).not.toContain('Restore');
    expect(links).toEqual([]);
  });
});
