import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { exportDocumentStream } from '../export-document.ts';
import { largeResultsStream } from '../import-results.ts';
import type { Document } from './job-book.ts';

/**
 * Serves a results or export document: fixed bytes with a Content-Length, or a generated one
 * streamed with backpressure (never whole in memory). `resetMidBody` sends half and drops the
 * connection, as a flaky network would. Calls `served` with the bytes and SHA-256 sent in full.
 */
export function streamDocument(
  res: ServerResponse,
  document: Document,
  options: { readonly tenant: string; readonly exportJobId: string; readonly resetMidBody: boolean },
  served: (bytes: number, sha256: string) => void,
): void {
  const source =
    typeof document !== 'object' || Buffer.isBuffer(document)
      ? undefined
      : 'generateExport' in document
        ? exportDocumentStream({
            bytes: document.generateExport,
            tail: document.tail,
            tenant: options.tenant,
            exportJobId: options.exportJobId,
          })
        : largeResultsStream(document.generateResults);
  const fixed = source ? undefined : Buffer.isBuffer(document) ? document : Buffer.from(document as string);
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json');
  if (fixed) res.setHeader('Content-Length', fixed.length);
  if (options.resetMidBody) {
    const body = fixed ?? Buffer.from('{"results":{"SOURCE":{"infos":[');
    res.flushHeaders();
    res.write(body.subarray(0, Math.max(1, Math.floor(body.length / 2))), () => setTimeout(() => res.socket?.destroy(), 20));
    return;
  }
  const hash = createHash('sha256');
  let bytes = 0;
  const input = source ?? Readable.from([fixed!]);
  input.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
    if (!res.write(chunk)) input.pause();
  });
  res.on('drain', () => input.resume());
  input.on('end', () => {
    res.end();
    served(bytes, hash.digest('hex'));
  });
  res.on('close', () => input.destroy());
}
