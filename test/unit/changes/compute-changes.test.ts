import { describe, expect, it } from 'vitest';
import { afterStateIsLate, CHANGES_REASONS, changesRecord, computedChangesRecord } from '../../../lambda/changes/changes-record.ts';
import { type ChangesInput, computeChanges } from '../../../lambda/changes/compute-changes.ts';
import { TouchedObjectExtractor } from '../../../lambda/changes/touched-object-extractor.ts';
import type { ObjectRef } from '../../../lambda/domain/summary.ts';
import {
  type Entry,
  entryOf,
  exportDocument,
  feed,
  others,
  RULE_ID,
  rule,
  SOURCE_ID,
  source,
  TRANSFORM_ID,
  transform,
} from './isc-objects.ts';

const TOUCHED: ObjectRef[] = [
  { type: 'TRANSFORM', id: TRANSFORM_ID, name: 'Department Lowercase' },
  { type: 'SOURCE', id: SOURCE_ID, name: 'Active Directory EMEA' },
  { type: 'RULE', id: RULE_ID, name: 'Build Department' },
];

function objectsOf(touched: readonly ObjectRef[], entries: readonly Entry[]) {
  const extractor = new TouchedObjectExtractor(touched);
  feed(extractor, exportDocument(entries));
  return extractor.finish();
}

const BACKUP = [...others(50), entryOf('RULE', rule()), entryOf('TRANSFORM', transform('department')), ...others(10, 'SOURCE')];
const AFTER = [
  entryOf('TRANSFORM', transform('dept', '2026-11-20T09:12:00.000Z')),
  entryOf('SOURCE', source()),
  entryOf('RULE', rule('2026-11-20T09:12:00.000Z')),
];

function input(overrides: Partial<ChangesInput> = {}): ChangesInput {
  const touched = overrides.touched ?? TOUCHED;
  return {
    jobId: 'ef38f94347e94562b5bb8424a56397d8',
    tenant: 'acme',
    touched,
    before: {
      exportJobId: 'be9e116d-08e1-49fc-ab7f-fa585e96c9e4',
      key: 'sp-config/acme/imports/ef38/exports/be9e.json',
      objects: objectsOf(touched, BACKUP),
    },
    after: {
      exportJobId: '4fb10503-1c49-4603-8f8d-886e1f6aa47b',
      key: 'sp-config/acme/imports/ef38/exports/4fb1.json',
      exportedAt: '2026-11-20T09:13:00.000Z',
      objects: objectsOf(touched, AFTER),
    },
    ...overrides,
  };
}

