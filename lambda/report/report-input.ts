import type { ChangesDocument } from '../domain/changes.ts';
import type { Manifest } from '../domain/manifest.ts';
import type { Samples } from '../domain/summary.ts';

/** A restore (preview or apply) started from this job, as `GET /imports/{jobId}` lists them. */
export interface RestoreEntry {
  readonly jobId: string;
  readonly preview: boolean;
  /** ISO-8601: when it was started. */
  readonly at: string;
}

/** What the report shows: the manifest, the scanner's samples, and changes.json when computed. */
export interface ReportInput {
  readonly manifest: Manifest;
  /** null when there are no results (CANCELLED). */
  readonly samples: Samples | null;
  /** changes.json; null when the changes were not computed (the manifest's record says why). */
  readonly changes: ChangesDocument | null;
  /** Restores started from this job, if any are known when the report is written. */
  readonly restores?: readonly RestoreEntry[];
}

/** How much the report shows; the defaults keep `report.html` under REPORT_MAX_BYTES. */
export interface ReportLimits {
  /** Budget of the whole page, counted as JSON-encoded bytes (what an API response carries). */
  readonly pageBytes: number;
  /** Entries listed per section (errors, warnings, infos, imported objects, changed objects). */
  readonly listEntries: number;
  /** Characters of one message text, name, id or key. */
  readonly textChars: number;
  /** Characters of one message's detail. */
  readonly detailChars: number;
  /** Characters of one changed field's value, before or after. */
  readonly fieldChars: number;
  /** Changed fields listed per object. */
  readonly fieldsPerObject: number;
}

/** The contract's promise (docs/contract.md, "Trust"): the page is smaller than this. */
export const REPORT_MAX_BYTES = 5_000_000;

export const REPORT_LIMITS: ReportLimits = Object.freeze({
  // Under 5 MB as a file and, JSON-encoded with its headers, under Lambda's 6 MB response limit.
  pageBytes: 4_500_000,
  listEntries: 300,
  textChars: 2_000,
  detailChars: 4_000,
  fieldChars: 2_000,
  fieldsPerObject: 100,
});

/** Entries listed per section; the rest are counted and left to results.json or changes.json. */
export const REPORT_LIST_LIMIT = REPORT_LIMITS.listEntries;

/**
 * An after-state taken later than this after the import completed may hold other people's edits
 * (docs/contract.md, "Changes"): the report warns.
 */
export const STALE_AFTER_STATE_MS = 10 * 60 * 1000;
