// Renders a JSON value as text in one of the many forms RFC 8259 allows, chosen by a seeded
// random source: whitespace between tokens, and any character of a string either as it is or
// escaped. Objects are lists of members (so `__proto__` is a key like any other), and `Raw`
// carries text written elsewhere (deep values) as is.

export class Raw {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

export class Members {
  readonly entries: readonly (readonly [string, JsonTree])[];
  constructor(entries: readonly (readonly [string, JsonTree])[]) {
    this.entries = entries;
  }
}

export type JsonTree = null | boolean | number | string | Raw | Members | readonly JsonTree[];

/** A small seeded random source (mulberry32): the same seed renders the same text. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SPACES = ['', '', '', ' ', '\n', '\t', '\r\n  '];
const SHORT: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function render(tree: JsonTree, seed: number): string {
  const rnd = random(seed);
  const space = () => SPACES[Math.floor(rnd() * SPACES.length)]!;
  const string = (s: string) => {
    let out = '"';
    for (const unit of s) {
      const code = unit.codePointAt(0)!;
      const r = rnd();
      if (SHORT[unit] && r < 0.7) out += SHORT[unit];
      else if (code < 0x20 || unit === '"' || unit === '\\' || r < 0.1) {
        // \u escapes, astral characters as a surrogate pair, in either case.
        for (let i = 0; i < unit.length; i++) {
          const h = unit.charCodeAt(i).toString(16).padStart(4, '0');
          out += `\\u${rnd() < 0.5 ? h : h.toUpperCase()}`;
        }
      } else if (unit === '/' && r < 0.5) out += '\\/';
      else out += unit;
    }
    return `${out}"`;
  };
  const value = (v: JsonTree): string => {
    if (v instanceof Raw) return v.text;
    if (typeof v === 'string') return string(v);
    if (typeof v === 'number') return rnd() < 0.3 && Number.isInteger(v) && v !== 0 ? `${v}e0` : String(v);
    if (v === null || typeof v === 'boolean') return String(v);
    if (v instanceof Members)
      return `{${space()}${v.entries.map(([k, e]) => `${string(k)}${space()}:${space()}${value(e)}${space()}`).join(`,${space()}`)}}`;
    return `[${space()}${(v as readonly JsonTree[]).map((e) => `${value(e)}${space()}`).join(`,${space()}`)}]`;
  };
  return space() + value(tree) + space();
}
