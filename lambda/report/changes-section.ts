// "What changed": the manifest's changes record (state, counts, when the after-state was taken)
// and, from changes.json, each touched object with each changed field before and after.

import type { ChangeKind, ChangesDocument, FieldChange, ObjectChange } from '../domain/changes.ts';
import type { Manifest } from '../domain/manifest.ts';
import { clipText, type ShownText } from './bounded-text.ts';
import { escapeText } from './html-escape.ts';
import { detailText } from './json-text.ts';
import type { PageBudget } from './page-budget.ts';
import { type ReportLimits, STALE_AFTER_STATE_MS } from './report-input.ts';
import { listRows, moreNote, pre, short, time } from './section-parts.ts';
import { valueText } from './value-text.ts';

const NOT_RECORDED = {
  state: 'DISABLED',
  reason: 'Archived before changes were recorded.',
  afterExportJobId: null,
  afterExportedAt: null,
} as const;
const STATE_TONE: Record<string, string> = { COMPUTED: 'info', NONE: 'muted', DISABLED: 'muted', UNAVAILABLE: 'amber' };
/** The order objects are listed in: what the import did first, what it left alone last. */
const KIND_ORDER: readonly ChangeKind[] = ['CHANGED', 'CREATED', 'UNKNOWN', 'UNCHANGED'];
const KIND_TONE: Record<ChangeKind, string> = { CHANGED: 'amber', CREATED: 'ok', UNKNOWN: 'info', UNCHANGED: 'muted' };

export function changesSection(m: Manifest, doc: ChangesDocument | null, budget: PageBudget, limits: ReportLimits): string {
  // A manifest archived before changes were recorded has no record: say so rather than fail.
  const record = m.changes ?? { ...NOT_RECORDED, counts: { created: 0, changed: 0, unchanged: 0, unknown: 0 } };
  const state = short(record.state, 50);
  const head = budget.spend(`<h2 id="changes">What changed</h2>
<p><span class="pill ${STATE_TONE[record.state] ?? 'muted'}">${state}</span> ${short(record.reason, limits.textChars)}</p>`);
  if (record.state !== 'COMPUTED') return head;
  return head + budget.spend(`${counts(record.counts)}\n${when(m, doc)}`) + objectList(doc, budget, limits);
}

function counts(c: Manifest['changes']['counts']): string {
  const items = (['changed', 'created', 'unchanged', 'unknown'] as const).map(
    (k) => `<li class="${k}"><span class="n">${Number(c?.[k] ?? 0)}</span> ${k}</li>`,
  );
  return `<ul class="totals" aria-label="Objects by change">\n${items.join('\n')}\n</ul>`;
}

/** When the after-state was taken, against what it was compared, and the warning when it is late. */
function when(m: Manifest, doc: ChangesDocument | null): string {
  const takenAt = m.changes.afterExportedAt ?? doc?.after?.exportedAt ?? null;
  const exportId = m.changes.afterExportJobId ?? doc?.after?.exportJobId ?? null;
  const gap = takenAt && m.completed ? Date.parse(takenAt) - Date.parse(m.completed) : Number.NaN;
  const after = Number.isFinite(gap)
    ? `, ${gap >= 0 ? `${duration(gap)} after the import completed` : 'before the import was reported complete'}`
    : '';
  const before = doc?.before
    ? `the pre-import backup <code>${short(doc.before.exportJobId, 100)}</code>`
    : doc
      ? 'no backup: ISC took none, or it was not archived (objects are UNKNOWN)'
      : 'the pre-import backup (see changes.json)';
  const facts = `<dl class="facts">
<dt>After-state</dt><dd>taken ${time(takenAt)}${exportId ? ` by export <code>${short(exportId, 100)}</code>` : ''}${after}</dd>
<dt>Compared with</dt><dd>${before}</dd>
</dl>`;
  if (!(gap > STALE_AFTER_STATE_MS)) return facts;
  return `${facts}
<p class="warn" role="note"><strong>⚠ Taken ${duration(gap)} after the import completed</strong> (more than ${STALE_AFTER_STATE_MS / 60_000} minutes): someone may have changed these objects in between, and such edits show here as if the import made them.</p>`;
}

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'less than a minute';
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return `${Math.floor(minutes / 60)} hours ${minutes % 60} minutes`;
}

