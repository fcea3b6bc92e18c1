/**
 * The first `limit` bytes of a token or value that may span chunks, and whether anything past
 * them was dropped. Bytes are copied as they are kept, so the caller may reuse its chunks.
 */
export class BoundedBytes {
  readonly #limit: number;
  readonly #parts: Buffer[] = [];
  #size = 0;
  #complete = true;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get complete(): boolean {
    return this.#complete;
  }

  /** Keeps `buf[start, end)`, as much of it as the limit allows. */
  add(buf: Uint8Array, start: number, end: number): void {
    const take = Math.min(end - start, this.#limit - this.#size);
    if (take < end - start) this.#complete = false;
    if (take <= 0) return;
    this.#parts.push(Buffer.from(buf.subarray(start, start + take)));
    this.#size += take;
  }

  /** What was kept, with `buf[start, end)` added (it spans chunks, so it is always a copy). */
  finish(buf: Uint8Array, start: number, end: number): Buffer {
    this.add(buf, start, end);
    return Buffer.concat(this.#parts, this.#size);
  }
}
