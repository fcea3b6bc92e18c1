import { JsonSyntaxError } from './invalid-json-error.ts';
import type { LiteralState, PendingEscape } from './json-lexer.ts';

// The state of a JsonStreamWalker between bytes, shared by its general loop and its fast path.
// Memory per nesting level: one byte (the container's kind) for every open container, plus a small
// frame object for each container the caller walks; nothing is held for values passed over.

/** What the grammar allows next, in the innermost open container (or at the top level). */
export const Expect = { Value: 0, ValueOrEnd: 1, Key: 2, KeyOrEnd: 3, Colon: 4, CommaOrEnd: 5, Done: 6 } as const;
export type Expect = (typeof Expect)[keyof typeof Expect];

/** What the lexer is in the middle of when a chunk ends. */
export const Lex = { Structure: 0, String: 1, Literal: 2 } as const;
export type Lex = (typeof Lex)[keyof typeof Lex];

/** A container the caller walks: its entries are visited one by one. */
export interface WalkedFrame {
  array: boolean;
  /** The entries left are passed over unvisited (the caller answered 'skip-rest'). */
  skipRest: boolean;
  /** Entries so far; the index of the next array entry. */
  count: number;
  /** The key of the member being read (objects). */
  key: string;
}

export interface WalkState extends LiteralState {
  /** kinds[d] is 1 when the container open at depth d (1-based) is an array, 0 for an object. */
  kinds: Uint8Array;
  depth: number;
  expect: Expect;
  /** The innermost walked container's depth: every open container up to it is walked. */
  walked: number;
  /** That container, if any. */
  top: WalkedFrame | undefined;
  lex: Lex;
  /** The string being read is an object key. */
  key: boolean;
  escape: PendingEscape;
  /** The fast path closed the container that was passed over, back at the walked depth. */
  closed: boolean;
}

export function newWalkState(): WalkState {
  return {
    kinds: new Uint8Array(64),
    depth: 0,
    expect: Expect.Value,
    walked: 0,
    top: undefined,
    lex: Lex.Structure,
    key: false,
    escape: 0,
    closed: false,
    literal: 0,
  };
}

/** Opens a container one level deeper. */
export function pushKind(state: WalkState, array: boolean, at: number): void {
  const depth = state.depth + 1;
  if (depth >= state.kinds.length) growKinds(state, at);
  state.kinds[depth] = array ? 1 : 0;
  state.depth = depth;
  state.expect = array ? Expect.ValueOrEnd : Expect.KeyOrEnd;
}

/**
 * Nesting deeper than this is refused: the kinds stack takes a byte a level, so a document of
 * nothing but `[` would otherwise cost as much memory as it has bytes. Real documents nest a few
 * dozen levels; the walker is tested at 100,000.
 */
export const MAX_NESTING = 8 * 1024 * 1024;

/** The kinds stack, doubled: it grows with the deepest nesting seen, one byte a level, up to MAX_NESTING. */
export function growKinds(state: WalkState, at: number): Uint8Array {
  // Level 0 is the top, outside any container: MAX_NESTING levels take MAX_NESTING + 1 slots.
  if (state.kinds.length > MAX_NESTING) throw new JsonSyntaxError(`Nesting deeper than ${MAX_NESTING} levels`, at);
  const grown = new Uint8Array(Math.min(state.kinds.length * 2, MAX_NESTING + 1));
  grown.set(state.kinds);
  state.kinds = grown;
  return grown;
}

/** Whether bytes at the current depth are read by the fast path (no caller to ask). */
export function passing(state: WalkState): boolean {
  return state.depth > state.walked || state.top?.skipRest === true;
}
