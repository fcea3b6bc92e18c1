// How a caller steers a JsonStreamWalker.

export type PathKey = string | number;

/** What a value about to be visited starts with. */
export type ValueKind = 'object' | 'array' | 'string' | 'literal';

/**
 * What to do with a value about to start at `path`: capture its raw JSON text, walk its entries
 * ('descend', containers only; a scalar is then passed over), pass over it ('skip'), or pass over it
 * and every later entry of the same container ('skip-rest'), which are then read at full speed
 * without asking again (they are still counted).
 */
export type Visit = 'capture' | 'descend' | 'skip' | 'skip-rest';

export interface WalkerOptions {
  /**
   * Called when a value starts in a walked container (and once for the document itself); `at` is
   * the byte of the stream it starts at.
   */
  visit(path: readonly PathKey[], kind: ValueKind, at: number): Visit;
  /**
   * Receives a captured value's raw JSON text, cut to `captureLimit` bytes when longer (then
   * `complete` is false). `raw` may be a view of the caller's chunk: copy it to keep it.
   */
  onValue?(path: readonly PathKey[], raw: Buffer, complete: boolean): void;
  /** Called when a walked container ends, with how many entries it held. */
  onEnd?(path: readonly PathKey[], entries: number): void;
  /** Bytes kept of a captured value. Default CAPTURE_LIMIT. */
  captureLimit?: number;
}

/** Bytes kept of a captured value by default. */
export const CAPTURE_LIMIT = 64 * 1024;

/** Bytes kept of a key of a walked object (longer keys are cut, and end in "…"). */
export const KEY_LIMIT = 64 * 1024;
