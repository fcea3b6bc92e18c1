import { JsonSyntaxError } from './invalid-json-error.ts';

// The byte-level lexing of JSON (RFC 8259) for a document that arrives in chunks: strings and
// literals (numbers, true, false, null) are checked byte by byte, and either end within the chunk
// or leave a small state for the next one. No token is ever held: callers that want a token's
// text keep the bytes themselves.

export const QUOTE = 0x22,
  BACKSLASH = 0x5c,
  COMMA = 0x2c,
  COLON = 0x3a;
export const OPEN_OBJECT = 0x7b,
  CLOSE_OBJECT = 0x7d,
  OPEN_ARRAY = 0x5b,
  CLOSE_ARRAY = 0x5d;
export const SPACE = 0x20,
  TAB = 0x09,
  LF = 0x0a,
  CR = 0x0d;

/** What may follow a backslash, apart from `u`: \" \\ \/ \b \f \n \r \t. */
const SIMPLE_ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrt') SIMPLE_ESCAPE[c.charCodeAt(0)] = 1;

const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;

/**
 * An escape left open at the end of a chunk: just after the backslash (1), or inside `\u` with
 * 0 to 3 hex digits read (2 to 5). 0: none.
 */
export type PendingEscape = number;
const AFTER_BACKSLASH = 1,
  AFTER_U = 2;

/**
 * Where the string whose content starts at `from` closes: the index of its closing quote, or, when
 * the chunk ends first, `buf.length + pending` (see PendingEscape). Throws on a control character
 * or an escape JSON does not have.
 */
export function stringEnd(buf: Uint8Array, from: number): number {
  const n = buf.length;
  let j = from;
  for (;;) {
    // Three comparisons a byte measured faster here than a lookup table.
    let c = 0;
    while (j < n && (c = buf[j]!) !== QUOTE && c !== BACKSLASH && c >= 0x20) j++;
    if (j >= n) return n;
    if (c === QUOTE) return j;
    // Escapes are rare: checked apart, so this loop stays small enough to inline.
    j = escapeEnd(buf, j);
    if (j >= n) return j;
  }
}

/** Checks the escape (or control character) at `at`: where the string goes on, or n + pending. */
function escapeEnd(buf: Uint8Array, at: number): number {
  const n = buf.length;
  if (buf[at] !== BACKSLASH) throw new JsonSyntaxError('Control character in a string', at);
  if (at + 1 >= n) return n + AFTER_BACKSLASH;
  const e = buf[at + 1]!;
  if (SIMPLE_ESCAPE[e] === 1) return at + 2;
  if (e !== 0x75) throw new JsonSyntaxError(`Invalid escape "\\${printable(e)}" in a string`, at);
  let j = at + 2;
  for (let k = 0; k < 4; k++, j++) {
    if (j >= n) return n + AFTER_U + k;
    if (HEX[buf[j]!] !== 1) throw new JsonSyntaxError('Invalid \\u escape in a string', j);
  }
  return j;
}

/** stringEnd for a string that went on from the last chunk, with an escape possibly left open. */
export function resumeString(buf: Uint8Array, from: number, pending: PendingEscape): number {
  const n = buf.length;
  let j = from;
  if (pending === AFTER_BACKSLASH) {
    if (j >= n) return n + AFTER_BACKSLASH;
    const e = buf[j]!;
    if (SIMPLE_ESCAPE[e] === 1) return stringEnd(buf, j + 1);
    if (e !== 0x75) throw new JsonSyntaxError(`Invalid escape "\\${printable(e)}" in a string`, j);
    j++;
    pending = AFTER_U;
  }
  if (pending >= AFTER_U) {
    for (let k = pending - AFTER_U; k < 4; k++, j++) {
      if (j >= n) return n + AFTER_U + k;
      if (HEX[buf[j]!] !== 1) throw new JsonSyntaxError('Invalid \\u escape in a string', j);
    }
  }
  return stringEnd(buf, j);
}

