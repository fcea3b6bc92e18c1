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
  /** The message's text, or its JSON text when it is not a string; at most TEXT_LIMIT characters. */
  readonly text: string;
  /**
   * The message's `detail` (or the spec's `details`) as text: a string as it is, any other value
   * as its JSON text exactly as ISC sent it; null when absent or null. At most DETAIL_TEXT_LIMIT
   * characters, so a deep or huge detail can never blow up the report; results.json has it whole.
   */
  readonly detailText: string | null;
  /** `detailText` was cut (it then ends with "…"). */
  readonly detailTruncated: boolean;
}

/** Characters kept of a message's text, and of its detail. */
export const TEXT_LIMIT = 2_000;
export const DETAIL_TEXT_LIMIT = 4_096;

/** An object the import touched, as the results name it; a field the results lack is ''. */
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
