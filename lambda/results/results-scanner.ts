import {
  CATEGORIES,
  type Category,
  type Counts,
  emptyCounts,
  type ObjectRef,
  SAMPLE_LIMIT,
  type Samples,
  type Summary,
} from '../domain/summary.ts';
import { NotImportResultsError } from './invalid-json-error.ts';
import { JsonStreamWalker, type PathKey, type ValueKind, type Visit } from './json-stream-walker.ts';
import { decodeJsonString } from './json-text.ts';
import { MessageEntry } from './message-entry.ts';
import { objectRef } from './object-ref.ts';
import { TouchedObjects } from './touched-objects.ts';

export {
  CATEGORIES,
  type Category,
  type Counts,
  emptyCounts,
  type MessageSample,
  type ObjectRef,
  type ObjectSample,
  SAMPLE_LIMIT,
  type Samples,
  type Summary,
} from '../domain/summary.ts';
export { TOUCHED_LIMIT } from './touched-objects.ts';

export interface ResultsDigest {
  readonly exportJobId: string | null;
  readonly summary: Summary;
  readonly samples: Samples;
  /** Every object `importedObjects` names, once each (by type and id, else type and name), up to TOUCHED_LIMIT. */
  readonly touched: ObjectRef[];
  /** `touched` is not the whole list: more than TOUCHED_LIMIT objects, or an entry too large to read. */
  readonly touchedCapped: boolean;
}

const CATEGORY_SET = new Set<PathKey>(CATEGORIES);
type MessageCategory = Exclude<Category, 'importedObjects'>;
/** Bytes kept of a captured field or imported object; what is kept is then cut far shorter. */
const FIELD_BYTES = 64 * 1024;

/**
 * The summary's per-type counts go into the manifest and every answer about the job: at most
 * MAX_TYPES types of at most TYPE_CHARS characters are named; the counts of any others (ISC has a
 * few dozen) are kept under OTHER_TYPES, so the totals stay exact.
 */
export const TYPE_LIMITS = { maxTypes: 1_000, typeChars: 200 } as const;
export const OTHER_TYPES = '(other types)';

/**
 * Reads import results as they stream past and keeps counts per object type, bounded samples and
 * the touched objects. Lenient as ISC is inconsistent: `detail` or `details`, `results` nested
 * twice (the seed's example), unknown object types, messages that are not objects. Strict on what
 * import results are: a JSON object with a `results` object (else NotImportResultsError, once the
 * whole document is known to be valid JSON). ISC's keys become keys only of null-prototype maps.
 */
