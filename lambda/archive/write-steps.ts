import type { ArchiveKeys } from '../contract/archive-keys.ts';
import { CONTENT_TYPES } from '../contract/constants.ts';
import type { ChangesDocument } from '../domain/changes.ts';
import type { Manifest, ManifestObject } from '../domain/manifest.ts';
import type { Samples } from '../domain/summary.ts';
import { type RestoreEntry, renderReport } from '../report/report-renderer.ts';
import type { ConditionalWrite } from '../storage/archive-store.ts';
import type { ArchiveDeps } from './archive-types.ts';

/** Writes report.html from the manifest-to-be (the report describes every other object). */
export async function writeReport(
  deps: ArchiveDeps,
  keys: ArchiveKeys,
  manifest: Manifest,
  samples: Samples | null,
  changes: ChangesDocument | null,
  signal: AbortSignal,
  restores?: readonly RestoreEntry[],
): Promise<ManifestObject> {
  const html = renderReport({ manifest, samples, changes, ...(restores ? { restores } : {}) });
  const report = await deps.store.put(keys.report, Buffer.from(html, 'utf8'), CONTENT_TYPES.html, { signal });
  deps.log.info('Report written', { jobId: manifest.jobId, key: report.key, bytes: report.bytes });
  return {
    role: 'report',
    key: report.key,
    bytes: report.bytes,
    sha256: report.sha256,
    ...(report.versionId ? { versionId: report.versionId } : {}),
  };
}

/** Writes the manifest, last, only under `condition`; false when the condition failed. */
export async function writeManifest(
  deps: ArchiveDeps,
  keys: ArchiveKeys,
  manifest: Manifest,
  condition: ConditionalWrite,
  signal: AbortSignal,
): Promise<boolean> {
  const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  const written = (await deps.store.putConditional(keys.manifest, body, CONTENT_TYPES.json, condition, { signal })) !== undefined;
  if (written)
    deps.log.info('Manifest written', {
      jobId: manifest.jobId,
      manifestKey: keys.manifest,
      status: manifest.status,
      totals: manifest.summary.totals,
    });
  return written;
}
