import { InvalidJsonError, JsonSyntaxError } from './invalid-json-error.ts';
// The lexer: byte constants and the loops that find where strings and literals end.
import * as lex from './json-lexer.ts';
import { passOver } from './json-pass-over.ts';
import { decodeJsonString, KeyCache } from './json-text.ts';
import { CAPTURE_LIMIT, KEY_LIMIT, type PathKey, type ValueKind, type Visit, type WalkerOptions } from './json-walk-options.ts';
import { Expect, Lex, newWalkState, passing, pushKind, type WalkedFrame } from './json-walk-state.ts';
import { SpanningBytes } from './spanning-bytes.ts';

export { InvalidJsonError, NotExportDocumentError, NotImportResultsError } from './invalid-json-error.ts';

export { CAPTURE_LIMIT, type PathKey, type ValueKind, type Visit, type WalkerOptions } from './json-walk-options.ts';

/**
 * Walks a JSON document as it streams past in chunks split anywhere, checking the whole grammar
 * (RFC 8259: escapes, control characters, numbers, literals, brackets) in every region, visited,
 * captured or passed over, and that the document ended. It never recurses: open containers are an
 * explicit stack of one byte each, plus a small frame per container the caller walks. It holds
 * only the keys of walked objects and the value being captured, each bounded. Paths handed to the
 * callbacks are reused: they are valid during the call only. UTF-8 is passed through unchecked.
 */
export class JsonStreamWalker {
  readonly #options: WalkerOptions;
  readonly #state = newWalkState();
  /** The walked containers, outermost first (frames[d - 1] is at depth d); deeper ones are spares. */
  readonly #frames: WalkedFrame[] = [];
  readonly #keys = new KeyCache();
  readonly #path: PathKey[] = [];
  // The key of a walked object's member being read, and whether it goes on past this chunk.
  readonly #key = new SpanningBytes(KEY_LIMIT);
  #keySpans = false;
  // The value being captured (one at a time): the depth it sits at (-1: none), its key, its bytes.
  readonly #capture: SpanningBytes;
  #captureDepth = -1;
  #captureKey: PathKey | undefined;
  #offset = 0;
  #error: InvalidJsonError | undefined;

  constructor(options: WalkerOptions) {
    this.#options = options;
    this.#capture = new SpanningBytes(options.captureLimit ?? CAPTURE_LIMIT);
  }

