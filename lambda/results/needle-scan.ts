/**
 * Finds where any of a set of byte strings (needles) occurs in a stream of chunks, ignoring ASCII
 * case, so a reader can skip the parts of a document that cannot hold what it looks for.
 *
 *   const scan = new NeedleScan(['"2c91808a"', 'Lowercase Email']);
 *   scan.scan(chunk);                        // each chunk in order, before the reader uses it
 *   scan.occursWithin(start, end);           // any needle starting in bytes [start, end)?
 *
 * Needles are byte strings written as latin1 text (one char per byte). One native regular
 * expression over each chunk finds them all: it costs about what reading the bytes once does,
 * and barely more with hundreds of needles, which is why this beats asking per entry. A needle
 * may span chunks: the last bytes of a chunk are scanned again with the next one.
 */
export class NeedleScan {
  readonly #pattern: RegExp;
  /** Bytes of the previous chunk scanned again with the next (a needle may start there). */
  readonly #overlap: number;
  #tail = '';
  /** Bytes of the stream before the current chunk. */
  #offset = 0;
  /** Where found needles start, in stream bytes, ascending; those before a query's start are dropped. */
  #found: number[] = [];
  #next = 0;

  constructor(needles: readonly string[]) {
    if (needles.length === 0 || needles.some((n) => n.length === 0)) throw new Error('NeedleScan needs non-empty needles.');
    this.#pattern = new RegExp(needles.map(escapeRegExp).join('|'), 'gi');
    this.#overlap = Math.max(...needles.map((n) => n.length)) - 1;
  }

  scan(chunk: Uint8Array): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const tail = this.#tail;
    const text = tail + buf.toString('latin1');
    const base = this.#offset - tail.length;
    const pattern = this.#pattern;
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
      // One lying wholly in the tail was found with the previous chunk.
      if (match.index + match[0].length > tail.length) this.#record(base + match.index);
    }
    this.#tail = text.slice(Math.max(0, text.length - this.#overlap));
    this.#offset += buf.length;
    if (this.#next > 1024 && this.#next * 2 > this.#found.length) {
      this.#found = this.#found.slice(this.#next);
      this.#next = 0;
    }
  }

  /** Keeps `#found` ascending: a needle spanning chunks may start before one found in the last chunk. */
  #record(at: number): void {
    const found = this.#found;
    let i = found.length;
    while (i > this.#next && found[i - 1]! > at) i--;
    found.splice(i, 0, at);
  }

  /** Whether a needle starts in stream bytes [start, end). Ask in ascending order of `start`. */
  occursWithin(start: number, end: number): boolean {
    const found = this.#found;
    while (this.#next < found.length && found[this.#next]! < start) this.#next++;
    return this.#next < found.length && found[this.#next]! < end;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
