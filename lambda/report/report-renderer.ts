// The report: one self-contained HTML page describing an archived import (docs/contract.md, "S3
// layout"). It stays under REPORT_MAX_BYTES whatever ISC sends: every value is shortened
// (value-text.ts), and every list draws on a share of one page budget (page-budget.ts).
import type { Manifest } from '../domain/manifest.ts';
import { changesSection } from './changes-section.ts';
import { byType, facts, footer, header, imported, messages, stateOf, totals } from './import-sections.ts';
import { PageBudget, pageCost } from './page-budget.ts';
import { page } from './page-shell.ts';
import { REPORT_LIMITS, type ReportInput, type ReportLimits } from './report-input.ts';
import { restoreOf, restoresFrom } from './restore-section.ts';

export {
  REPORT_LIMITS,
  REPORT_LIST_LIMIT,
  REPORT_MAX_BYTES,
  type ReportInput,
  type ReportLimits,
  type RestoreEntry,
} from './report-input.ts';

/**
 * How the page budget is shared. Sections draw in page order, each taking its weight's part of
 * what is left then: what one leaves unused passes on to those after it (a FAILED import with no
 * changes gives its errors most of the page).
 */
const WEIGHTS = { restores: 1, changes: 8, byType: 2, errors: 6, warnings: 2, imported: 1.5, infos: 1.5 } as const;
type Section = keyof typeof WEIGHTS;
const CLOSING_RESERVE = 32 * 1024;

function sharer(budget: PageBudget, sections: readonly Section[]): (section: Section) => PageBudget {
  let weightLeft = sections.reduce((sum, s) => sum + WEIGHTS[s], 0);
  return (section) => {
    const share = budget.share(Math.floor((budget.left * WEIGHTS[section]) / weightLeft));
    weightLeft -= WEIGHTS[section];
    return share;
  };
}

export function renderReport(input: ReportInput, limits: ReportLimits = REPORT_LIMITS): string {
  const html = fullReport(input, limits);
  // The budget makes this unreachable; if a part were ever left out of it, the promise still holds.
  return pageCost(html) <= limits.pageBytes ? html : page(title(input.manifest), essentials(input.manifest, limits));
}

function title(m: Manifest): string {
  return `Import ${m.jobId.slice(0, 100)} — ${stateOf(m.status).label}`;
}

function fullReport(input: ReportInput, limits: ReportLimits): string {
  const m = input.manifest;
  // Rows are only added while they fit; headings and closing tags are counted after them, so
  // each section may end a little over its share: this reserve absorbs that.
  const budget = new PageBudget(limits.pageBytes - CLOSING_RESERVE);
  budget.spend(page(title(m), ''));
  const foot = budget.spend(footer(m));
  const samples = input.samples;
  const cancelled = m.status === 'CANCELLED';
  const share = sharer(budget, [
    'restores',
    'changes',
    ...(cancelled ? [] : ['byType' as const]),
    ...(samples ? (['errors', 'warnings', 'imported', 'infos'] as const) : []),
  ]);
  const t = m.summary.totals;
  const parts = [
    budget.spend(`${header(m, limits)}\n${nav(input)}`),
    budget.spend(facts(m, limits)),
    restoreOf(m, budget),
    restoresFrom(input.restores, share('restores'), limits),
    budget.spend(totals(m)),
    changesSection(m, input.changes, share('changes'), limits),
    cancelled ? budget.spend('<p>The import was cancelled: ISC produced no results to archive.</p>') : byType(m, share('byType'), limits),
  ];
  if (samples) {
    parts.push(
      messages('Errors', 'errors', samples.errors, t.errors, share('errors'), limits),
      messages('Warnings', 'warnings', samples.warnings, t.warnings, share('warnings'), limits),
      imported(samples.importedObjects, t.importedObjects, share('imported'), limits),
      messages('Infos', 'infos', samples.infos, t.infos, share('infos'), limits),
    );
  }
  return page(title(m), `${parts[0]}\n<main>\n${parts.slice(1).filter(Boolean).join('\n')}\n</main>\n${foot}`);
}

function nav(input: ReportInput): string {
  const links: [string, string][] = [];
  if (input.manifest.restore) links.push(['restore', 'Restore']);
  if (input.restores?.length) links.push(['restores', 'Restores']);
  links.push(['totals', 'Totals'], ['changes', 'What changed']);
  if (input.samples) links.push(['errors', 'Errors'], ['warnings', 'Warnings'], ['imported', 'Imported objects'], ['infos', 'Infos']);
  return `<nav class="toc" aria-label="Sections">${links.map(([id, label]) => `<a href="#${id}">${label}</a>`).join('')}</nav>`;
}

/** The page when the lists cannot be shown: the facts and the totals, all of bounded size. */
function essentials(m: Manifest, limits: ReportLimits): string {
  return `${header(m, limits)}\n<main>\n${facts(m, limits)}\n${totals(m)}\n<p class="more">The lists are left out to keep this page small; see results.json and changes.json.</p>\n</main>\n${footer(m)}`;
}
