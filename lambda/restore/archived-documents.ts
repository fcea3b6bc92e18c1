import type { Readable } from 'node:stream';
import type { ManifestObject } from '../domain/manifest.ts';
import type { ObjectRef } from '../domain/summary.ts';
import { ExportDocumentCheck } from '../results/export-document-check.ts';
import { ResultsScanner } from '../results/results-scanner.ts';
import type { ArchiveStore, StoreCall } from '../storage/archive-store.ts';

/**
 * The objects an archived import touched, read back from its results.json (streamed); `whole` is
 * false when the results name more than the scanner keeps, or one too large to read.
 */
export async function touchedObjects(
  store: ArchiveStore,
  results: ManifestObject,
  call: StoreCall,
): Promise<{ readonly objects: ObjectRef[]; readonly whole: boolean }> {
  const scanner = new ResultsScanner();
  await feed(await open(store, results, call), (chunk) => scanner.write(chunk));
  const digest = scanner.finish();
  return { objects: digest.touched, whole: !digest.touchedCapped };
}

/** The `self` of every backup entry of the given types: what a restore can bring back (streamed). */
export async function backupHoldings(
  store: ArchiveStore,
  backup: ManifestObject,
  types: ReadonlySet<string>,
  call: StoreCall,
): Promise<ObjectRef[]> {
  const held: ObjectRef[] = [];
  // Only each entry's `self` is read; every `object` is passed over unparsed.
  const check = new ExportDocumentCheck({
    entries: {
      wants: (self) => {
        if (self && types.has(self.type)) held.push(self);
        return false;
      },
      onObject: () => {},
    },
  });
  await feed(await open(store, backup, call), (chunk) => check.write(chunk));
  check.finish();
  return held;
}

async function open(store: ArchiveStore, object: ManifestObject, call: StoreCall): Promise<Readable> {
  const stream = await store.stream(object.key, object.versionId, call);
  if (!stream) throw new Error(`${object.key} is missing from the bucket`);
  return stream;
}

async function feed(stream: Readable, write: (chunk: Buffer) => void): Promise<void> {
  for await (const chunk of stream as AsyncIterable<Buffer>) write(chunk);
}