function objectList(doc: ChangesDocument | null, budget: PageBudget, limits: ReportLimits): string {
  const objects = Array.isArray(doc?.objects) ? doc.objects : null;
  if (!objects) return budget.spend('<p class="more">The objects are listed in changes.json.</p>');
  if (objects.length === 0) return budget.spend('<p>The results list no imported objects to compare.</p>');
  const legend = budget.spend(
    `<p class="legend">CHANGED: fields differ from the backup (the <code>created</code> and <code>modified</code> stamps are not compared) · CREATED: not in the backup · UNKNOWN: no backup to compare with, or not in the after-state · UNCHANGED: as in the backup.</p>`,
  );
  const cards: string[] = [];
  let cut = false;
  for (const object of inOrder(objects)) {
    if (cards.length >= limits.listEntries) break;
    const card = objectCard(object, budget, limits);
    if (card === undefined) {
      cut = true;
      break;
    }
    cards.push(card);
  }
  return `${legend}\n${cards.join('\n')}${budget.spend(moreNote({ shown: cards.length, cut }, objects.length, 'changes.json', 'more objects'))}`;
}

function* inOrder(objects: readonly ObjectChange[]): Generator<ObjectChange> {
  for (const kind of KIND_ORDER) for (const object of objects) if (object?.change === kind) yield object;
  for (const object of objects) if (!KIND_ORDER.includes(object?.change)) yield object;
}

/** One object's card, or undefined when not even its heading fits the budget. */
function objectCard(object: ObjectChange, budget: PageBudget, limits: ReportLimits): string | undefined {
  const kind = short(object?.change ?? 'UNKNOWN', 20);
  const name = object?.name ? short(object.name, limits.textChars) : '<span class="absent">(no name)</span>';
  const id = object?.id ? `id <code>${short(object.id, limits.textChars)}</code>` : 'no id';
  const heading = `<article class="obj">
<h3><span class="kind ${KIND_TONE[object?.change] ?? 'muted'}">${kind}</span> <span class="oname">${name}</span> <span class="otype">${short(object?.type, 200)}</span> <span class="oid">${id}</span></h3>`;
  if (!budget.take(heading)) return undefined;
  const fields = object.change === 'CHANGED' && Array.isArray(object.fields) ? object.fields : [];
  if (object.change === 'CHANGED' && fields.length === 0)
    return heading + budget.spend('<p class="note">No field differences listed.</p></article>');
  if (fields.length === 0) return heading + budget.spend('</article>');
  const listed = listRows(fields, limits.fieldsPerObject, budget, (f) => fieldRow(f, limits));
  return `${heading}${budget.spend(`
<table class="list fields"><colgroup><col class="path"><col><col></colgroup>
<thead><tr><th scope="col">Field</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
<tbody>
`)}${listed.html}${budget.spend(`
</tbody></table>${moreNote(listed, fields.length, 'changes.json', 'more fields')}
</article>`)}`;
}

function fieldRow(field: FieldChange, limits: ReportLimits): string {
  const path =
    typeof field?.path === 'string' && field.path !== ''
      ? `<code>${short(field.path, 500)}</code>`
      : '<span class="absent">(the whole object)</span>';
  return `<tr><td data-label="Field">${path}</td><td class="before" data-label="Before">${side(field, 'before', limits)}</td><td class="after" data-label="After">${side(field, 'after', limits)}</td></tr>`;
}

// A key on one side only: changes.json leaves the value out (or it reads undefined).
const ABSENT = { before: 'absent: not set before the import', after: 'absent: removed by the import' } as const;
const FULL_VALUE_IN = { before: 'the pre-import backup', after: 'the after-state export' } as const;

function side(field: FieldChange, which: 'before' | 'after', limits: ReportLimits): string {
  if (typeof field !== 'object' || field === null || !(which in field) || field[which] === undefined) {
    return `<span class="absent">${ABSENT[which]}</span>`;
  }
  const value: unknown = field[which];
  if (isShortened(value)) {
    const preview = detailText(value.preview, limits.fieldChars);
    return `<pre>${escapeText(preview.text)}…</pre><p class="note">Shortened in changes.json: ${Number(value.bytes)} bytes in all, sha256 <code>${short(value.sha256, 64)}</code>; the full value is in ${FULL_VALUE_IN[which]}.</p>`;
  }
  return pre(typeof value === 'string' ? quoted(value, limits.fieldChars) : valueText(value, limits.fieldChars), 'changes.json');
}

/** A string as text between quotes (line breaks kept), so "1" and 1, or "" and absent, differ. */
function quoted(text: string, limit: number): ShownText {
  const shown = clipText(text, limit);
  return { text: `"${shown.text}${shown.shortened ? '' : '"'}`, shortened: shown.shortened };
}

interface Shortened {
  readonly truncated: true;
  readonly preview: string;
  readonly bytes: number;
  readonly sha256: string;
}

function isShortened(value: unknown): value is Shortened {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return v.truncated === true && typeof v.preview === 'string' && typeof v.sha256 === 'string';
}
