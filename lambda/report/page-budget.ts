// The report's size is bounded by construction: every part whose count or size ISC chooses is
// added through a budget, and a section stops listing when its share is spent.

/**
 * What a piece of the page costs: its UTF-8 bytes, plus one for each character JSON escapes with a
 * backslash (the API serves the page inside a JSON response, which Lambda caps at 6 MB).
 */
export function pageCost(html: string): number {
  let cost = 0;
  for (let i = 0; i < html.length; i += 1) {
    const c = html.charCodeAt(i);
    if (c < 0x80) cost += c === 0x22 || c === 0x5c || c < 0x20 ? 2 : 1;
    else if (c < 0x800) cost += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < html.length) {
      const next = html.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        cost += 4;
        i += 1;
      } else cost += 3;
    } else cost += 3;
  }
  return cost;
}

export class PageBudget {
  #left: number;
  readonly #parent: PageBudget | undefined;

  constructor(bytes: number, parent?: PageBudget) {
    this.#left = Math.max(0, bytes);
    this.#parent = parent;
  }

  get left(): number {
    return this.#parent ? Math.min(this.#left, this.#parent.left) : this.#left;
  }

  /** A section's budget: at most `bytes`, and never more than this budget has left. */
  share(bytes: number): PageBudget {
    return new PageBudget(Math.min(bytes, this.left), this);
  }

  /** Takes the piece's cost if it fits, and says whether it did. */
  take(html: string): boolean {
    const cost = pageCost(html);
    if (cost > this.left) return false;
    this.#charge(cost);
    return true;
  }

  /** Counts a piece of bounded size (headings, notes) that is always shown. */
  spend(html: string): string {
    this.#charge(pageCost(html));
    return html;
  }

  #charge(cost: number): void {
    this.#left -= cost;
    if (this.#parent) this.#parent.#charge(cost);
  }
}
