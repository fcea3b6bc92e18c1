import { JsonSyntaxError } from './invalid-json-error.ts';
import {
  CLOSE_ARRAY,
  CLOSE_OBJECT,
  COLON,
  COMMA,
  CR,
  LF,
  LITERAL_START,
  literalEnd,
  OPEN_ARRAY,
  OPEN_OBJECT,
  printable,
  QUOTE,
  SPACE,
  stringEnd,
  TAB,
} from './json-lexer.ts';
import { Expect, growKinds, Lex, type WalkState } from './json-walk-state.ts';

/**
 * The hot path for most of a document's bytes: values nobody walks (passed over or captured whole)
 * and the entries of a walked container answered 'skip-rest'. It checks the whole grammar with the
 * state in locals, holds nothing but one byte per open container, and returns where the walker
 * must take over:
 * - just after the bracket that closes the outermost passed-over container (`state.closed` set),
 * - at the bracket that closes a walked container whose rest was skipped,
 * - at the end of the chunk, with a string or literal possibly left open in `state.lex`.
 */
export function passOver(state: WalkState, buf: Uint8Array, from: number): number {
  const n = buf.length;
  const floor = state.walked;
  const rest = state.top;
  let kinds = state.kinds;
  let depth = state.depth;
  let expect: Expect = state.expect;
  let i = from;
  // The state goes back to `state` at every exit (an error ends the walk: no need there).
  while (i < n) {
    const c = buf[i]!;
    if (c === QUOTE) {
      let key = false;
      if (expect === Expect.Key || expect === Expect.KeyOrEnd) key = true;
      else if (expect !== Expect.Value && expect !== Expect.ValueOrEnd) throw new JsonSyntaxError('Unexpected string', i);
      const j = stringEnd(buf, i + 1);
      if (j >= n) {
        state.lex = Lex.String;
        state.key = key;
        state.escape = j - n;
        state.depth = depth;
        state.expect = expect;
        return n;
      }
      expect = key ? Expect.Colon : Expect.CommaOrEnd;
      i = j + 1;
      continue;
    }
    switch (c) {
      case SPACE:
      case LF:
      case CR:
      case TAB:
        break;
      case OPEN_OBJECT:
      case OPEN_ARRAY:
        if (expect !== Expect.Value && expect !== Expect.ValueOrEnd) throw new JsonSyntaxError('Unexpected container', i);
        depth++;
        if (depth >= kinds.length) kinds = growKinds(state, i);
        if (c === OPEN_ARRAY) {
          kinds[depth] = 1;
          expect = Expect.ValueOrEnd;
        } else {
          kinds[depth] = 0;
          expect = Expect.KeyOrEnd;
        }
        break;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        // The walked container whose rest was skipped ends: the walker reports it.
        if (depth === floor) {
          state.depth = depth;
          state.expect = expect;
          return i;
        }
        if (kinds[depth] !== (c === CLOSE_ARRAY ? 1 : 0)) throw new JsonSyntaxError('Unbalanced bracket', i);
        if (expect !== Expect.CommaOrEnd && expect !== (c === CLOSE_ARRAY ? Expect.ValueOrEnd : Expect.KeyOrEnd)) {
          throw new JsonSyntaxError('Unexpected end of container', i);
        }
        depth--;
        expect = depth > 0 ? Expect.CommaOrEnd : Expect.Done;
        if (depth === floor && !rest?.skipRest) {
          state.closed = true;
          state.depth = depth;
          state.expect = expect;
          return i + 1;
        }
        break;
      case COMMA:
        if (expect !== Expect.CommaOrEnd) throw new JsonSyntaxError('Unexpected ","', i);
        if (depth === floor) rest!.count++;
        expect = kinds[depth] === 1 ? Expect.Value : Expect.Key;
        break;
      case COLON:
        if (expect !== Expect.Colon) throw new JsonSyntaxError('Unexpected ":"', i);
        expect = Expect.Value;
        break;
      default: {
        const start = LITERAL_START[c]!;
        if (start === 0) throw new JsonSyntaxError(`Unexpected "${printable(c)}"`, i);
        if (expect !== Expect.Value && expect !== Expect.ValueOrEnd) throw new JsonSyntaxError('Unexpected literal', i);
        state.literal = start;
        const j = literalEnd(state, buf, i + 1);
        if (j >= n) {
          state.lex = Lex.Literal;
          state.key = false;
          state.depth = depth;
          state.expect = expect;
          return n;
        }
        expect = Expect.CommaOrEnd;
        i = j;
        continue;
      }
    }
    i++;
  }
  state.depth = depth;
  state.expect = expect;
  return n;
}
