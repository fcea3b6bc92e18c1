// Links between an import's report and its restores' reports. Reports sit in sibling folders
// ({prefix}{tenant}/imports/{jobId}/report.html), so a relative link works straight from S3.

import { isJobId } from '../contract/job-id.ts';
import type { Manifest, RestoreLink } from '../domain/manifest.ts';
import type { PageBudget } from './page-budget.ts';
import type { ReportLimits, RestoreEntry } from './report-input.ts';
import { listRows, moreNote, short, time } from './section-parts.ts';

/** A link to another job's report, or the id as plain text when it is not a job id. */
export function reportLink(jobId: string | null | undefined): string {
  if (!isJobId(jobId)) return jobId ? `<code>${short(jobId, 100)}</code>` : '—';
  const id = jobId.toLowerCase();
  return `<a href="../${id}/report.html"><code>${id}</code></a>`;
}

/** "Restore of …" for a restore job (manifest.restore); nothing for an ordinary import. */
export function restoreOf(m: Manifest, budget: PageBudget): string {
  const link = m.restore;
  if (!link) return '';
  const kind = link.preview
    ? 'Preview: ISC checked what the backup would restore and changed nothing.'
    : 'Apply: the backup’s objects were imported again.';
  return budget.spend(`<h2 id="restore">Restore of ${reportLink(link.of)}</h2>
<dl class="facts">
<dt>Kind</dt><dd>${kind}</dd>
<dt>Restore of</dt><dd>import ${reportLink(link.of)} (its report)</dd>
<dt>Preview job</dt><dd>${link.preview ? 'this job' : reportLink(link.previewJobId)}</dd>
<dt>Selection</dt><dd>${selection(link.selection)}</dd>
</dl>`);
}

const SHOWN_TYPES = 30;

function selection(s: RestoreLink['selection'] | undefined): string {
  const types = Array.isArray(s?.includeTypes) ? s.includeTypes : [];
  if (types.length === 0) return 'no object types';
  const shown = types.slice(0, SHOWN_TYPES).map((type) => {
    const options = s?.objectOptions?.[type];
    const ids = Array.isArray(options?.includedIds) ? options.includedIds.length : 0;
    const names = Array.isArray(options?.includedNames) ? options.includedNames.length : 0;
    const which = ids || names ? ` (${[ids ? `${ids} by id` : '', names ? `${names} by name` : ''].filter(Boolean).join(', ')})` : ' (all)';
    return `<code>${short(type, 100)}</code>${which}`;
  });
  const rest = types.length > SHOWN_TYPES ? `, and ${types.length - SHOWN_TYPES} more types (see manifest.json)` : '';
  return shown.join(', ') + rest;
}

/** The restores started from this job, newest first, each linking to its report. */
export function restoresFrom(restores: readonly RestoreEntry[] | undefined, budget: PageBudget, limits: ReportLimits): string {
  if (!Array.isArray(restores) || restores.length === 0) return '';
  const newestFirst = [...restores].sort((a, b) => String(b?.at).localeCompare(String(a?.at)));
  const listed = listRows(
    newestFirst,
    limits.listEntries,
    budget,
    (r) =>
      `<tr><td data-label="Started">${time(r?.at)}</td><td data-label="Job">${reportLink(r?.jobId)}</td><td data-label="Kind">${r?.preview ? 'Preview' : 'Apply'}</td></tr>`,
  );
  return (
    budget.spend(`<h2 id="restores">Restores of this import (${restores.length})</h2>
<div class="scroll"><table class="list">
<thead><tr><th scope="col">Started</th><th scope="col">Job</th><th scope="col">Kind</th></tr></thead>
<tbody>
`) +
    listed.html +
    budget.spend(`
</tbody></table></div>${moreNote(listed, restores.length, 'GET /imports/{jobId}', 'more restores')}`)
  );
}
