// A value of unknown shape as indented JSON, built with an explicit stack instead of recursion.
import { BoundedText, cut, newline, SHOWN_DEPTH, type ShownText } from './bounded-text.ts';

/**
 * A value as indented JSON (JSON.stringify(value, null, 2) for shallow values), at most `limit`
 * characters; containers deeper than SHOWN_DEPTH are written `{…}` / `[…]`. Never throws.
 */
export function valueText(value: unknown, limit: number): ShownText {
  const out = new BoundedText(limit);
  try {
    writeValue(value, out);
  } catch {
    // A value that is not plain data (a throwing getter, a revoked proxy) is shown as far as it went.
    out.write(' …');
    out.elide();
  }
  return out.result();
}

type Frame =
  | { readonly kind: 'array'; readonly items: readonly unknown[]; index: number }
  | { readonly kind: 'object'; readonly source: Record<string, unknown>; readonly keys: readonly string[]; index: number; written: number };

function writeValue(root: unknown, out: BoundedText): void {
  const stack: Frame[] = [];
  const open = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) {
      out.write(scalar(value, out.limit));
    } else if (stack.length >= SHOWN_DEPTH) {
      out.write(Array.isArray(value) ? '[…]' : '{…}');
      out.elide();
    } else if (Array.isArray(value)) {
      out.write(value.length === 0 ? '[]' : '[');
      if (value.length > 0) stack.push({ kind: 'array', items: value, index: 0 });
    } else {
      const source = value as Record<string, unknown>;
      const keys = Object.keys(source);
      const empty = !keys.some((k) => shown(source[k]));
      out.write(empty ? '{}' : '{');
      if (!empty) stack.push({ kind: 'object', source, keys, index: 0, written: 0 });
    }
  };
  open(root);
  while (stack.length > 0 && !out.full) {
    const frame = stack[stack.length - 1]!;
    if (frame.kind === 'array') {
      if (frame.index >= frame.items.length) {
        stack.pop();
        out.write(`${newline(stack.length)}]`);
        continue;
      }
      out.write(`${frame.index > 0 ? ',' : ''}${newline(stack.length)}`);
      const item = frame.items[frame.index++];
      open(shown(item) ? item : null);
      continue;
    }
    const key = nextKey(frame);
    if (key === undefined) {
      stack.pop();
      out.write(`${newline(stack.length)}}`);
      continue;
    }
    out.write(
      `${frame.written++ > 0 ? ',' : ''}${newline(stack.length)}${JSON.stringify(key.length > out.limit ? cut(key, out.limit) : key)}: `,
    );
    open(frame.source[key]);
  }
}

/** JSON leaves out what it cannot write: undefined, functions and symbols. */
const shown = (value: unknown) => value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';

function nextKey(frame: Extract<Frame, { kind: 'object' }>): string | undefined {
  while (frame.index < frame.keys.length) {
    const key = frame.keys[frame.index++]!;
    if (shown(frame.source[key])) return key;
  }
  return undefined;
}

function scalar(value: unknown, limit: number): string {
  if (typeof value === 'string') return JSON.stringify(value.length > limit ? cut(value, limit) : value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return 'null';
}
