// The shape the README draws under "Development", kept by a test: lambda/ is a folder per layer,
// and its dependencies point one way, from the handler down to core.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const LAMBDA = resolve(import.meta.dirname, '../../lambda');

/**
 * A file may import from its own folder and from folders of a lower rank, never upwards or
 * sideways. A new folder needs a rank here: placing it is a design decision worth a line.
 */
const RANKS: Readonly<Record<string, number>> = {
  core: 0,
  contract: 1,
  domain: 1,
  isc: 2,
  storage: 2,
  results: 2,
  telemetry: 2,
  changes: 3,
  report: 3,
  archive: 4,
  restore: 5,
  invocation: 6,
  // lambda/handler.ts: the top, which nothing imports.
  handler: 7,
};

/** The longest file a newcomer should have to read in one go. */
const MAX_LINES = 300;

interface SourceFile {
  readonly path: string;
  readonly layer: string;
  readonly lines: number;
  /** Resolved paths of every relative import, `import type` and re-exports included. */
  readonly imports: readonly string[];
}

/**
 * Every `from '…'`, bare `import '…'` and `import('…')` specifier in a TypeScript source, comments
 * left out first (an apostrophe in a comment must not hide the import around it). Not read: quoted
 * import names (`import { 'a-b' as x }`) and `import x = require(…)`, which this code does not use.
 */
function importSpecifiers(source: string): string[] {
  const code = withoutComments(source);
  const found: string[] = [];
  for (const m of code.matchAll(/\b(?:import|export)\b[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]/g)) found.push(m[1]!);
  for (const m of code.matchAll(/\bimport\s*\(?\s*['"`]([^'"`$]+)['"`]/g)) found.push(m[1]!);
  return found;
}

/** The source with its `//` and block comments blanked; strings and template literals kept as they are. */
function withoutComments(source: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (quote) {
      out += c;
      if (c === '\\') out += source[++i] ?? '';
      else if (c === quote) quote = undefined;
    } else if (c === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end === -1 ? source.length : end + 1;
      out += ' ';
    } else {
      if (c === "'" || c === '"' || c === '`') quote = c;
      out += c;
    }
  }
  return out;
}

/** The layer a lambda/ file belongs to: its top folder, or `handler` for lambda/handler.ts. */
function layerOf(path: string): string {
  const [first, ...rest] = relative(LAMBDA, path).split('/');
  return rest.length === 0 ? first!.replace(/\.ts$/, '') : first!;
}

/** The import cycles of `graph` (file to the files it imports), each as the files around it; none, empty. */
function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push(path.slice(path.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

function sources(dir: string): SourceFile[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    if (!name.endsWith('.ts')) return [];
    const text = readFileSync(path, 'utf8');
    const imports = importSpecifiers(text)
      .filter((s) => s.startsWith('.'))
      .map((s) => resolve(dirname(path), s));
    return [{ path, layer: layerOf(path), lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), imports }];
  });
}

const files = sources(LAMBDA);
const name = (path: string) => relative(LAMBDA, path);

describe('the layers of lambda/', () => {
  it('finds the sources it judges', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.map((f) => name(f.path))).toContain('archive/archive-job.ts');
  });

  it('places every file in a ranked layer', () => {
    expect(files.filter((f) => RANKS[f.layer] === undefined).map((f) => name(f.path))).toEqual([]);
  });

  it('imports only what exists inside lambda/ (never infra/, local/, bench/ or test/)', () => {
    const outside = files.flatMap((f) =>
      f.imports
        .filter((i) => relative(LAMBDA, i).startsWith('..') || !files.some((g) => g.path === i))
        .map((i) => `${name(f.path)} -> ${i}`),
    );
    expect(outside).toEqual([]);
  });

  it('points every import down the layers or within a folder, so nothing imports the handler', () => {
    const upwards = files.flatMap((f) =>
      f.imports
        .map((i) => ({ to: i, layer: layerOf(i) }))
        .filter((i) => i.layer !== f.layer && !(RANKS[i.layer]! < RANKS[f.layer]!))
        .map((i) => `${name(f.path)} (${f.layer}) -> ${name(i.to)} (${i.layer})`),
    );
    expect(upwards).toEqual([]);
  });

  it('has no import cycles between files, type imports included', () => {
    const graph = new Map(files.map((f) => [f.path, f.imports]));
    expect(cyclesOf(graph).map((c) => c.map(name).join(' -> '))).toEqual([]);
  });

  it(`keeps every file at ${MAX_LINES} lines or fewer`, () => {
    expect(files.filter((f) => f.lines > MAX_LINES).map((f) => `${name(f.path)}: ${f.lines}`)).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it('reads multi-line, type-only, re-export, bare and dynamic imports', () => {
    const source = [
      "import type { A } from './a.ts';",
      'import {\n  b,\n  type C,\n} from "../b/c.ts";',
      "export { d } from './d.ts';",
      "export type * from './e.ts';",
      "import './side-effect.ts';",
      "const lazy = await import('./lazy.ts');",
      "const text = 'from here'; // not an import",
      "import {\n  f, // don't sort: g must follow\n  g,\n} from './f.ts';",
      'const later = import(`./later.ts`);',
      "// import { commented } from './commented-out.ts';",
      "/** Like `export { x } from './in-a-comment.ts'`. */",
      "const url = 'https://example.com/not-a-comment'; import './after-url.ts';",
    ].join('\n');
    expect(importSpecifiers(source)).toEqual([
      './a.ts',
      '../b/c.ts',
      './d.ts',
      './e.ts',
      './f.ts',
      './side-effect.ts',
      './lazy.ts',
      './later.ts',
      './after-url.ts',
    ]);
  });

  it('names a cycle and leaves a chain alone', () => {
    const chain = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', []],
    ]);
    expect(cyclesOf(chain)).toEqual([]);
    const loop = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
    ]);
    expect(cyclesOf(loop)).toEqual([['a', 'b', 'c']]);
  });

  it('puts lambda/handler.ts in the handler layer and a nested file in its top folder', () => {
    expect(layerOf(join(LAMBDA, 'handler.ts'))).toBe('handler');
    expect(layerOf(join(LAMBDA, 'archive', 'claim.ts'))).toBe('archive');
  });
});
