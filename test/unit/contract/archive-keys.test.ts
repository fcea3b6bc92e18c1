import { describe, expect, it } from 'vitest';
import { archiveKeys } from '../../../lambda/contract/archive-keys.ts';
import { iscPaths } from '../../../lambda/isc/isc-paths.ts';

describe('archiveKeys', () => {
  it('lays a job out as the contract says', () => {
    const keys = archiveKeys('sp-config/', 'acme', 'ef38f94347e94562b5bb8424a56397d8');
    expect(keys).toMatchObject({
      folder: 'sp-config/acme/imports/ef38f94347e94562b5bb8424a56397d8/',
      results: 'sp-config/acme/imports/ef38f94347e94562b5bb8424a56397d8/results.json',
      report: 'sp-config/acme/imports/ef38f94347e94562b5bb8424a56397d8/report.html',
      manifest: 'sp-config/acme/imports/ef38f94347e94562b5bb8424a56397d8/manifest.json',
      lease: 'sp-config/acme/imports/ef38f94347e94562b5bb8424a56397d8/.archiving',
    });
    expect(keys.backup('be9e116d-08e1-49fc-ab7f-fa585e96c9e4')).toBe(
      'sp-config/acme/imports/ef38f94347e94562b5bb8424a56397d8/exports/be9e116d-08e1-49fc-ab7f-fa585e96c9e4.json',
    );
  });

  it('works with an empty prefix', () => {
    expect(archiveKeys('', 'acme', 'a'.repeat(32)).manifest).toBe(`acme/imports/${'a'.repeat(32)}/manifest.json`);
  });
});

describe('iscPaths', () => {
  it.each([
    ['beta', '/beta/sp-config'],
    ['v2024', '/v2024/sp-config'],
    ['v2025', '/v2025/sp-config'],
    ['v2026', '/v2026/sp-config'],
    ['v1', '/sp-config/v1'],
  ] as const)('uses the %s family', (version, base) => {
    const paths = iscPaths(version);
    expect([paths.importStatus('j'), paths.importResults('j'), paths.exportStatus('e'), paths.exportDocument('e')]).toEqual([
      `${base}/import/j`,
      `${base}/import/j/download`,
      `${base}/export/e`,
      `${base}/export/e/download`,
    ]);
  });
});
