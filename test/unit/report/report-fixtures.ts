// Inputs for the report's tests (unit and browser): a manifest as the archive flow builds it, the
// scanner's samples of real-looking results, and a realistic changes.json.

import type { ChangesDocument, ChangesRecord } from '../../../lambda/domain/changes.ts';
import type { Manifest } from '../../../lambda/domain/manifest.ts';
import type { ReportInput } from '../../../lambda/report/report-renderer.ts';
import { ResultsScanner } from '../../../lambda/results/results-scanner.ts';

export const JOB_ID = 'ef38f94347e94562b5bb8424a56397d8';
export const BACKUP_ID = 'be9e116d-08e1-49fc-ab7f-fa585e96c9e4';
export const AFTER_ID = '5c0a7e1f-2b3d-4e6f-8a9b-0c1d2e3f4a5b';
export const COMPLETED = '2026-11-28T10:01:00Z';

export interface InputOptions {
  readonly status?: string;
  readonly manifest?: Partial<Manifest>;
  readonly changes?: ChangesDocument | null;
  readonly restores?: ReportInput['restores'];
}

export const CHANGES_DISABLED: ChangesRecord = {
  state: 'DISABLED',
  reason: 'ARCHIVE_CHANGES is false.',
  afterExportJobId: null,
  afterExportedAt: null,
  counts: { created: 0, changed: 0, unchanged: 0, unknown: 0 },
};

/** A report input for results as ISC sends them (null: none, as for CANCELLED). */
export function reportInput(results: string | null, options: InputOptions = {}): ReportInput {
  const status = options.status ?? 'COMPLETE';
  const scanner = new ResultsScanner();
  if (results) scanner.write(Buffer.from(results));
  const digest = results ? scanner.finish() : null;
  const manifest: Manifest = {
    schemaVersion: 1,
    tenant: 'acme',
    jobId: JOB_ID,
    status,
    message: status === 'FAILED' ? 'Import halted because of errors. Download results for error details.' : null,
    created: '2026-11-28T10:00:00Z',
    completed: COMPLETED,
    exportJobId: digest?.exportJobId ?? null,
    archivedAt: '2026-11-28T10:02:00.000Z',
    apiVersion: 'beta',
    archiver: { name: 'isc-import-archiver', version: '0.1.0' },
    objects: [{ role: 'results', key: `sp-config/acme/imports/${JOB_ID}/results.json`, bytes: 10, sha256: 'a' }],
    backup: digest?.exportJobId
      ? { state: 'ARCHIVED', reason: 'Pre-import backup archived.' }
      : { state: 'NONE', reason: 'ISC took no pre-import backup for this job.' },
    changes: CHANGES_DISABLED,
    restore: null,
    summary: digest?.summary ?? { byType: {}, totals: { infos: 0, warnings: 0, errors: 0, importedObjects: 0 } },
    ...options.manifest,
  };
  return {
    manifest,
    samples: digest?.samples ?? null,
    changes: options.changes ?? null,
    ...(options.restores ? { restores: options.restores } : {}),
  };
}

/** The record the manifest carries for a computed changes.json taken `minutesAfter` the import. */
export function computedRecord(doc: ChangesDocument, minutesAfter = 2): ChangesRecord {
  const counts = { created: 0, changed: 0, unchanged: 0, unknown: 0 };
  for (const o of doc.objects) counts[o.change.toLowerCase() as keyof typeof counts] += 1;
  const afterExportedAt = new Date(Date.parse(COMPLETED) + minutesAfter * 60_000).toISOString();
  return {
    state: 'COMPUTED',
    reason: 'After-state exported and compared with the pre-import backup.',
    afterExportJobId: doc.after.exportJobId,
    afterExportedAt,
    counts,
  };
}

/**
 * What `completeResults(BACKUP_ID)` changed: the transform now reads a different attribute (and
 * gained a description), the source is new, the rule and the trigger subscriptions are as before.
 */
export function realisticChanges(overrides: Partial<ChangesDocument> = {}): ChangesDocument {
  return {
    schemaVersion: 1,
    jobId: JOB_ID,
    tenant: 'acme',
    before: { exportJobId: BACKUP_ID, key: `sp-config/acme/imports/${JOB_ID}/exports/${BACKUP_ID}.json` },
    after: { exportJobId: AFTER_ID, key: `sp-config/acme/imports/${JOB_ID}/exports/${AFTER_ID}.json`, exportedAt: '2026-11-28T10:01:40Z' },
    objects: [
      { type: 'RULE', id: '0f3e5d7c9b1a2c4e6f8a0b2d4f6e8c1a', name: 'Build Account Map', change: 'UNCHANGED', fields: [] },
      {
        type: 'TRANSFORM',
        id: 'b8d4c2e1-3a5f-4f2e-9d1c-7e6a5b4c3d2e',
        name: 'Lowercase Email',
        change: 'CHANGED',
        fields: [
          {
            path: '/attributes/input',
            before: { type: 'accountAttribute', attributes: { sourceName: 'Active Directory', attributeName: 'mail' } },
            after: { type: 'accountAttribute', attributes: { sourceName: 'Active Directory', attributeName: 'userPrincipalName' } },
          },
          // Added by the import: no value before (JSON drops the undefined, as changes.json does).
          { path: '/attributes/description', before: undefined, after: 'Work email, lower case, from the UPN' },
        ],
      },
      { type: 'SOURCE', id: '2c9180835d2e5168015d32f890ca1581', name: 'Active Directory', change: 'CREATED', fields: [] },
      { type: 'TRIGGER_SUBSCRIPTION', id: 'c953134c-2224-42f2-a84e-fa5cbb395904', name: 'Test 2', change: 'UNCHANGED', fields: [] },
      { type: 'TRIGGER_SUBSCRIPTION', id: BACKUP_ID, name: 'Test 1', change: 'UNCHANGED', fields: [] },
    ],
    ...overrides,
  };
}

/** A JSON value nested `depth` levels deep around `leaf`, built without recursion. */
export function deepValue(depth: number, leaf: unknown = 'x'.repeat(2)): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i += 1) value = i % 2 ? [value] : { a: value };
  return value;
}

/** The JSON text of deepValue (what a bounded scanner capture may be). */
export function deepText(depth: number): string {
  let open = '';
  let close = '';
  for (let i = depth - 1; i >= 0; i -= 1) {
    open += i % 2 ? '[' : '{"a":';
  }
  for (let i = 0; i < depth; i += 1) close += i % 2 ? ']' : '}';
  return `${open}"xx"${close}`;
}
