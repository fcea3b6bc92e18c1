import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../../lambda/domain/manifest.ts';
import { backupProblem, PREVIEW_VALID_MS, previewProblem } from '../../../lambda/restore/restore-guard.ts';

const JOB = 'ef38f94347e94562b5bb8424a56397d8';
const PREVIEW = '4fb10503-1c49-4603-8f8d-886e1f6aa47b';
const selection = { includeTypes: ['TRANSFORM'], objectOptions: { TRANSFORM: { includedIds: ['t1'], includedNames: [] } } };
const NOW = Date.parse('2026-12-01T12:00:00Z');

function manifest(overrides: Partial<Manifest> = {}): Manifest {
  return {
    schemaVersion: 1,
    tenant: 'acme',
    jobId: PREVIEW,
    status: 'COMPLETE',
    message: null,
    created: null,
    completed: null,
    exportJobId: null,
    archivedAt: '2026-12-01T11:00:00.000Z',
    apiVersion: 'beta',
    archiver: { name: 'isc-import-archiver', version: '0.1.0' },
    objects: [
      { role: 'results', key: 'r', bytes: 1, sha256: 'a' },
      { role: 'backup', key: 'b', bytes: 1, sha256: 'b' },
    ],
    backup: { state: 'ARCHIVED', reason: 'ok' },
    changes: {
      state: 'NONE',
      reason: '',
      afterExportJobId: null,
      afterExportedAt: null,
      counts: { created: 0, changed: 0, unchanged: 0, unknown: 0 },
    },
    restore: { of: JOB, preview: true, selection, previewJobId: null },
    summary: { byType: {}, totals: { infos: 1, warnings: 0, errors: 0, importedObjects: 0 } },
    ...overrides,
  };
}

describe('backupProblem', () => {
  it('allows a restore from an archive that holds its backup and results', () => {
    expect(backupProblem(manifest(), JOB)).toBeUndefined();
  });

  it.each([
    ['not archived', undefined, /has not been archived/],
    [
      'backup UNAVAILABLE',
      manifest({ backup: { state: 'UNAVAILABLE', reason: 'ISC no longer serves it (404).' } }),
      /UNAVAILABLE: ISC no longer serves it/,
    ],
    ['backup NONE', manifest({ backup: { state: 'NONE', reason: 'no exportJobId' } }), /no archived backup \(NONE/],
    ['no backup object', manifest({ objects: [{ role: 'results', key: 'r', bytes: 1, sha256: 'a' }] }), /names no backup object/],
  ])('refuses %s', (_what, original, reason) => {
    expect(backupProblem(original, JOB)).toMatch(reason);
  });
});

describe('previewProblem', () => {
  it('allows an apply of a recent, error-free preview of the same job and selection', () => {
    expect(previewProblem(manifest(), PREVIEW, JOB, selection, NOW)).toBeUndefined();
  });

  it.each([
    ['a preview not archived yet', undefined, /has not been archived yet/],
    ['an ordinary import', manifest({ restore: null }), /is not a restore preview/],
    [
      'an apply rather than a preview',
      manifest({ restore: { of: JOB, preview: false, selection, previewJobId: 'x' } }),
      /is not a restore preview/,
    ],
    [
      'a preview of another job',
      manifest({ restore: { of: '0'.repeat(32), preview: true, selection, previewJobId: null } }),
      /not of ef38/,
    ],
    [
      'a preview with errors',
      manifest({ summary: { byType: {}, totals: { infos: 0, warnings: 0, errors: 2, importedObjects: 0 } } }),
      /reported 2 errors/,
    ],
    ['a FAILED preview', manifest({ status: 'FAILED' }), /ended FAILED/],
    [
      'a preview of other objects',
      manifest({ restore: { of: JOB, preview: true, selection: { includeTypes: ['RULE'], objectOptions: {} }, previewJobId: null } }),
      /other objects/,
    ],
    ['a preview over 24 hours old', manifest({ archivedAt: new Date(NOW - PREVIEW_VALID_MS - 1).toISOString() }), /more than 24 hours ago/],
    [
      'a preview that ran over 24 hours ago, archived again since (forced or late)',
      manifest({ completed: new Date(NOW - PREVIEW_VALID_MS - 1).toISOString(), archivedAt: new Date(NOW - 60_000).toISOString() }),
      /ran or was archived more than 24 hours ago/,
    ],
  ])('refuses %s', (_what, preview, reason) => {
    expect(previewProblem(preview, PREVIEW, JOB, selection, NOW)).toMatch(reason);
  });

  it('judges by when the preview was archived when ISC gave no completion time', () => {
    const undated = manifest({ completed: null, archivedAt: new Date(NOW - 60_000).toISOString() });
    expect(previewProblem(undated, PREVIEW, JOB, selection, NOW)).toBeUndefined();
  });

  it('still allows a preview exactly 24 hours old', () => {
    expect(
      previewProblem(manifest({ archivedAt: new Date(NOW - PREVIEW_VALID_MS).toISOString() }), PREVIEW, JOB, selection, NOW),
    ).toBeUndefined();
  });
});
