// The report's sections about the import itself: the header and facts, the totals, the counts per
// object type, every error and warning with its object, the imported objects.
import type { Manifest } from '../domain/manifest.ts';
import { CATEGORIES, type Category, type MessageSample, type ObjectRef } from '../domain/summary.ts';
import { detailText } from './json-text.ts';
import type { PageBudget } from './page-budget.ts';
import type { ReportLimits } from './report-input.ts';
import { listRows, moreNote, pre, short, time } from './section-parts.ts';

const STATE: Record<string, { label: string; mark: string; tone: string }> = {
  COMPLETE: { label: 'Complete', mark: '✓', tone: 'ok' },
  FAILED: { label: 'Failed', mark: '✗', tone: 'bad' },
  CANCELLED: { label: 'Cancelled', mark: '–', tone: 'muted' },
};

export const LABELS: Record<Category, string> = {
  errors: 'errors',
  warnings: 'warnings',
  infos: 'infos',
  importedObjects: 'imported objects',
};

export function stateOf(status: string): { label: string; mark: string; tone: string } {
  return STATE[status] ?? { label: status.slice(0, 100), mark: '?', tone: 'muted' };
}

export function header(m: Manifest, limits: ReportLimits): string {
  const state = stateOf(m.status);
  return `<header>
<p>SailPoint ISC sp-config import · tenant <strong>${short(m.tenant, 200)}</strong></p>
<h1>Import <code>${short(m.jobId, 100)}</code></h1>
<p><span class="status ${state.tone}" role="status">${state.mark} ${short(state.label, 100)}</span>${m.message ? ` <span>${short(m.message, limits.textChars)}</span>` : ''}</p>
</header>`;
}

export function facts(m: Manifest, limits: ReportLimits): string {
  const exportJob = m.exportJobId ? ` <code>${short(m.exportJobId, 100)}</code>` : '';
  return `<dl class="facts">
<dt>Tenant</dt><dd>${short(m.tenant, 200)}</dd>
<dt>Job id</dt><dd><code>${short(m.jobId, 100)}</code></dd>
<dt>Status</dt><dd>${short(m.status, 100)}</dd>
<dt>Created</dt><dd>${time(m.created)}</dd>
<dt>Completed</dt><dd>${time(m.completed)}</dd>
<dt>Archived</dt><dd>${time(m.archivedAt)}</dd>
<dt>API version</dt><dd>${short(m.apiVersion, 50)}</dd>
<dt>Backup</dt><dd>${short(m.backup.state, 50)}${exportJob}: ${short(m.backup.reason, limits.textChars)}</dd>
</dl>`;
}

export function totals(m: Manifest): string {
  const t = m.summary.totals;
  const items = (['errors', 'warnings', 'infos', 'importedObjects'] as const).map(
    (c) => `<li class="${c}"><span class="n">${Number(t[c])}</span> ${LABELS[c]}</li>`,
  );
  return `<h2 id="totals">Totals</h2>
<ul class="totals">
${items.join('\n')}
</ul>`;
}

export function byType(m: Manifest, budget: PageBudget, limits: ReportLimits): string {
  const types = Object.keys(m.summary.byType).sort();
  if (types.length === 0) return budget.spend('<p>The results list no object types.</p>');
  const listed = listRows(types, Number.POSITIVE_INFINITY, budget, (type) => {
    const counts = m.summary.byType[type]!;
    return `<tr><th scope="row">${short(type, limits.textChars)}</th>${CATEGORIES.map((k) => `<td class="num">${Number(counts[k])}</td>`).join('')}</tr>`;
  });
  return (
    budget.spend(`<h2 id="by-type">By object type</h2>
<div class="scroll"><table>
<caption class="more">Counts per object type</caption>
<thead><tr><th scope="col">Object type</th>${CATEGORIES.map((k) => `<th scope="col" class="num">${LABELS[k]}</th>`).join('')}</tr></thead>
<tbody>
`) +
    listed.html +
    budget.spend(`
</tbody></table></div>${moreNote(listed, types.length, 'manifest.json', 'more object types')}`)
  );
}

export function messages(
  title: string,
  id: string,
  list: readonly MessageSample[],
  total: number,
  budget: PageBudget,
  limits: ReportLimits,
): string {
  if (total === 0) return budget.spend(`<h2 id="${id}">${title}</h2><p>None.</p>`);
  const listed = listRows(list, limits.listEntries, budget, (m) => {
    const key = m.key === null || m.key === undefined ? '—' : `<code>${short(m.key, 200)}</code>`;
    return `<tr><td data-label="Object type">${short(m.type, 200)}</td><td data-label="Key">${key}</td><td class="msg" data-label="Message">${short(m.text, limits.textChars)}${detail(m.detailText, limits)}</td></tr>`;
  });
  return (
    budget.spend(`<h2 id="${id}">${title} (${total})</h2>
<div class="scroll"><table class="list">
<thead><tr><th scope="col">Object type</th><th scope="col">Key</th><th scope="col">Message</th></tr></thead>
<tbody>
`) +
    listed.html +
    budget.spend(`
</tbody></table></div>${moreNote(listed, total, 'results.json')}`)
  );
}

function detail(value: unknown, limits: ReportLimits): string {
  if (value === null || value === undefined || value === '') return '';
  return pre(detailText(value, limits.detailChars), 'results.json');
}

export function imported(list: readonly ObjectRef[], total: number, budget: PageBudget, limits: ReportLimits): string {
  if (total === 0) return budget.spend('<h2 id="imported">Imported objects</h2><p>None.</p>');
  const listed = listRows(
    list,
    limits.listEntries,
    budget,
    (o) =>
      `<tr><td data-label="Type">${short(o.type, 200)}</td><td class="msg" data-label="Name">${short(o.name, limits.textChars)}</td><td class="msg" data-label="Id"><code>${short(o.id, limits.textChars)}</code></td></tr>`,
  );
  return (
    budget.spend(`<h2 id="imported">Imported objects (${total})</h2>
<div class="scroll"><table class="list">
<thead><tr><th scope="col">Type</th><th scope="col">Name</th><th scope="col">Id</th></tr></thead>
<tbody>
`) +
    listed.html +
    budget.spend(`
</tbody></table></div>${moreNote(listed, total, 'results.json')}`)
  );
}

export function footer(m: Manifest): string {
  const objects = m.objects.slice(0, 10).map((o) => `${short(o.role, 20)}: <code>${short(o.key, 1_000)}</code> (${Number(o.bytes)} bytes)`);
  return `<footer>Archived by ${short(m.archiver.name, 100)} ${short(m.archiver.version, 100)} · ${objects.join(' · ') || 'no objects'}</footer>`;
}