  write(chunk: Uint8Array): void {
    if (this.#error) throw this.#error;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    try {
      this.#scan(buf);
    } catch (error) {
      throw (this.#error = this.#wrap(error));
    }
    this.#offset += chunk.length;
  }

  /** Throws when the document is incomplete or invalid. */
  end(): void {
    if (this.#error) throw this.#error;
    const state = this.#state;
    if (state.lex === Lex.Literal && lex.literalComplete(state)) {
      state.lex = Lex.Structure;
      try {
        this.#tokenEnded(Buffer.alloc(0), 0);
      } catch (error) {
        throw (this.#error = this.#wrap(error));
      }
    }
    if (state.lex !== Lex.Structure || state.depth > 0 || state.expect !== Expect.Done) {
      throw (this.#error = new InvalidJsonError(`The JSON document ended early, at byte ${this.#offset}.`));
    }
  }

  #wrap(error: unknown): InvalidJsonError {
    if (error instanceof JsonSyntaxError) return new InvalidJsonError(`${error.message} at byte ${this.#offset + error.at}.`);
    if (error instanceof InvalidJsonError) return error;
    throw error;
  }

  #scan(buf: Buffer): void {
    const n = buf.length;
    const state = this.#state;
    let i = 0;
    if (state.lex !== Lex.Structure) i = this.#resume(buf);
    while (i < n) {
      if (passing(state)) {
        const stop = passOver(state, buf, i);
        if (state.closed) {
          state.closed = false;
          this.#valueDone(buf, stop);
        } else if (stop === i) {
          // At the bracket closing a walked container whose rest was skipped.
          i = this.#token(buf, i);
          continue;
        }
        i = stop;
      } else i = this.#walk(buf, i);
    }
    // Keep the part of a key or captured value that goes on in the next chunk.
    if (this.#keySpans) this.#key.chunkEnded(buf);
    if (this.#captureDepth >= 0) this.#capture.chunkEnded(buf);
  }

  /** Finishes the string or literal the last chunk ended in. */
  #resume(buf: Buffer): number {
    const state = this.#state;
    const n = buf.length;
    let end: number;
    if (state.lex === Lex.String) {
      const quote = lex.resumeString(buf, 0, state.escape);
      if (quote >= n) {
        state.escape = quote - n;
        return n;
      }
      end = quote + 1;
    } else {
      end = lex.literalEnd(state, buf, 0);
      if (end >= n) return n;
    }
    state.lex = Lex.Structure;
    this.#tokenEnded(buf, end);
    return end;
  }

  /** A string or literal that spanned chunks ended just before `end`. */
  #tokenEnded(buf: Buffer, end: number): void {
    const state = this.#state;
    if (passing(state)) state.expect = state.key ? Expect.Colon : Expect.CommaOrEnd;
    else if (state.key) this.#keyDone(buf, end);
    else this.#valueDone(buf, end);
  }

  /**
   * Reads tokens where the caller walks (or at the top level), calling back as needed, until the
   * fast path can take over or the chunk ends.
   */
  #walk(buf: Buffer, from: number): number {
    const state = this.#state;
    const n = buf.length;
    let i = from;
    while (i < n) {
      if (i !== from && passing(state)) return i;
      i = this.#token(buf, i);
    }
    return i;
  }

  /** Reads one token where the caller walks: the index just past it. */
  #token(buf: Buffer, i: number): number {
    const state = this.#state;
    const n = buf.length;
    const c = buf[i]!;
    const expect = state.expect;
    const acceptsValue = expect === Expect.Value || expect === Expect.ValueOrEnd;
    switch (c) {
      case lex.SPACE:
      case lex.LF:
      case lex.CR:
      case lex.TAB:
        return i + 1;
      case lex.QUOTE: {
        const key = expect === Expect.Key || expect === Expect.KeyOrEnd;
        if (!key && !acceptsValue) this.#fail('Unexpected string', i);
        if (key) this.#key.begin(i);
        else this.#beginValue('string', i);
        const quote = lex.stringEnd(buf, i + 1);
        if (quote < n) {
          if (key) this.#keyDone(buf, quote + 1);
          else this.#valueDone(buf, quote + 1);
          return quote + 1;
        }
        this.#keySpans = key;
        state.lex = Lex.String;
        state.key = key;
        state.escape = quote - n;
        return n;
      }
      case lex.OPEN_OBJECT:
      case lex.OPEN_ARRAY: {
        if (!acceptsValue) this.#fail('Unexpected container', i);
        const array = c === lex.OPEN_ARRAY;
        const descend = this.#beginValue(array ? 'array' : 'object', i) === 'descend';
        pushKind(state, array, i);
        if (descend) {
          // Frames are kept for reuse: walking many small containers allocates none.
          let frame = this.#frames[state.depth - 1];
          if (frame) {
            frame.array = array;
            frame.skipRest = false;
            frame.count = 0;
            frame.key = '';
          } else this.#frames.push((frame = { array, skipRest: false, count: 0, key: '' }));
          state.walked = state.depth;
          state.top = frame;
        }
        return i + 1;
      }
      case lex.CLOSE_OBJECT:
      case lex.CLOSE_ARRAY: {
        const array = c === lex.CLOSE_ARRAY;
        if (state.depth === 0 || state.kinds[state.depth] !== (array ? 1 : 0)) this.#fail('Unbalanced bracket', i);
        if (expect !== Expect.CommaOrEnd && expect !== (array ? Expect.ValueOrEnd : Expect.KeyOrEnd))
          this.#fail('Unexpected end of container', i);
        this.#closeWalked();
        this.#valueDone(buf, i + 1);
        return i + 1;
      }
      case lex.COMMA:
        if (expect !== Expect.CommaOrEnd) this.#fail('Unexpected ","', i);
        state.expect = state.kinds[state.depth] === 1 ? Expect.Value : Expect.Key;
        return i + 1;
      case lex.COLON:
        if (expect !== Expect.Colon) this.#fail('Unexpected ":"', i);
        state.expect = Expect.Value;
        return i + 1;
      default: {
        const start = lex.LITERAL_START[c]!;
        if (start === 0 || !acceptsValue)
          this.#fail(
            expect === Expect.Done ? `Unexpected "${lex.printable(c)}" after the document` : `Unexpected "${lex.printable(c)}"`,
            i,
          );
        this.#beginValue('literal', i);
        state.literal = start;
        const end = lex.literalEnd(state, buf, i + 1);
        if (end >= n) {
          state.lex = Lex.Literal;
          state.key = false;
          return n;
        }
        this.#valueDone(buf, end);
        return end;
      }
    }
  }

  #fail(message: string, at: number): never {
    throw new JsonSyntaxError(message, at);
  }

  /** A value starts at `at` in a walked container or at the top: asks the caller what to do. */
  #beginValue(kind: ValueKind, at: number): Visit {
    const state = this.#state;
    const frame = state.depth > 0 ? state.top : undefined;
    let key: PathKey | undefined;
    if (frame) {
      key = frame.array ? frame.count : frame.key;
      frame.count++;
      this.#path.push(key);
    }
    let visit = this.#options.visit(this.#path, kind, this.#offset + at);
    if (visit === 'skip-rest') {
      if (frame) frame.skipRest = true;
      visit = 'skip';
    } else if (visit === 'descend' && kind !== 'object' && kind !== 'array') visit = 'skip';
    if (visit === 'capture') {
      this.#captureDepth = state.depth;
      this.#captureKey = key;
      this.#capture.begin(at);
    }
    if (visit !== 'descend' && frame) this.#path.pop();
    return visit;
  }

  /** The key of a walked object's member ended just before `end`. */
  #keyDone(buf: Buffer, end: number): void {
    const state = this.#state;
    state.expect = Expect.Colon;
    this.#keySpans = false;
    const token = this.#key;
    const start = token.startInChunk;
    if (start >= 0 && end - start <= KEY_LIMIT) state.top!.key = this.#keys.decode(buf, start, end);
    else {
      const raw = token.take(buf, end);
      state.top!.key = token.complete ? decodeJsonString(raw, true) : `${decodeJsonString(raw, false)}…`;
    }
  }

  /** The walked container at the current depth closes. */
  #closeWalked(): void {
    const state = this.#state;
    this.#options.onEnd?.(this.#path, state.top!.count);
    state.depth--;
    state.walked = state.depth;
    state.top = state.depth > 0 ? this.#frames[state.depth - 1] : undefined;
    if (state.depth > 0) this.#path.pop();
  }

  /** A value ended just before `end`: the grammar moves on, and a capture at this depth completes. */
  #valueDone(buf: Buffer, end: number): void {
    const state = this.#state;
    state.expect = state.depth > 0 ? Expect.CommaOrEnd : Expect.Done;
    if (this.#captureDepth !== state.depth) return;
    this.#captureDepth = -1;
    const raw = this.#capture.take(buf, end);
    const key = this.#captureKey;
    if (key !== undefined) this.#path.push(key);
    this.#options.onValue?.(this.#path, raw, this.#capture.complete);
    if (key !== undefined) this.#path.pop();
  }
}
