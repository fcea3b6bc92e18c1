import { BoundedBytes } from './bounded-bytes.ts';

/**
 * The bytes of one token or value as the walker reads it: where it starts in the current chunk,
 * and, once it goes on past a chunk's end, the bytes kept from earlier chunks (at most `limit`).
 * Reused from one token to the next; nothing is copied while a token stays within one chunk.
 */
export class SpanningBytes {
  readonly #limit: number;
  #start = 0;
  #earlier: BoundedBytes | undefined;
  /** Whether the last `take` got every byte (else it was cut at `limit`). */
  complete = true;

  constructor(limit: number) {
    this.#limit = limit;
  }

  begin(at: number): void {
    this.#start = at;
    this.#earlier = undefined;
  }

  /** Where it starts in this chunk, when it started in this chunk; else -1. */
  get startInChunk(): number {
    return this.#earlier ? -1 : this.#start;
  }

  /** The chunk ends with the token still open: keep what it has so far. */
  chunkEnded(buf: Uint8Array): void {
    (this.#earlier ??= new BoundedBytes(this.#limit)).add(buf, this.#start, buf.length);
    this.#start = 0;
  }

  /** Its bytes, from its start to `end` in this chunk: a view of `buf` if it lies within it. */
  take(buf: Buffer, end: number): Buffer {
    const earlier = this.#earlier;
    const start = this.#start;
    if (earlier) {
      this.#earlier = undefined;
      const raw = earlier.finish(buf, start, end);
      this.complete = earlier.complete;
      return raw;
    }
    this.complete = end - start <= this.#limit;
    return buf.subarray(start, this.complete ? end : start + this.#limit);
  }
}
