import { createHash } from 'node:crypto';
import { type Readable, Transform } from 'node:stream';
import { RestoreRefusedError } from '../core/errors.ts';
import type { ManifestObject } from '../domain/manifest.ts';
import type { ArchiveStore, StoreCall } from '../storage/archive-store.ts';

/**
 * The archived backup as it streams out of S3, checked against the manifest: its sha256 and size
 * are compared as the last byte passes, before the stream ends, so a submission built from it is
 * cut off (never complete) when the bytes differ. Memory stays at a chunk whatever the size.
 */
export async function verifiedBackup(store: ArchiveStore, object: ManifestObject, jobId: string, call: StoreCall): Promise<Readable> {
  const source = await store.stream(object.key, object.versionId, call);
  if (!source) throw new RestoreRefusedError(`The archived backup ${object.key} is missing from the bucket.`, jobId);
  const hash = createHash('sha256');
  let bytes = 0;
  const mismatch = () =>
    new RestoreRefusedError(
      `The archived backup ${object.key} does not match the manifest (sha256 or size differ): it was not submitted.`,
      jobId,
    );
  const check = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > object.bytes) return done(mismatch());
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      done(bytes === object.bytes && hash.digest('hex') === object.sha256 ? null : mismatch());
    },
  });
  source.once('error', (error) => check.destroy(error));
  return source.pipe(check);
}