export class ResultsScanner {
  readonly #byType: Record<string, Counts> = Object.create(null) as Record<string, Counts>;
  /** Types named in #byType (OTHER_TYPES aside). */
  #types = 0;
  readonly #samples: Samples = { errors: [], warnings: [], infos: [], importedObjects: [] };
  readonly #touched: TouchedObjects;
  #exportJobId: string | null = null;
  #notResults: string | undefined = 'the document is empty';
  /** The message being read field by field. */
  #message: MessageEntry | undefined;
  readonly #walker = new JsonStreamWalker({
    visit: (path, kind) => this.#visit(path, kind),
    onValue: (path, raw, complete) => this.#value(path, raw, complete),
    onEnd: (path, entries) => this.#end(path, entries),
    captureLimit: FIELD_BYTES,
  });

  /**
   * `touchedLimit`: how many touched objects to keep (default TOUCHED_LIMIT). With 0 only the
   * report's samples are read and the rest of `importedObjects` is counted at full speed: what an
   * archive without the changes needs.
   */
  constructor(options: { readonly touchedLimit?: number } = {}) {
    this.#touched = new TouchedObjects(options.touchedLimit);
  }

  write(chunk: Uint8Array): void {
    this.#walker.write(chunk);
  }

  /** Throws InvalidJsonError for invalid or cut JSON, NotImportResultsError for other JSON. */
  finish(): ResultsDigest {
    this.#walker.end();
    if (this.#notResults) throw new NotImportResultsError(`The document is not import results: ${this.#notResults}.`);
    const totals = emptyCounts();
    for (const type in this.#byType) {
      for (const category of CATEGORIES) totals[category] += this.#byType[type]![category];
    }
    return {
      exportJobId: this.#exportJobId,
      summary: { byType: this.#byType, totals },
      samples: this.#samples,
      touched: this.#touched.list,
      touchedCapped: this.#touched.capped,
    };
  }

  #visit(path: readonly PathKey[], kind: ValueKind): Visit {
    const length = path.length;
    if (length === 0) {
      this.#notResults = kind === 'object' ? 'it has no "results" object' : `it is a JSON ${kind}, not an object`;
      return kind === 'object' ? 'descend' : 'skip';
    }
    if (length === 1) {
      if (path[0] === 'results') {
        this.#notResults = kind === 'object' ? undefined : `its "results" is a JSON ${kind}, not an object`;
        return kind === 'object' ? 'descend' : 'skip';
      }
      return path[0] === 'exportJobId' && kind === 'string' ? 'capture' : 'skip';
    }
    if (path[0] !== 'results') return 'skip';
    const base = typeIndex(path);
    const type = path[base] as string;
    switch (length - base) {
      case 1:
        // `results.results` is the seed's wrapper, or a type named "results": its counts come
        // into being with its first list (see typeIndex).
        if (kind !== 'object' || length !== 2 || type !== 'results') this.#counts(type);
        return kind === 'object' ? 'descend' : 'skip';
      case 2:
        return kind === 'array' && CATEGORY_SET.has(path[base + 1]!) ? 'descend' : 'skip';
      case 3:
        return this.#visitEntry(type, path[base + 1] as Category, kind);
      case 4:
        return this.#message && MessageEntry.wants(path[base + 3] as string) ? 'capture' : 'skip';
      default:
        return 'skip';
    }
  }

  /** An entry of a list starts: read it if it is still wanted, else read past the rest. */
  #visitEntry(type: string, category: Category, kind: ValueKind): Visit {
    this.#message = undefined;
    if (category === 'importedObjects') {
      const sampling = this.#samples.importedObjects.length < SAMPLE_LIMIT;
      if (!sampling && this.#touched.full) return 'skip-rest';
      // Small objects, thousands of them: one capture and one JSON.parse each is the fastest read.
      if (kind === 'object') return 'capture';
      if (sampling) this.#samples.importedObjects.push({ type, id: '', name: '' });
      return 'skip';
    }
    const list = this.#samples[category];
    if (list.length >= SAMPLE_LIMIT) return 'skip-rest';
    if (kind === 'object') {
      this.#message = new MessageEntry(type);
      return 'descend';
    }
    if (kind === 'string') return 'capture';
    list.push(MessageEntry.plain(type, null, true));
    return 'skip';
  }

  #end(path: readonly PathKey[], entries: number): void {
    if (path.length < 3 || path[0] !== 'results') return;
    const base = typeIndex(path);
    const depth = path.length - base;
    if (depth === 2) this.#counts(path[base] as string)[path[base + 1] as Category] += entries;
    else if (depth === 3 && this.#message) {
      this.#samples[path[base + 1] as MessageCategory].push(this.#message.sample());
      this.#message = undefined;
    }
  }

  #value(path: readonly PathKey[], raw: Buffer, complete: boolean): void {
    if (path.length === 1) {
      if (complete) this.#exportJobId = decodeJsonString(raw, true) || null;
      return;
    }
    const base = typeIndex(path);
    if (path.length - base === 4) this.#message?.field(path[base + 3] as string, raw, complete);
    else if (path[base + 1] === 'importedObjects') this.#importedObject(path[base] as string, raw, complete);
    else this.#samples[path[base + 1] as MessageCategory].push(MessageEntry.plain(path[base] as string, raw, complete));
  }

  #importedObject(listType: string, raw: Buffer, complete: boolean): void {
    const ref = objectRef(raw, complete, listType);
    if (!ref) {
      // Too large to read (over FIELD_BYTES): it cannot be named, so the list is not whole.
      this.#touched.missed();
      return;
    }
    if (this.#samples.importedObjects.length < SAMPLE_LIMIT) this.#samples.importedObjects.push(ref);
    this.#touched.add(ref);
  }

  #counts(type: string): Counts {
    const known = this.#byType[type];
    if (known) return known;
    if (type.length > TYPE_LIMITS.typeChars || this.#types >= TYPE_LIMITS.maxTypes) return (this.#byType[OTHER_TYPES] ??= emptyCounts());
    this.#types++;
    return (this.#byType[type] = emptyCounts());
  }
}

/**
 * Where the object type sits in a path below `results`: at 1, or at 2 inside the seed's doubly
 * nested `results.results` wrapper (told apart from a type named "results" by what follows it: a
 * list name means the type).
 */
function typeIndex(path: readonly PathKey[]): number {
  return path[1] === 'results' && path.length >= 3 && !CATEGORY_SET.has(path[2]!) ? 2 : 1;
}
