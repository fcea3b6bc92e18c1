// What an import's results say, as the archiver keeps it: counts per object type and bounded
// samples for the report. Produced by results/results-scanner.ts, read by the manifest and report.

export const CATEGORIES = ['infos', 'warnings', 'errors', 'importedObjects'] as const;
export type Category = (typeof CATEGORIES)[number];
export type Counts = Record<Category, number>;

export interface Summary {
  /** Per object type; a null-prototype map, as ISC chooses the keys (`__proto__` included). */
  readonly byType: Record<string, Counts>;
  readonly totals: Counts;
}

export interface MessageSample {
  readonly type: string;
  readonly key: string | null;
  readonly text: string;
  readonly detail: unknown;
}

/** An object the import touched, as the results name it. */
export interface ObjectRef {
  readonly type: string;
  readonly id: string;
  readonly name: string;
}
/** @deprecated name kept for the report; an ObjectRef. */
export type ObjectSample = ObjectRef;

/** What the report shows beyond the counts, each list cut at `SAMPLE_LIMIT`. */
export interface Samples {
  readonly errors: MessageSample[];
  readonly warnings: MessageSample[];
  readonly infos: MessageSample[];
  readonly importedObjects: ObjectRef[];
}

/** Entries kept per list for the report; the counts cover everything. */
export const SAMPLE_LIMIT = 300;

export function emptyCounts(): Counts {
  return { infos: 0, warnings: 0, errors: 0, importedObjects: 0 };
}