// Literals: a DFA over bytes. States below END are inside a literal; END means the byte before
// was its last; FAIL means the literal is malformed. ACCEPTS marks states a literal may end in.
const S = {
  MINUS: 1,
  ZERO: 2,
  INT: 3,
  DOT: 4,
  FRAC: 5,
  E: 6,
  E_SIGN: 7,
  EXP: 8,
  T1: 9,
  T2: 10,
  T3: 11,
  F1: 12,
  F2: 13,
  F3: 14,
  F4: 15,
  N1: 16,
  N2: 17,
  N3: 18,
  WORD: 19,
} as const;
export const LITERAL_END = 254;
const FAIL = 255;
const STATES = 20;
const NEXT = new Uint8Array(STATES * 256).fill(FAIL);
const ACCEPTS = new Uint8Array(STATES);
/** The state after a literal's first byte; 0 when the byte cannot start one. */
export const LITERAL_START = new Uint8Array(256);

function on(state: number, bytes: string, next: number): void {
  for (const b of bytes) NEXT[state * 256 + b.charCodeAt(0)] = next;
}
{
  const digits = '0123456789';
  on(0, '-', S.MINUS);
  on(0, '0', S.ZERO);
  on(0, '123456789', S.INT);
  on(0, 't', S.T1);
  on(0, 'f', S.F1);
  on(0, 'n', S.N1);
  for (let c = 0; c < 256; c++) LITERAL_START[c] = NEXT[c]! === FAIL ? 0 : NEXT[c]!;
  NEXT.fill(FAIL, 0, 256);
  on(S.MINUS, '0', S.ZERO);
  on(S.MINUS, '123456789', S.INT);
  on(S.INT, digits, S.INT);
  for (const s of [S.ZERO, S.INT]) {
    on(s, '.', S.DOT);
    on(s, 'eE', S.E);
  }
  on(S.DOT, digits, S.FRAC);
  on(S.FRAC, digits, S.FRAC);
  on(S.FRAC, 'eE', S.E);
  on(S.E, '+-', S.E_SIGN);
  on(S.E, digits, S.EXP);
  on(S.E_SIGN, digits, S.EXP);
  on(S.EXP, digits, S.EXP);
  on(S.T1, 'r', S.T2);
  on(S.T2, 'u', S.T3);
  on(S.T3, 'e', S.WORD);
  on(S.F1, 'a', S.F2);
  on(S.F2, 'l', S.F3);
  on(S.F3, 's', S.F4);
  on(S.F4, 'e', S.WORD);
  on(S.N1, 'u', S.N2);
  on(S.N2, 'l', S.N3);
  on(S.N3, 'l', S.WORD);
  // In a state that may end, any byte that does not go on ends the literal; the grammar then
  // decides whether that byte may follow (`truex` and `01` fail there).
  for (const s of [S.ZERO, S.INT, S.FRAC, S.EXP, S.WORD]) {
    ACCEPTS[s] = 1;
    for (let c = 0; c < 256; c++) if (NEXT[s * 256 + c] === FAIL) NEXT[s * 256 + c] = LITERAL_END;
  }
}

/** Holds a literal's DFA state between chunks. */
export interface LiteralState {
  literal: number;
}

/**
 * Reads a literal from `from` in `state.literal`: returns the index just past its end, or
 * `buf.length` with the state kept when the chunk ends first. Throws on a malformed literal.
 */
export function literalEnd(state: LiteralState, buf: Uint8Array, from: number): number {
  const n = buf.length;
  let s = state.literal;
  let i = from;
  while (i < n) {
    const next = NEXT[(s << 8) | buf[i]!]!;
    if (next === LITERAL_END) {
      state.literal = 0;
      return i;
    }
    if (next === FAIL) throw new JsonSyntaxError('Invalid number or literal', i);
    s = next;
    i++;
  }
  state.literal = s;
  return n;
}

/** Whether a literal cut by the end of the document is whole (`12` is, `tru` and `1.` are not). */
export function literalComplete(state: LiteralState): boolean {
  return ACCEPTS[state.literal] === 1;
}

export function printable(c: number): string {
  return c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
}
