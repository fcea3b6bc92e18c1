// The jobs the bench archives, registered with the ISC double of a stack.
import { randomBytes } from 'node:crypto';
import { exportDocumentStream } from '../local/export-document.ts';
import { completeResults, importResultsDocument } from '../local/import-results.ts';
import type { IscDouble } from '../local/isc-double.ts';

export interface BenchJob {
  readonly jobId: string;
  readonly exportJobId?: string;
}

const hex = () => randomBytes(16).toString('hex');

/** A COMPLETE job with the given results and, with `backup`, a pre-import backup of that document. */
export function register(
  isc: IscDouble,
  job: { readonly results: string; readonly backup?: Buffer | { readonly generateExport: number }; readonly exportJobId?: string },
): BenchJob {
  const jobId = hex();
  const exportJobId = job.backup ? (job.exportJobId ?? hex()) : undefined;
  const results = exportJobId ? job.results.replace(/"exportJobId":"x"/, `"exportJobId":"${exportJobId}"`) : job.results;
  isc.addJob(jobId, { status: 'COMPLETE', results, ...(exportJobId ? { backup: { exportJobId, document: job.backup! } } : {}) });
  return { jobId, ...(exportJobId ? { exportJobId } : {}) };
}

/** About 1 MB of results: 4,400 SOURCE objects imported, each with its info line. No backup. */
export function oneMegabyteResults(): string {
  const infos = Array.from({ length: 4_400 }, (_, i) => ({
    key: 'IMPORT_PREVIEW',
    text: `Object to be imported: [${hex()}, Source number ${i} of the nightly configuration promotion]`,
  }));
  const importedObjects = infos.map((_, i) => ({ type: 'SOURCE', id: hex(), name: `Source ${i}` }));
  return importResultsDocument({ SOURCE: { infos, importedObjects } });
}

/**
 * A complete import and its pre-import backup of about `bytes`, holding the objects the import
 * touched (the results' importedObjects) as the last entries of its `objects` array: whoever looks
 * for them in the backup reads the whole document first, the worst case for the comparison. Built
 * from the double's own generated export; held in memory by the bench process, not the worker.
 */
export async function jobWithTouchedObjectsAtTheEnd(isc: IscDouble, bytes: number): Promise<BenchJob> {
  const exportJobId = hex();
  const results = completeResults(exportJobId);
  const chunks: Buffer[] = [];
  for await (const chunk of exportDocumentStream({ bytes, tenant: isc.tenant, exportJobId })) chunks.push(chunk as Buffer);
  const generated = Buffer.concat(chunks);
  const close = generated.subarray(-2).toString();
  if (close !== ']}') throw new Error(`The generated export no longer ends with its objects array (${close}).`);
  const touched = Object.values((JSON.parse(results) as { results: Record<string, { importedObjects: Ref[] }> }).results).flatMap(
    (r) => r.importedObjects,
  );
  const tail = touched.map((ref, i) => `,${JSON.stringify(beforeState(ref, i))}`).join('');
  const backup = Buffer.concat([generated.subarray(0, -2), Buffer.from(`${tail}]}`)]);
  return register(isc, { results, backup, exportJobId });
}

interface Ref {
  readonly type: string;
  readonly id: string;
  readonly name: string;
}

/** An export entry for a touched object as it stood before the import. */
function beforeState(ref: Ref, i: number): Record<string, unknown> {
  const object: Record<string, unknown> = {
    id: ref.id,
    name: ref.name,
    description: `Before the import (${i})`,
    attributes: { input: { type: 'accountAttribute', attributes: { attributeName: 'mail' } } },
  };
  return { version: 1, self: ref, object };
}
