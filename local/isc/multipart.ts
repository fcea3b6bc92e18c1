/**
 * A streaming multipart/form-data parser (RFC 7578 over RFC 2046): bytes go in as they arrive, in
 * chunks of any size, and each part's body comes out in pieces, so a large `data` part is never
 * copied whole by the parser. Malformed input throws MultipartError, which the double answers 400.
 */

export class MultipartError extends Error {
  override readonly name = 'MultipartError';
}

export interface PartHeaders {
  /** The form field name from Content-Disposition. */
  readonly name: string;
  readonly filename: string | undefined;
  readonly contentType: string | undefined;
}

export interface PartSink {
  write(chunk: Buffer): void;
  end(): void;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 16 * 1024;

/** The boundary of a multipart/form-data Content-Type, or undefined when it is not one. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  const match = /^multipart\/form-data\s*;(.*)$/i.exec(contentType ?? '');
  if (!match) return undefined;
  const param = /(?:^|;)\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(match[1]!);
  return param ? (param[1] ?? param[2]) : undefined;
}

export class MultipartParser {
  // Every delimiter is CRLF "--" boundary; the body is read as if it began with a CRLF, so the first
  // delimiter (which may open the body without one) is found the same way.
  readonly #delimiter: Buffer;
  readonly #onPart: (headers: PartHeaders) => PartSink;
  #pending: Buffer = CRLF;
  #state: 'preamble' | 'delimiter' | 'headers' | 'body' | 'done' = 'preamble';
  #part: PartSink | undefined;

  constructor(boundary: string, onPart: (headers: PartHeaders) => PartSink) {
    if (!/^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/.test(boundary))
      throw new MultipartError('The multipart boundary is not valid.');
    this.#delimiter = Buffer.from(`\r\n--${boundary}`);
    this.#onPart = onPart;
  }

  get finished(): boolean {
    return this.#state === 'done';
  }

  write(chunk: Buffer): void {
    if (this.#state === 'done') return; // the epilogue is ignored
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    while (this.#step()) {
      // each step consumes what it can; it returns false when it needs more bytes
    }
  }

  /** The input is over: anything short of the closing delimiter is malformed. */
  end(): void {
    if (this.#state !== 'done') throw new MultipartError('The multipart body ended before its closing boundary.');
  }

  #step(): boolean {
    switch (this.#state) {
      case 'preamble':
      case 'body':
        return this.#untilDelimiter();
      case 'delimiter':
        return this.#afterDelimiter();
      case 'headers':
        return this.#headers();
      default:
        return false;
    }
  }

  #untilDelimiter(): boolean {
    const at = this.#pending.indexOf(this.#delimiter);
    const keep = at === -1 ? Math.max(0, this.#pending.length - this.#delimiter.length + 1) : at;
    if (this.#state === 'body' && keep > 0) this.#part!.write(this.#pending.subarray(0, keep));
    if (at === -1) {
      this.#pending = this.#pending.subarray(keep);
      return false;
    }
    if (this.#state === 'body') this.#part!.end();
    this.#part = undefined;
    this.#pending = this.#pending.subarray(at + this.#delimiter.length);
    this.#state = 'delimiter';
    return true;
  }

  #afterDelimiter(): boolean {
    // "--" closes the body; otherwise optional transport padding (spaces, tabs), then CRLF.
    if (this.#pending.length < 2) return false;
    if (this.#pending[0] === 0x2d && this.#pending[1] === 0x2d) {
      this.#state = 'done';
      this.#pending = Buffer.alloc(0);
      return false;
    }
    let i = 0;
    while (i < this.#pending.length && (this.#pending[i] === 0x20 || this.#pending[i] === 0x09)) i++;
    if (i > 1024) throw new MultipartError('Too much padding after a multipart boundary.');
    if (this.#pending.length < i + 2) return false;
    if (this.#pending[i] !== 0x0d || this.#pending[i + 1] !== 0x0a)
      throw new MultipartError('A multipart boundary is not followed by a line break.');
    // Keep the CRLF: an empty header block is then found as CRLF CRLF like any other.
    this.#pending = this.#pending.subarray(i);
    this.#state = 'headers';
    return true;
  }

  #headers(): boolean {
    const at = this.#pending.indexOf(HEADER_END);
    if (at === -1) {
      if (this.#pending.length > MAX_HEADER_BYTES) throw new MultipartError('A multipart part has too many header bytes.');
      return false;
    }
    const lines = this.#pending.subarray(2, at).toString('utf8');
    this.#pending = this.#pending.subarray(at + HEADER_END.length);
    this.#part = this.#onPart(parseHeaders(at === 0 ? '' : lines));
    this.#state = 'body';
    return true;
  }
}

function parseHeaders(block: string): PartHeaders {
  const headers = new Map<string, string>();
  for (const line of block ? block.split('\r\n') : []) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError(`A multipart part has a malformed header line: ${JSON.stringify(line.slice(0, 80))}`);
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const disposition = headers.get('content-disposition');
  if (!disposition) throw new MultipartError('A multipart part has no Content-Disposition header.');
  const [kind, ...rest] = splitParams(disposition);
  if (kind?.toLowerCase() !== 'form-data') throw new MultipartError('A multipart part is not form-data.');
  const params = new Map<string, string>();
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq <= 0) continue;
    const raw = param.slice(eq + 1).trim();
    params.set(param.slice(0, eq).trim().toLowerCase(), raw.startsWith('"') ? unquote(raw) : raw);
  }
  const name = params.get('name');
  if (!name) throw new MultipartError('A multipart part has no field name.');
  return { name, filename: params.get('filename'), contentType: headers.get('content-type') };
}

/** Splits on semicolons outside quoted strings. */
function splitParams(value: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted && c === '\\' && i + 1 < value.length) {
      current += c + value[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      out.push(current.trim());
      current = '';
    } else current += c;
  }
  if (quoted) throw new MultipartError('A multipart header has an unterminated quoted string.');
  out.push(current.trim());
  return out;
}

function unquote(raw: string): string {
  if (!raw.endsWith('"') || raw.length < 2) throw new MultipartError('A multipart header has an unterminated quoted string.');
  return raw.slice(1, -1).replace(/\\(.)/g, '$1');
}
