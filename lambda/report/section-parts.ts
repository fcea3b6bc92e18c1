import { clipText, type ShownText } from './bounded-text.ts';
import { escapeHtml as e, escapeText } from './html-escape.ts';
import type { PageBudget } from './page-budget.ts';

/** Where the full text of something the report shortens or leaves out can be read. */
export type Source = 'results.json' | 'changes.json' | 'manifest.json' | 'GET /imports/{jobId}';

/** Escaped text of at most `limit` characters, ending in `…` when it was shortened. */
export function short(value: string | null | undefined, limit: number): string {
  // Typed as text, but it came from ISC: a number or anything else is made text, not trusted.
  const shown = clipText(typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value), limit);
  return `${e(shown.text)}${shown.shortened ? '…' : ''}`;
}

export function time(value: string | null | undefined): string {
  return value ? `<time datetime="${short(value, 64)}">${short(value, 64)}</time>` : 'not reported';
}

/** A shortened value in a `pre`, with a note saying where its full text is. */
export function pre(shown: ShownText, source: Source): string {
  if (!shown.shortened) return `<pre>${escapeText(shown.text)}</pre>`;
  return `<pre>${escapeText(shown.text)}…</pre><p class="note">Shortened here; the full value is in ${source}.</p>`;
}

export interface Listed {
  readonly html: string;
  readonly shown: number;
  /** The budget ran out before the list limit. */
  readonly cut: boolean;
}

/** Rows for the first `limit` items, as many as the budget allows. */
export function listRows<T>(items: Iterable<T>, limit: number, budget: PageBudget, row: (item: T) => string): Listed {
  const rows: string[] = [];
  for (const item of items) {
    if (rows.length >= limit) break;
    const html = row(item);
    if (!budget.take(html)) return { html: rows.join('\n'), shown: rows.length, cut: true };
    rows.push(html);
  }
  return { html: rows.join('\n'), shown: rows.length, cut: false };
}

/** Says how many entries are not listed, why when it is the page size, and where they are. */
export function moreNote(listed: Pick<Listed, 'shown' | 'cut'>, total: number, source: Source, noun = 'more'): string {
  if (total <= listed.shown) return '';
  const why = listed.cut ? ' to keep this page under 5 MB' : '';
  return `<p class="more">${total - listed.shown} ${noun} not listed here${why}; see ${source}.</p>`;
}
