import fc from 'fast-check';

// Generators of JSON text for the property tests: every form RFC 8259 allows (whitespace anywhere,
// escapes of every kind, raw and escaped unicode including astral characters, numbers of any size,
// keys such as `__proto__`), and deep nesting. Text, not values: JSON.stringify would only ever
// write one canonical form.

export const ws = fc.constantFrom('', '', '', ' ', '\n', '\t', '\r\n  ');

const hex4 = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.boolean()).map(([c, upper]) => {
  const h = c.toString(16).padStart(4, '0');
  return `\\u${upper ? h.toUpperCase() : h}`;
});
const contentChar = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .integer({ min: 0x20, max: 0x7e })
      .filter((c) => c !== 0x22 && c !== 0x5c)
      .map((c) => String.fromCharCode(c)),
  },
  { weight: 2, arbitrary: fc.integer({ min: 0x7f, max: 0xd7ff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0xe000, max: 0xffff }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)) },
  { weight: 2, arbitrary: fc.constantFrom('\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t') },
  { weight: 2, arbitrary: hex4 },
);
/** A JSON string token. */
export const stringText = fc.array(contentChar, { maxLength: 24 }).map((parts) => `"${parts.join('')}"`);

const digits = (minLength: number, maxLength = 25) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength, maxLength }).map((d) => d.join(''));
const integerPart = fc.oneof(
  fc.constant('0'),
  fc.tuple(fc.integer({ min: 1, max: 9 }), digits(0)).map(([a, b]) => `${a}${b}`),
);
/** A JSON number token, huge ones included (`1e999` reads as Infinity, which is still valid JSON). */
export const numberText = fc
  .tuple(
    fc.boolean(),
    integerPart,
    fc.option(digits(1)),
    fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1, 6))),
  )
  .map(([minus, int, frac, exp]) => `${minus ? '-' : ''}${int}${frac === null ? '' : `.${frac}`}${exp === null ? '' : exp.join('')}`);

export const literalText = fc.oneof(fc.constantFrom('true', 'false', 'null'), numberText);

/** Keys, plain and odd: those that name Object.prototype's members among them. */
export const keyText = fc.oneof(
  { weight: 3, arbitrary: stringText },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '"__proto__"',
      '"constructor"',
      '"toString"',
      '"hasOwnProperty"',
      '"valueOf"',
      '""',
      '"results"',
      '"objects"',
      '"self"',
      '"object"',
    ),
  },
);

const { value: valueText } = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
  value: fc.oneof({ depthSize: 'medium', withCrossShrink: true }, literalText, stringText, tie('array'), tie('object')),
  array: fc
    .tuple(fc.array(fc.tuple(ws, tie('value'), ws), { maxLength: 6 }), ws)
    .map(([items, empty]) => (items.length ? `[${items.map(([a, v, b]) => a + v + b).join(',')}]` : `[${empty}]`)),
  object: fc
    .tuple(fc.array(fc.tuple(ws, keyText, ws, ws, tie('value'), ws), { maxLength: 6 }), ws)
    .map(([members, empty]) =>
      members.length ? `{${members.map(([a, k, b, c, v, d]) => `${a}${k}${b}:${c}${v}${d}`).join(',')}}` : `{${empty}}`,
    ),
}));

export { valueText };

/** A value wrapped in thousands of arrays and objects: nesting no recursive reader survives. */
export const deepText = fc
  .tuple(
    fc.integer({ min: 2_000, max: 30_000 }),
    fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }),
    fc.oneof(literalText, stringText, fc.constant('[]'), fc.constant('{}')),
  )
  .map(([levels, pattern, inner]) => nest(levels, pattern, inner));

export function nest(levels: number, pattern: readonly boolean[], inner: string): string {
  const open: string[] = [];
  const close: string[] = [];
  for (let i = 0; i < levels; i++) {
    const array = pattern[i % pattern.length];
    open.push(array ? '[' : '{"k":');
    close.push(array ? ']' : '}');
  }
  return open.join('') + inner + close.reverse().join('');
}

/** An array or object of many values: what most documents look like. */
const wideText = fc
  .tuple(fc.boolean(), fc.array(fc.tuple(keyText, ws, valueText), { minLength: 1, maxLength: 16 }))
  .map(([array, items]) =>
    array ? `[${items.map(([, w, v]) => w + v).join(',')}]` : `{${items.map(([k, w, v]) => `${k}:${w}${v}`).join(',')}}`,
  );

/** A whole document: a value with whitespace around it, often wide, sometimes deep. */
export const documentText = fc
  .oneof({ weight: 2, arbitrary: valueText }, { weight: 6, arbitrary: wideText }, { weight: 1, arbitrary: deepText })
  .chain((v) => fc.tuple(ws, ws).map(([a, b]) => a + v + b));

/** Where to cut a document of `length` bytes into chunks: sorted cut points, or a fixed size. */
export const splits = fc.oneof(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }), fc.integer({ min: 1, max: 9 }));

export function chunked(bytes: Buffer, split: number[] | number): Buffer[] {
  if (typeof split === 'number') {
    // Small fixed sizes only for small documents, so a run stays quick.
    const size = bytes.length > 20_000 ? split * 4096 : split;
    const out: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
    return out;
  }
  const cuts = [...new Set(split.map((f) => Math.floor(f * bytes.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const cut of cuts) {
    out.push(bytes.subarray(at, cut));
    at = cut;
  }
  out.push(bytes.subarray(at));
  return out;
}

/** Whether JSON.parse reads these bytes as JSON. */
export function parses(bytes: Buffer): boolean {
  try {
    JSON.parse(bytes.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/** Ways to break a document: each may still happen to leave valid JSON, which JSON.parse decides. */
export const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    text: fc.constantFrom(
      ',',
      ']',
      '}',
      '[',
      '{',
      ':',
      '"',
      '\\',
      'x',
      '\u0001',
      '\u001f',
      '\t',
      '0',
      '-',
      '.',
      'e',
      '\\x',
      '\\u12G4',
      '\\u00',
      'tru',
      '01',
      '\u0000',
    ),
  }),
  // Just after the n-th quote: mostly inside a string, where escapes and control bytes matter.
  fc.record({
    kind: fc.constant('in-string' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    text: fc.constantFrom('\u0001', '\n', '\t', '\u001f', '\\x', '\\u12G4', '\\u00', '\\', '\\U0041', '\\\\', '\\n', '\\u0041'),
  }),
  fc.record({ kind: fc.constant('append' as const), text: fc.constantFrom('x', ',', '{}', '1', ']', '"', ' x', '\u0000') }),
  fc.record({
    kind: fc.constant('replace' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    text: fc.constantFrom('\\q', '\\U0041', '\n', '\u0007', '+', '--', '.5', '1.', '1e', 'nul', 'True', "'"),
  }),
);

export function mutate(text: string, m: { kind: string; at?: number; text?: string }): string {
  const at = Math.floor((m.at ?? 0) * text.length);
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, at);
    case 'insert':
      return text.slice(0, at) + m.text + text.slice(at);
    case 'append':
      return text + m.text;
    case 'in-string': {
      const quotes = [...text.matchAll(/"/g)].map((q) => q.index);
      if (quotes.length === 0) return text + m.text;
      const quote = quotes[Math.floor((m.at ?? 0) * quotes.length)]!;
      return text.slice(0, quote + 1) + m.text + text.slice(quote + 1);
    }
    default:
      return text.slice(0, at) + m.text + text.slice(at + m.text!.length);
  }
}
