export type PathKey = string | number;
/**
 * What to do with a value about to start at `path`: capture it, walk it ('descend'), pass over it
 * ('skip'), or pass over it and every later entry of the same container ('skip-rest'), which is
 * then read at full speed without asking again.
 */
export type Visit = 'capture' | 'descend' | 'skip' | 'skip-rest';

export interface WalkerOptions {
  /** Called when a value starts in a walked container. */
  visit(path: readonly PathKey[]): Visit;
  /** Receives each captured value, with its strings and lists cut to CAPTURE_LIMITS. */
  onValue(path: readonly PathKey[], value: unknown): void;
  /** Called when a walked container ends, with how many entries it held. */
  onEnd?(path: readonly PathKey[], entries: number): void;
  /**
   * Captured values are handed over whole, not cut to CAPTURE_LIMITS: for a caller that chooses
   * itself what it captures and needs it exact (the changes extractor). Default false.
   */
  readonly exact?: boolean;
}

/** A captured value is at most `bytes` long as JSON, and is then cut to these sizes for keeping. */
export const CAPTURE_LIMITS = { bytes: 64 * 1024, stringChars: 2_000, entries: 100 } as const;
export const OVERSIZED = '… (entry too large to show here; see results.json)';

/** The document is not valid JSON, or ended before it was complete. */
export class InvalidJsonError extends Error {
  override readonly name = 'InvalidJsonError';
}

// What the grammar allows next.
const Expect = { Value: 0, ValueOrEnd: 1, Key: 2, KeyOrEnd: 3, Colon: 4, CommaOrEnd: 5, Done: 6 } as const;
type Expect = (typeof Expect)[keyof typeof Expect];
// Lexer state between chunks.
const Lex = { Structure: 0, String: 1, Literal: 2 } as const;
type Lex = (typeof Lex)[keyof typeof Lex];

interface Frame {
  readonly array: boolean;
  readonly mode: 'capture' | 'descend' | 'skip';
  /** A walked container whose remaining entries are passed over ('skip-rest'). */
  skipRest: boolean;
  expect: Expect;
  key: string | undefined;
  index: number;
}

const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, COLON = 0x3a;
const OPEN_OBJECT = 0x7b, CLOSE_OBJECT = 0x7d, OPEN_ARRAY = 0x5b, CLOSE_ARRAY = 0x5d;
const LITERAL = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)$/;

/** Frames the fast path may read through: not walked, or walked with the rest of it skipped. */
function passable(frame: Frame): boolean {
  return frame.mode !== 'descend' || frame.skipRest;
}

/** Bytes looked at one by one before a string counts as long and memchr takes over. */
const NEAR_BYTES = 256;

/**
 * Where the string whose content starts at `from` closes: the index of its quote, or `buf.length`
 * if the chunk ends first, or `buf.length + 1` if it ends just after a backslash (the next chunk
 * opens with an escaped byte). Most strings are short, and a plain loop finds their end sooner
 * than a native search gets going; past NEAR_BYTES, memchr jumps to the next quote or backslash.
 */