describe('computeChanges', () => {
  it('records a changed transform, a created source and an unchanged rule, by type then name', () => {
    const { document, counts } = computeChanges(input());
    expect(document).toEqual({
      schemaVersion: 1,
      jobId: 'ef38f94347e94562b5bb8424a56397d8',
      tenant: 'acme',
      before: { exportJobId: 'be9e116d-08e1-49fc-ab7f-fa585e96c9e4', key: 'sp-config/acme/imports/ef38/exports/be9e.json' },
      after: {
        exportJobId: '4fb10503-1c49-4603-8f8d-886e1f6aa47b',
        key: 'sp-config/acme/imports/ef38/exports/4fb1.json',
        exportedAt: '2026-11-20T09:13:00.000Z',
      },
      objects: [
        { type: 'RULE', id: RULE_ID, name: 'Build Department', change: 'UNCHANGED', fields: [] },
        { type: 'SOURCE', id: SOURCE_ID, name: 'Active Directory EMEA', change: 'CREATED', fields: [] },
        {
          type: 'TRANSFORM',
          id: TRANSFORM_ID,
          name: 'Department Lowercase',
          change: 'CHANGED',
          fields: [{ path: '/attributes/input/attributes/attributeName', before: 'department', after: 'dept' }],
        },
      ],
    });
    expect(counts).toEqual({ created: 1, changed: 1, unchanged: 1, unknown: 0 });
  });

  it('marks everything UNKNOWN without a backup, and what the after-export lacks', () => {
    const noBackup = computeChanges(input({ before: null }));
    expect(noBackup.document.before).toBeNull();
    expect(noBackup.document.objects.map((o) => o.change)).toEqual(['UNKNOWN', 'UNKNOWN', 'UNKNOWN']);
    expect(noBackup.counts).toEqual({ created: 0, changed: 0, unchanged: 0, unknown: 3 });
    const base = input();
    const partial = computeChanges({
      ...base,
      after: { ...base.after, objects: base.after.objects.filter((o) => o.ref.type !== 'TRANSFORM') },
    });
    expect(partial.document.objects.find((o) => o.type === 'TRANSFORM')).toEqual({
      type: 'TRANSFORM',
      id: TRANSFORM_ID,
      name: 'Department Lowercase',
      change: 'UNKNOWN',
      fields: [],
    });
  });

  it('fills an id or name the results left empty from the exports, and lists each object once', () => {
    const touched = [
      { type: 'SOURCE', id: '', name: 'Active Directory EMEA' },
      { type: 'RULE', id: RULE_ID, name: '' },
      { type: 'RULE', id: RULE_ID.toUpperCase(), name: '' },
    ];
    const { document, counts } = computeChanges(input({ touched }));
    expect(document.objects).toEqual([
      { type: 'RULE', id: RULE_ID, name: 'Build Department', change: 'UNCHANGED', fields: [] },
      { type: 'SOURCE', id: SOURCE_ID, name: 'Active Directory EMEA', change: 'CREATED', fields: [] },
    ]);
    expect(counts.unchanged + counts.created).toBe(2);
  });

  it('keeps a null id or name where nothing gives one, and orders them first', () => {
    const touched = [
      { type: 'RULE', id: '', name: 'Ghost' },
      { type: 'RULE', id: 'abc', name: '' },
    ];
    const { document } = computeChanges(input({ touched }));
    expect(document.objects).toEqual([
      { type: 'RULE', id: 'abc', name: null, change: 'UNKNOWN', fields: [] },
      { type: 'RULE', id: null, name: 'Ghost', change: 'UNKNOWN', fields: [] },
    ]);
  });
});

describe('manifest.changes', () => {
  it('carries the counts and the after-export of a computed comparison', () => {
    expect(computedChangesRecord(computeChanges(input()))).toEqual({
      state: 'COMPUTED',
      reason: 'Compared 3 imported objects with backup be9e116d-08e1-49fc-ab7f-fa585e96c9e4: 1 changed, 1 created, 1 unchanged, 0 unknown.',
      afterExportJobId: '4fb10503-1c49-4603-8f8d-886e1f6aa47b',
      afterExportedAt: '2026-11-20T09:13:00.000Z',
      counts: { created: 1, changed: 1, unchanged: 1, unknown: 0 },
    });
    expect(computedChangesRecord(computeChanges(input({ before: null }))).reason).toBe(
      'No pre-import backup to compare 3 imported objects with: 0 changed, 0 created, 0 unchanged, 3 unknown.',
    );
  });

  it('gives NONE, DISABLED and UNAVAILABLE zero counts and the reason', () => {
    expect(changesRecord('DISABLED', CHANGES_REASONS.disabled)).toEqual({
      state: 'DISABLED',
      reason: CHANGES_REASONS.disabled,
      afterExportJobId: null,
      afterExportedAt: null,
      counts: { created: 0, changed: 0, unchanged: 0, unknown: 0 },
    });
    expect(changesRecord('UNAVAILABLE', 'The after-state export failed (500).', { exportJobId: 'e1', exportedAt: null })).toMatchObject({
      state: 'UNAVAILABLE',
      afterExportJobId: 'e1',
      afterExportedAt: null,
    });
    expect(changesRecord('NONE', CHANGES_REASONS.cancelled).state).toBe('NONE');
  });

  it('warns when the after-state was taken more than 10 minutes after the import completed', () => {
    expect(afterStateIsLate('2026-11-20T09:00:00Z', '2026-11-20T09:10:00Z')).toBe(false);
    expect(afterStateIsLate('2026-11-20T09:00:00Z', '2026-11-20T09:10:00.001Z')).toBe(true);
    expect(afterStateIsLate(null, '2026-11-20T09:10:00Z')).toBe(false);
    expect(afterStateIsLate('garbage', '2026-11-20T09:10:00Z')).toBe(false);
  });
});
