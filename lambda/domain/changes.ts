// What an import changed (docs/contract.md, "Changes"): the after-state of the touched objects
// compared with the pre-import backup. Pure data; computed by lambda/changes/, shown by the report.

export type ChangeKind = 'CREATED' | 'CHANGED' | 'UNCHANGED' | 'UNKNOWN';
export type ChangesState = 'COMPUTED' | 'NONE' | 'DISABLED' | 'UNAVAILABLE';

/** A value as changes.json shows it: as is, or shortened past 4 KB with the full text's sha256. */
export type ShownValue = unknown | { readonly truncated: true; readonly preview: string; readonly bytes: number; readonly sha256: string };

export interface FieldChange {
  /** JSON Pointer into the export entry's `object` (RFC 6901). */
  readonly path: string;
  /** Absent (the property left out of the JSON) when the key does not exist before the import. */
  readonly before?: ShownValue;
  /** Absent (the property left out of the JSON) when the key does not exist after the import. */
  readonly after?: ShownValue;
}

export interface ObjectChange {
  readonly type: string;
  readonly id: string | null;
  readonly name: string | null;
  readonly change: ChangeKind;
  readonly fields: readonly FieldChange[];
}

export interface ChangeCounts {
  readonly created: number;
  readonly changed: number;
  readonly unchanged: number;
  readonly unknown: number;
}

/** changes.json */
export interface ChangesDocument {
  readonly schemaVersion: 1;
  readonly jobId: string;
  readonly tenant: string;
  readonly before: { readonly exportJobId: string; readonly key: string } | null;
  readonly after: { readonly exportJobId: string; readonly key: string; readonly exportedAt: string };
  readonly objects: readonly ObjectChange[];
}

/** manifest.changes */
export interface ChangesRecord {
  readonly state: ChangesState;
  readonly reason: string;
  readonly afterExportJobId: string | null;
  readonly afterExportedAt: string | null;
  readonly counts: ChangeCounts;
}
