import { Tokenizer, TokenType } from '@streamparser/json';

export type PathKey = string | number;
/** What to do with a value about to start at `path`. */
export type Visit = 'capture' | 'descend' | 'skip';

export interface WalkerOptions {
  /** Called when a value starts; containers not captured are walked ('descend') or passed over ('skip'). */
  visit(path: readonly PathKey[]): Visit;
  /** Receives each captured value, built with bounded size. */
  onValue(path: readonly PathKey[], value: unknown): void;
}

/** Strings and containers inside a captured value are cut at these sizes so memory stays bounded. */
export const CAPTURE_LIMITS = { stringChars: 2_000, entries: 100 } as const;

/** The document is not valid JSON, or ended before it was complete. */
export class InvalidJsonError extends Error {
  override readonly name = 'InvalidJsonError';
}

interface Frame {
  readonly kind: 'object' | 'array';
  /** Where this container sits in its parent. */
  readonly at: PathKey | undefined;
  /** The object key being read, or the array index. */
  prop: string | undefined;
  index: number;
  expect: 'key' | 'colon' | 'value' | 'comma-or-end' | 'value-or-end' | 'key-or-end';
  mode: Visit;
  built: Record<string, unknown> | unknown[] | undefined;
  dropped: number;
}

/**
 * Walks a JSON document as it streams, holding only the path and the values it was asked to
 * capture. It checks the grammar and that the document ended, so truncated or invalid bodies fail.
 */
export class JsonStreamWalker {
  readonly #options: WalkerOptions;
  readonly #tokenizer = new Tokenizer();
  readonly #stack: Frame[] = [];
  #done = false;
  #error: Error | undefined;

  constructor(options: WalkerOptions) {
    this.#options = options;
    this.#tokenizer.onToken = ({ token, value }) => this.#token(token, value);
    this.#tokenizer.onError = (error) => {
      this.#error ??= new InvalidJsonError(error.message);
    };
    this.#tokenizer.onEnd = () => {};
  }

  write(chunk: Uint8Array): void {
    if (this.#error) throw this.#error;
    try {
      this.#tokenizer.write(chunk);
    } catch (error) {
      this.#error ??= error instanceof InvalidJsonError ? error : new InvalidJsonError(error instanceof Error ? error.message : String(error));
    }
    if (this.#error) throw this.#error;
  }

  /** Throws when the document is incomplete or invalid. */
  end(): void {
    if (this.#error) throw this.#error;
    if (!this.#done) {
      try {
        this.#tokenizer.end();
      } catch (error) {
        throw new InvalidJsonError(error instanceof Error ? error.message : String(error));
      }
      if (this.#error) throw this.#error;
      if (!this.#done) throw new InvalidJsonError('The JSON document ended before it was complete.');
    }
  }

  /** The path of the innermost open container. */
  #path(): PathKey[] {
    return this.#stack.slice(1).map((frame) => frame.at!);
  }

  #currentKey(): PathKey | undefined {
    const top = this.#stack.at(-1);
    if (!top) return undefined;
    return top.kind === 'array' ? top.index : top.prop;
  }

  #fail(message: string): never {
    throw (this.#error = new InvalidJsonError(message));
  }

  #token(token: TokenType, value: unknown): void {
    const top = this.#stack.at(-1);
    if (this.#done) this.#fail('Unexpected data after the end of the JSON document.');
    if (top?.kind === 'object') {
      if (top.expect === 'key' || top.expect === 'key-or-end') {
        if (token === TokenType.STRING) {
          top.prop = value as string;
          top.expect = 'colon';
          return;
        }
        if (token === TokenType.RIGHT_BRACE && top.expect === 'key-or-end') return this.#close();
        this.#fail('Expected an object key.');
      }
      if (top.expect === 'colon') {
        if (token !== TokenType.COLON) this.#fail('Expected ":" after an object key.');
        top.expect = 'value';
        return;
      }
      if (top.expect === 'comma-or-end') {
        if (token === TokenType.COMMA) {
          top.expect = 'key';
          return;
        }
        if (token === TokenType.RIGHT_BRACE) return this.#close();
        this.#fail('Expected "," or "}" in an object.');
      }
    } else if (top?.kind === 'array') {
      if (top.expect === 'comma-or-end') {
        if (token === TokenType.COMMA) {
          top.index++;
          top.expect = 'value';
          return;
        }
        if (token === TokenType.RIGHT_BRACKET) return this.#close();
        this.#fail('Expected "," or "]" in an array.');
      }
      if (top.expect === 'value-or-end' && token === TokenType.RIGHT_BRACKET) return this.#close();
    }
    this.#value(token, value);
  }

  #value(token: TokenType, value: unknown): void {
    const parent = this.#stack.at(-1);
    const key = this.#currentKey();
    const inherited = parent?.mode === 'capture' ? 'capture' : parent?.mode === 'skip' ? 'skip' : undefined;
    const path = () => [...this.#path(), ...(parent ? [key!] : [])];
    if (token === TokenType.LEFT_BRACE || token === TokenType.LEFT_BRACKET) {
      const mode = inherited ?? this.#options.visit(path());
      const kind = token === TokenType.LEFT_BRACE ? 'object' : 'array';
      this.#stack.push({
        kind,
        at: key,
        prop: undefined,
        index: 0,
        expect: kind === 'object' ? 'key-or-end' : 'value-or-end',
        mode,
        built: mode === 'capture' ? (kind === 'object' ? {} : []) : undefined,
        dropped: 0,
      });
      return;
    }
    let primitive: unknown;
    switch (token) {
      case TokenType.STRING:
        primitive = value;
        break;
      case TokenType.NUMBER:
      case TokenType.TRUE:
      case TokenType.FALSE:
      case TokenType.NULL:
        primitive = value;
        break;
      default:
        this.#fail('Expected a value.');
    }
    const mode = inherited ?? this.#options.visit(path());
    this.#complete(mode, primitive, path);
  }

  #complete(mode: Visit, value: unknown, path: () => PathKey[]): void {
    const parent = this.#stack.at(-1);
    if (parent) parent.expect = 'comma-or-end';
    else this.#done = true;
    if (parent?.mode === 'capture') {
      addBounded(parent, parent.kind === 'array' ? parent.index : parent.prop!, value);
    } else if (mode === 'capture') {
      this.#options.onValue(path(), value);
    }
  }

  #close(): void {
    const frame = this.#stack.pop()!;
    let value: unknown = frame.built;
    if (frame.dropped > 0 && Array.isArray(value)) value.push(`… ${frame.dropped} more`);
    const parent = this.#stack.at(-1);
    const path = () => (parent ? [...this.#path(), frame.at!] : []);
    this.#complete(frame.mode, value, path);
  }
}

function addBounded(frame: Frame, key: PathKey, value: unknown): void {
  const built = frame.built!;
  const bounded = typeof value === 'string' && value.length > CAPTURE_LIMITS.stringChars ? `${value.slice(0, CAPTURE_LIMITS.stringChars)}…` : value;
  if (Array.isArray(built)) {
    if (built.length < CAPTURE_LIMITS.entries) built.push(bounded);
    else frame.dropped++;
  } else if (Object.keys(built).length < CAPTURE_LIMITS.entries) {
    built[String(key)] = bounded;
  }
}