function stringEnd(buf: Buffer, from: number): number {
  const n = buf.length;
  let j = from;
  for (;;) {
    const near = Math.min(n, j + NEAR_BYTES);
    while (j < near && buf[j] !== QUOTE && buf[j] !== BACKSLASH) j++;
    if (j === near && j < n) {
      const quote = buf.indexOf(QUOTE, j);
      const backslash = buf.indexOf(BACKSLASH, j);
      if (backslash === -1 || (quote !== -1 && quote < backslash)) return quote === -1 ? n : quote;
      j = backslash;
    }
    if (j >= n || buf[j] === QUOTE) return j;
    j += 2;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isLiteralByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x45;
}

/**
 * Walks a JSON document as it streams past, holding only the
 * open containers' keys and the values it was asked to capture (each parsed on its own). It checks
 * the grammar and that the document ended, so truncated or invalid bodies fail.
 */
export class JsonStreamWalker {
  readonly #options: WalkerOptions;
  readonly #stack: Frame[] = [];
  readonly #path: PathKey[] = [];
  #top: Expect = Expect.Value;
  #lex: Lex = Lex.Structure;
  #escape = false;
  #stringIsKey = false;
  // Bytes of a string or literal being read that we need whole (keys of walked objects, literals).
  #token: Buffer[] | undefined;
  #tokenStart = -1;
  // The value being captured: its depth, bytes so far, and whether it outgrew the limit.
  #capture: { depth: number; path: PathKey[]; chunks: Buffer[]; size: number; start: number; oversized: boolean } | undefined;
  #offset = 0;
  #error: InvalidJsonError | undefined;

  constructor(options: WalkerOptions) {
    this.#options = options;
  }

  write(chunk: Uint8Array): void {
    if (this.#error) throw this.#error;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    try {
      this.#scan(buf);
    } catch (error) {
      this.#error = error instanceof InvalidJsonError ? error : new InvalidJsonError(String(error));
      throw this.#error;
    }
    this.#offset += buf.length;
  }

  /** Throws when the document is incomplete or invalid. */
  end(): void {
    if (this.#error) throw this.#error;
    if (this.#lex === Lex.Literal) {
      // The literal's bytes were all kept at the end of the last chunk.
      this.#tokenStart = 0;
      if (this.#capture) this.#capture.start = 0;
      this.#endLiteral(Buffer.alloc(0), 0);
    }
    if (this.#lex === Lex.String || this.#stack.length > 0 || this.#top !== Expect.Done) {
      throw (this.#error = new InvalidJsonError('The JSON document ended before it was complete.'));
    }
  }

  #fail(message: string, at: number): never {
    throw new InvalidJsonError(`${message} at byte ${this.#offset + at}.`);
  }

  #scan(buf: Buffer): void {
    const n = buf.length;
    if (this.#capture) this.#capture.start = 0;
    if (this.#token) this.#tokenStart = 0;
    let i = 0;
    while (i < n) {
      if (this.#lex === Lex.String) {
        // Most bytes of a document are inside strings: find the closing quote in one tight loop.
        const from = this.#escape ? i + 1 : i;
        this.#escape = false;
        const quote = stringEnd(buf, from);
        if (quote >= n) {
          this.#escape = quote > n;
          break;
        }
        this.#lex = Lex.Structure;
        i = quote + 1;
        this.#endString(buf, i);
        continue;
      }
      if (this.#lex === Lex.Literal) {
        while (i < n && isLiteralByte(buf[i]!)) i++;
        if (i === n) break;
        this.#endLiteral(buf, i);
        continue;
      }
      const c = buf[i]!;
      if (isSpace(c)) {
        i++;
        continue;
      }
      const frame = this.#stack.at(-1);
      if (frame && passable(frame)) {
        // Inside a container passed over or captured whole: no callbacks until it closes.
        const stop = this.#passOver(buf, i);
        if (stop !== i) {
          i = stop;
          continue;
        }
      }
      const expect = frame ? frame.expect : this.#top;
      switch (c) {
        case OPEN_OBJECT:
        case OPEN_ARRAY:
          if (expect !== Expect.Value && expect !== Expect.ValueOrEnd) this.#fail('Unexpected container', i);
          this.#open(c === OPEN_ARRAY, i);
          break;
        case CLOSE_OBJECT:
        case CLOSE_ARRAY:
          if (!frame || frame.array !== (c === CLOSE_ARRAY)) this.#fail('Unbalanced bracket', i);
          if (expect !== Expect.CommaOrEnd && expect !== (frame.array ? Expect.ValueOrEnd : Expect.KeyOrEnd)) this.#fail('Unexpected end of container', i);
          this.#close(buf, i + 1);
          break;
        case COMMA:
          if (!frame || expect !== Expect.CommaOrEnd) this.#fail('Unexpected ","', i);
          frame.index++;
          frame.expect = frame.array ? Expect.Value : Expect.Key;
          break;
        case COLON:
          if (!frame || expect !== Expect.Colon) this.#fail('Unexpected ":"', i);
          frame.expect = Expect.Value;
          break;
        case QUOTE:
          if (frame && !frame.array && (expect === Expect.Key || expect === Expect.KeyOrEnd)) {
            this.#stringIsKey = true;
            // Keys matter only in objects we walk; elsewhere they are passed over unread.
            if (frame.mode === 'descend') this.#startToken(i);
          } else if (expect === Expect.Value || expect === Expect.ValueOrEnd) {
            this.#stringIsKey = false;
            this.#beginValue(i);
          } else this.#fail('Unexpected string', i);
          this.#lex = Lex.String;
          break;
        default:
          if (!isLiteralByte(c) || (expect !== Expect.Value && expect !== Expect.ValueOrEnd)) this.#fail(`Unexpected "${String.fromCharCode(c)}"`, i);
          this.#beginValue(i);
          this.#startToken(i);
          this.#lex = Lex.Literal;
      }
      i++;
    }
    // Keep the partial token or capture across the chunk boundary.
    if (this.#token && this.#tokenStart >= 0) this.#token.push(Buffer.from(buf.subarray(this.#tokenStart)));
    const capture = this.#capture;
    if (capture && !capture.oversized) {
      capture.size += n - capture.start;
      if (capture.size > CAPTURE_LIMITS.bytes && !this.#options.exact) {
        capture.oversized = true;
        capture.chunks = [];
      } else capture.chunks.push(Buffer.from(buf.subarray(capture.start)));
    }
  }

  /**
   * The hot path for most of a document's bytes: the inside of containers nobody walks (entries
   * past the samples) or that are captured whole. It checks the grammar with the state in locals
   * and returns where the general loop must take over: at the bracket closing the outermost such
   * container, at a literal, or at the end of the chunk (state saved, a string possibly open).
   */
  #passOver(buf: Buffer, from: number): number {
    const stack = this.#stack;
    let base = stack.length - 1;
    while (base > 0 && passable(stack[base - 1]!)) base--;
    let frame = stack[stack.length - 1]!;
    const n = buf.length;
    let i = from;
    while (i < n) {
      const c = buf[i]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        i++;
        continue;
      }
      const expect = frame.expect;
      if (c === QUOTE) {
        let key = false;
        if (!frame.array && (expect === Expect.Key || expect === Expect.KeyOrEnd)) key = true;
        else if (expect !== Expect.Value && expect !== Expect.ValueOrEnd) this.#fail('Unexpected string', i);
        const j = stringEnd(buf, i + 1);
        if (j >= n) {
          // The string goes on in the next chunk: hand it to the general lexer's state.
          this.#lex = Lex.String;
          this.#stringIsKey = key;
          this.#escape = j > n;
          return n;
        }
        frame.expect = key ? Expect.Colon : Expect.CommaOrEnd;
        i = j + 1;
        continue;
      }
      switch (c) {
        case OPEN_OBJECT:
        case OPEN_ARRAY:
          if (expect !== Expect.Value && expect !== Expect.ValueOrEnd) this.#fail('Unexpected container', i);
          frame = { array: c === OPEN_ARRAY, mode: frame.mode === 'capture' ? 'capture' : 'skip', skipRest: false, expect: c === OPEN_ARRAY ? Expect.ValueOrEnd : Expect.KeyOrEnd, key: undefined, index: 0 };
          stack.push(frame);
          break;
        case CLOSE_OBJECT:
        case CLOSE_ARRAY:
          if (stack.length - 1 === base) return i;
          if (frame.array !== (c === CLOSE_ARRAY)) this.#fail('Unbalanced bracket', i);
          if (expect !== Expect.CommaOrEnd && expect !== (frame.array ? Expect.ValueOrEnd : Expect.KeyOrEnd)) this.#fail('Unexpected end of container', i);
          stack.pop();
          frame = stack[stack.length - 1]!;
          frame.expect = Expect.CommaOrEnd;
          break;
        case COMMA:
          if (expect !== Expect.CommaOrEnd) this.#fail('Unexpected ","', i);
          frame.index++;
          frame.expect = frame.array ? Expect.Value : Expect.Key;
          break;
        case COLON:
          if (expect !== Expect.Colon) this.#fail('Unexpected ":"', i);
          frame.expect = Expect.Value;
          break;
        default:
          // Literals are rare in import results; the general loop reads and checks them.
          return i;
      }
      i++;
    }
    return n;
  }

  #startToken(at: number): void {
    this.#token = [];
    this.#tokenStart = at;
  }

  #takeToken(buf: Buffer, end: number): string {
    const parts = this.#token!;
    const start = this.#tokenStart;
    this.#token = undefined;
    this.#tokenStart = -1;
    // Almost every token lies within one chunk: read it in place.
    if (parts.length === 0) return buf.toString('utf8', start, end);
    parts.push(buf.subarray(start, end));
    return Buffer.concat(parts).toString('utf8');
  }

  /** A value starts at `at` in the current chunk: decide whether to capture it. */
  #beginValue(at: number): Frame['mode'] {
    const parent = this.#stack.at(-1);
    if (parent && parent.mode !== 'descend') return parent.mode;
    if (parent?.skipRest) return 'skip';
    const key = parent ? (parent.array ? parent.index : parent.key!) : undefined;
    const path = key === undefined ? [] : [...this.#path, key];
    const visit = this.#options.visit(path);
    if (visit === 'skip-rest') {
      if (parent) parent.skipRest = true;
      return 'skip';
    }
    const mode = visit;
    if (mode === 'capture') this.#capture = { depth: this.#stack.length, path, chunks: [], size: 0, start: at, oversized: false };
    return mode;
  }

  #open(array: boolean, at: number): void {
    const parent = this.#stack.at(-1);
    const mode = this.#beginValue(at);
    if (mode === 'descend' && parent) this.#path.push(parent.array ? parent.index : parent.key!);
    this.#stack.push({ array, mode, skipRest: false, expect: array ? Expect.ValueOrEnd : Expect.KeyOrEnd, key: undefined, index: 0 });
  }

  #close(buf: Buffer, end: number): void {
    const frame = this.#stack.pop()!;
    if (frame.mode === 'descend') {
      const empty = frame.expect === (frame.array ? Expect.ValueOrEnd : Expect.KeyOrEnd);
      this.#options.onEnd?.([...this.#path], empty ? 0 : frame.index + 1);
      if (this.#stack.length > 0) this.#path.pop();
    }
    this.#valueDone(buf, end);
  }

  #endString(buf: Buffer, end: number): void {
    const frame = this.#stack.at(-1);
    if (this.#stringIsKey) {
      frame!.expect = Expect.Colon;
      if (this.#token) frame!.key = JSON.parse(this.#takeToken(buf, end)) as string;
      return;
    }
    this.#valueDone(buf, end);
  }

  #endLiteral(buf: Buffer, end: number): void {
    this.#lex = Lex.Structure;
    const text = this.#takeToken(buf, end);
    if (!LITERAL.test(text)) this.#fail(`Invalid literal ${JSON.stringify(text.slice(0, 20))}`, end);
    this.#valueDone(buf, end);
  }

  /** A value ended just before `end`: the grammar moves on, and a capture at this depth completes. */
  #valueDone(buf: Buffer, end: number): void {
    const frame = this.#stack.at(-1);
    if (frame) frame.expect = Expect.CommaOrEnd;
    else this.#top = Expect.Done;
    const capture = this.#capture;
    if (!capture || capture.depth !== this.#stack.length) return;
    this.#capture = undefined;
    let value: unknown = OVERSIZED;
    const exact = this.#options.exact === true;
    if (!capture.oversized && (exact || capture.size + end - capture.start <= CAPTURE_LIMITS.bytes)) {
      capture.chunks.push(buf.subarray(capture.start, end));
      const parsed: unknown = JSON.parse(Buffer.concat(capture.chunks).toString('utf8'));
      value = exact ? parsed : bound(parsed);
    }
    this.#options.onValue(capture.path, value);
  }
}

/** Cuts long strings and lists of a captured value, so what is kept stays small. */
function bound(value: unknown): unknown {
  if (typeof value === 'string') return value.length > CAPTURE_LIMITS.stringChars ? `${value.slice(0, CAPTURE_LIMITS.stringChars)}…` : value;
  if (Array.isArray(value)) {
    const kept = value.slice(0, CAPTURE_LIMITS.entries).map(bound);
    if (value.length > CAPTURE_LIMITS.entries) kept.push(`… ${value.length - CAPTURE_LIMITS.entries} more`);
    return kept;
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).slice(0, CAPTURE_LIMITS.entries).map(([k, v]) => [k, bound(v)]));
  }
  return value;
}
