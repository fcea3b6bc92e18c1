import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes bytes through unchanged while hashing and counting them, and lets an observer (the
 * results scanner) read each chunk; an observer's exception fails the stream, and with it the upload.
 */
export class MeteredStream extends Transform {
  readonly #hash = createHash('sha256');
  readonly #observe: ((chunk: Buffer) => void) | undefined;
  readonly #finish: (() => void) | undefined;
  bytes = 0;

  constructor(options: { observe?: (chunk: Buffer) => void; finish?: () => void } = {}) {
    super();
    this.#observe = options.observe;
    this.#finish = options.finish;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#hash.update(chunk);
      this.bytes += chunk.length;
      this.#observe?.(chunk);
      callback(null, chunk);
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.#finish?.();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  /** The SHA-256 of every byte passed through; call once, after the stream ended. */
  digest(): string {
    return this.#hash.digest('hex');
  }
}
