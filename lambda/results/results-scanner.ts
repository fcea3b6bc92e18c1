import { JsonStreamWalker, type PathKey, type Visit } from './json-stream-walker.ts';

import { CATEGORIES, type Category, type Counts, emptyCounts, type Samples, SAMPLE_LIMIT, type Summary } from '../domain/summary.ts';

export { CATEGORIES, type Category, type Counts, emptyCounts, type MessageSample, type ObjectSample, type Samples, SAMPLE_LIMIT, type Summary } from '../domain/summary.ts';

export interface ResultsDigest {
  readonly exportJobId: string | null;
  readonly summary: Summary;
  readonly samples: Samples;
}

const CATEGORY_SET = new Set<PathKey>(CATEGORIES);

/**
 * Reads import results as they stream past and keeps counts per object type plus bounded samples.
 * Lenient as ISC is inconsistent: `detail` or `details`, `results` nested twice (the spec's own
 * example), unknown object types, messages that are not objects.
 */
export class ResultsScanner {
  readonly #byType: Record<string, Counts> = {};
  readonly #samples: Samples = { errors: [], warnings: [], infos: [], importedObjects: [] };
  #exportJobId: string | null = null;
  readonly #walker = new JsonStreamWalker({
    visit: (path) => this.#visit(path),
    onValue: (path, value) => this.#value(path, value),
    onEnd: (path, entries) => this.#end(path, entries),
  });

  write(chunk: Uint8Array): void {
    this.#walker.write(chunk);
  }

  finish(): ResultsDigest {
    this.#walker.end();
    const totals = emptyCounts();
    for (const counts of Object.values(this.#byType)) {
      for (const category of CATEGORIES) totals[category] += counts[category];
    }
    return { exportJobId: this.#exportJobId, summary: { byType: this.#byType, totals }, samples: this.#samples };
  }

  #visit(path: readonly PathKey[]): Visit {
    if (path.length === 0) return 'descend';
    if (path[0] === 'exportJobId' && path.length === 1) return 'capture';
    if (path[0] !== 'results') return 'skip';
    const rest = typePath(path);
    if (rest.length === 0) return 'descend';
    const type = String(rest[0]);
    if (rest.length === 1) {
      if (!(path.length === 2 && type === 'results')) this.#counts(type);
      return 'descend';
    }
    if (rest.length === 2) return CATEGORY_SET.has(rest[1]!) ? 'descend' : 'skip';
    if (rest.length === 3) {
      // Counted when the list ends (#end); once the samples are full the rest is only read past.
      const list = this.#samples[rest[1] as Category] as unknown[];
      return list.length < SAMPLE_LIMIT ? 'capture' : 'skip-rest';
    }
    return 'skip';
  }

  #end(path: readonly PathKey[], entries: number): void {
    if (path[0] !== 'results') return;
    const rest = typePath(path);
    if (rest.length === 2 && CATEGORY_SET.has(rest[1]!)) this.#counts(String(rest[0]))[rest[1] as Category] += entries;
  }

  #value(path: readonly PathKey[], value: unknown): void {
    if (path.length === 1) {
      if (typeof value === 'string' && value !== '') this.#exportJobId = value;
      return;
    }
    const [type, category] = typePath(path).map(String) as [string, Category];
    if (category === 'importedObjects') {
      const object = record(value);
      this.#samples.importedObjects.push({ type: text(object.type) || type, id: text(object.id), name: text(object.name) });
    } else {
      const message = record(value);
      this.#samples[category].push({
        type,
        key: typeof message.key === 'string' ? message.key : null,
        text: typeof value === 'string' ? value : text(message.text),
        detail: message.detail ?? message.details ?? null,
      });
    }
  }

  #counts(type: string): Counts {
    return (this.#byType[type] ??= emptyCounts());
  }
}

/** The path below `results`, with the doubly nested `results.results` wrapper taken off. */
function typePath(path: readonly PathKey[]): readonly PathKey[] {
  const rest = path.slice(1);
  if (rest[0] === 'results' && rest.length >= 2 && !CATEGORY_SET.has(rest[1]!)) return rest.slice(1);
  return rest;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
}
