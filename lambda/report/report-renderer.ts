import { escapeHtml as e } from './html-escape.ts';
import { CATEGORIES, type Category, type MessageSample, type Samples } from '../results/results-scanner.ts';
import type { Manifest } from '../archive/manifest.ts';

export type ReportInput = Manifest & { readonly samples: Samples | null };

/** Entries listed per section; the rest are counted and left to results.json. */
export const REPORT_LIST_LIMIT = 300;

const STATE: Record<string, { label: string; mark: string; tone: string }> = {
  COMPLETE: { label: 'Complete', mark: '✓', tone: 'ok' },
  FAILED: { label: 'Failed', mark: '✗', tone: 'bad' },
  CANCELLED: { label: 'Cancelled', mark: '–', tone: 'muted' },
};

// Colours chosen for at least 4.5:1 contrast on their backgrounds; the state is also spelled out.
const STYLE = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#fff;line-height:1.45}
body{margin:0 auto;max-width:72rem;padding:1rem;overflow-wrap:anywhere}
h1{font-size:1.4rem;margin:.2rem 0 1rem}h2{font-size:1.15rem;margin:2rem 0 .6rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
.status{display:inline-block;padding:.25rem .7rem;border-radius:.4rem;font-weight:700;border:2px solid}
.ok{background:#dafbe1;color:#0a5c24;border-color:#1a7f37}.bad{background:#ffebe9;color:#8b1a10;border-color:#cf222e}.muted{background:#f0f2f4;color:#3b4350;border-color:#6e7781}
dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.3rem 1rem;margin:1rem 0}dl.facts dt{font-weight:600}dl.facts dd{margin:0;overflow-wrap:anywhere}
.totals{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0;padding:0;list-style:none}
.totals li{flex:1 1 8rem;border:1px solid #d0d7de;border-radius:.5rem;padding:.6rem .8rem}
.totals .n{display:block;font-size:1.8rem;font-weight:700}.totals .errors .n{color:#a40e26}.totals .warnings .n{color:#7d4e00}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{border:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
table{overflow-wrap:normal}th{background:#f6f8fa}td{unicode-bidi:plaintext}td.msg{overflow-wrap:anywhere;min-width:12rem}td.num,th.num{text-align:right}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem}pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:.2rem 0 0;max-height:12rem;overflow:auto}
.more{font-style:italic;color:#3b4350}footer{margin-top:2rem;font-size:.85rem;color:#3b4350}
@media (max-width:40rem){table.list thead{position:absolute;left:-9999px}table.list,table.list tbody,table.list tr,table.list td{display:block;width:auto}table.list tr{border:1px solid #d0d7de;margin:0 0 .6rem}table.list td{border:0;border-bottom:1px solid #eaeef2}table.list td::before{content:attr(data-label);display:block;font-size:.78rem;font-weight:600;color:#3b4350}table.list td.msg{min-width:0}}
@media print{body{max-width:none;padding:0}.scroll{overflow:visible}pre{max-height:none}a{color:inherit}}
`;

/** One self-contained HTML page describing an archived import; no scripts, no external resources. */
export function renderReport(input: ReportInput): string {
  const state = STATE[input.status] ?? { label: input.status, mark: '?', tone: 'muted' };
  const title = `Import ${input.jobId} — ${state.label}`;
  const t = input.summary.totals;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<p>SailPoint ISC sp-config import · tenant <strong>${e(input.tenant)}</strong></p>
<h1>Import <code>${e(input.jobId)}</code></h1>
<p><span class="status ${state.tone}" role="status">${state.mark} ${e(state.label)}</span>${input.message ? ` <span>${e(input.message)}</span>` : ''}</p>
</header>
<main>
<dl class="facts">
<dt>Tenant</dt><dd>${e(input.tenant)}</dd>
<dt>Job id</dt><dd><code>${e(input.jobId)}</code></dd>
<dt>Status</dt><dd>${e(input.status)}</dd>
<dt>Created</dt><dd>${time(input.created)}</dd>
<dt>Completed</dt><dd>${time(input.completed)}</dd>
<dt>Archived</dt><dd>${time(input.archivedAt)}</dd>
<dt>API version</dt><dd>${e(input.apiVersion)}</dd>
<dt>Backup</dt><dd>${backup(input)}</dd>
</dl>
<h2 id="totals">Totals</h2>
<ul class="totals">
${(['errors', 'warnings', 'infos', 'importedObjects'] as const).map((c) => `<li class="${c}"><span class="n">${t[c]}</span> ${LABELS[c]}</li>`).join('\n')}
</ul>
${input.status === 'CANCELLED' ? '<p>The import was cancelled: ISC produced no results to archive.</p>' : byType(input)}
${input.samples ? sections(input) : ''}
</main>
<footer>Archived by ${e(input.archiver.name)} ${e(input.archiver.version)} · ${objects(input)}</footer>
</body>
</html>
`;
}

const LABELS: Record<Category, string> = { errors: 'errors', warnings: 'warnings', infos: 'infos', importedObjects: 'imported objects' };

function time(value: string | null): string {
  return value ? `<time datetime="${e(value)}">${e(value)}</time>` : 'not reported';
}

function backup(input: ReportInput): string {
  const id = input.exportJobId ? ` <code>${e(input.exportJobId)}</code>` : '';
  return `${e(input.backup.state)}${id}: ${e(input.backup.reason)}`;
}

function byType(input: ReportInput): string {
  const types = Object.entries(input.summary.byType).sort(([a], [b]) => a.localeCompare(b));
  if (types.length === 0) return '<p>The results list no object types.</p>';
  const rows = types
    .map(([type, c]) => `<tr><th scope="row">${e(type)}</th>${CATEGORIES.map((k) => `<td class="num">${c[k]}</td>`).join('')}</tr>`)
    .join('\n');
  return `<h2 id="by-type">By object type</h2>
<div class="scroll"><table>
<caption class="more">Counts per object type</caption>
<thead><tr><th scope="col">Object type</th>${CATEGORIES.map((k) => `<th scope="col" class="num">${LABELS[k]}</th>`).join('')}</tr></thead>
<tbody>
${rows}
</tbody></table></div>`;
}

function sections(input: ReportInput): string {
  const samples = input.samples!;
  const t = input.summary.totals;
  return [
    messages('Errors', 'errors', samples.errors, t.errors),
    messages('Warnings', 'warnings', samples.warnings, t.warnings),
    imported(samples, t.importedObjects),
    messages('Infos', 'infos', samples.infos, t.infos),
  ].join('\n');
}

function more(shown: number, total: number): string {
  return total > shown ? `<p class="more">${total - shown} more not listed here; see results.json.</p>` : '';
}

function messages(title: string, id: string, list: readonly MessageSample[], total: number): string {
  if (total === 0) return `<h2 id="${id}">${title}</h2><p>None.</p>`;
  const shown = list.slice(0, REPORT_LIST_LIMIT);
  const rows = shown
    .map((m) => `<tr><td data-label="Object type">${e(m.type)}</td><td data-label="Key">${m.key === null ? '—' : `<code>${e(m.key)}</code>`}</td><td class="msg" data-label="Message">${e(m.text)}${detail(m.detailText)}</td></tr>`)
    .join('\n');
  return `<h2 id="${id}">${title} (${total})</h2>
<div class="scroll"><table class="list">
<thead><tr><th scope="col">Object type</th><th scope="col">Key</th><th scope="col">Message</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>${more(shown.length, total)}`;
}

function detail(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return `<pre>${e(text)}</pre>`;
}

function imported(samples: Samples, total: number): string {
  if (total === 0) return '<h2 id="imported">Imported objects</h2><p>None.</p>';
  const shown = samples.importedObjects.slice(0, REPORT_LIST_LIMIT);
  const rows = shown.map((o) => `<tr><td data-label="Type">${e(o.type)}</td><td class="msg" data-label="Name">${e(o.name)}</td><td class="msg" data-label="Id"><code>${e(o.id)}</code></td></tr>`).join('\n');
  return `<h2 id="imported">Imported objects (${total})</h2>
<div class="scroll"><table class="list">
<thead><tr><th scope="col">Type</th><th scope="col">Name</th><th scope="col">Id</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>${more(shown.length, total)}`;
}

function objects(input: ReportInput): string {
  return input.objects.map((o) => `${e(o.role)}: <code>${e(o.key)}</code> (${o.bytes} bytes)`).join(' · ') || 'no objects';
}
