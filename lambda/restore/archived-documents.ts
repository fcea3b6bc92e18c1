import type { Readable } from 'node:stream';
import type { ObjectRef } from '../domain/summary.ts';
import type { ManifestObject } from '../archive/manifest.ts';
import { JsonStreamWalker } from '../results/json-stream-walker.ts';
import { ResultsScanner } from '../results/results-scanner.ts';
import type { ArchiveStore } from '../storage/archive-store.ts';

/** The objects an archived import touched, read back from its results.json (streamed). */
export async function touchedObjects(store: ArchiveStore, results: ManifestObject): Promise<ObjectRef[]> {
  const scanner = new ResultsScanner();
  await feed(await open(store, results), (chunk) => scanner.write(chunk));
  const digest = scanner.finish() as ReturnType<ResultsScanner['finish']> & { touched?: ObjectRef[] };
  return digest.touched ?? digest.samples.importedObjects;
}

/** The `self` of every backup entry of the given types: what a restore can bring back (streamed). */
export async function backupHoldings(store: ArchiveStore, backup: ManifestObject, types: ReadonlySet<string>): Promise<ObjectRef[]> {
  const held: ObjectRef[] = [];
  const walker = new JsonStreamWalker({
    visit: (path) => {
      if (path.length <= 2) return path.length === 0 || path[0] === 'objects' ? 'descend' : 'skip';
      return path.length === 3 && path[2] === 'self' ? 'capture' : 'skip';
    },
    onValue: (_path, value) => {
      const self = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
      const type = typeof self.type === 'string' ? self.type : '';
      if (types.has(type)) held.push({ type, id: typeof self.id === 'string' ? self.id : '', name: typeof self.name === 'string' ? self.name : '' });
    },
  });
  await feed(await open(store, backup), (chunk) => walker.write(chunk));
  walker.end();
  return held;
}

async function open(store: ArchiveStore, object: ManifestObject): Promise<Readable> {
  const stream = await store.stream(object.key, object.versionId);
  if (!stream) throw new Error(`${object.key} is missing from the bucket`);
  return stream;
}

async function feed(stream: Readable, write: (chunk: Buffer) => void): Promise<void> {
  for await (const chunk of stream as AsyncIterable<Buffer>) write(chunk);
}
