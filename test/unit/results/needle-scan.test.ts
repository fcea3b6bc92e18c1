import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { NeedleScan } from '../../../lambda/results/needle-scan.ts';

/** Scans `text` cut at `cuts`, then asks about each byte: where a needle starts. */
function starts(needles: string[], text: string, cuts: number[] = []): number[] {
  const bytes = Buffer.from(text, 'latin1');
  const scan = new NeedleScan(needles);
  let from = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    if (cut <= from || cut >= bytes.length) continue;
    scan.scan(bytes.subarray(from, cut));
    from = cut;
  }
  scan.scan(bytes.subarray(from));
  return [...bytes.keys()].filter((at) => scan.occursWithin(at, at + 1));
}

/** Every place a needle starts, found the slow way. */
function naive(needles: string[], text: string): number[] {
  const lower = text.toLowerCase();
  const at = new Set<number>();
  for (const needle of needles) {
    for (let i = lower.indexOf(needle.toLowerCase()); i >= 0; i = lower.indexOf(needle.toLowerCase(), i + 1)) at.add(i);
  }
  return [...at].sort((a, b) => a - b);
}

describe('NeedleScan', () => {
  it('finds needles in any case, and characters the pattern language gives meaning to as plain bytes', () => {
    expect(starts(['"Build (v2) [*]'], 'x"build (V2) [*]" "build (v2) [+]"')).toEqual([1]);
    expect(starts(['a.b', 'x/y-z'], 'axb a.b X/Y-Z')).toEqual([4, 8]);
  });

  it('finds a needle cut by a chunk boundary at any byte, once', () => {
    const text = `{"objects":[{"self":{"id":"2c91808b"}}]}`;
    for (let cut = 0; cut <= text.length; cut++) expect(starts(['"2c91808b'], text, [cut])).toEqual([26]);
  });

  it('records each needle once, a short one held back in a chunk’s last bytes too', () => {
    const text = '{"id":"2c91808b","type":"ROLE"}';
    for (let cut = 1; cut < text.length; cut++) {
      const scan = new NeedleScan(['"2c91808b"', 'id', 'e"']);
      const splice = vi.spyOn(Array.prototype, 'splice');
      try {
        scan.scan(Buffer.from(text.slice(0, cut)));
        scan.scan(Buffer.from(text.slice(cut)));
        // One record per needle found: "id" at 2, "2c91808b" at 6, e" at 21 and E" at 28.
        expect(splice).toHaveBeenCalledTimes(4);
      } finally {
        splice.mockRestore();
      }
    }
  });

  it('answers for a span: any needle starting inside it', () => {
    const scan = new NeedleScan(['needle']);
    scan.scan(Buffer.from('....needle....needle'));
    expect(scan.occursWithin(0, 4)).toBe(false);
    expect(scan.occursWithin(0, 5)).toBe(true);
    expect(scan.occursWithin(5, 14)).toBe(false);
    expect(scan.occursWithin(14, 15)).toBe(true);
    expect(scan.occursWithin(15, 100)).toBe(false);
  });

  it('keeps what it found in order when a needle spanning chunks starts before one found earlier', () => {
    const scan = new NeedleScan(['abcdef', 'cd']);
    scan.scan(Buffer.from('..abcd'));
    scan.scan(Buffer.from('ef..'));
    expect(scan.occursWithin(2, 3)).toBe(true);
    expect(scan.occursWithin(3, 4)).toBe(false);
    expect(scan.occursWithin(4, 5)).toBe(true);
    expect(scan.occursWithin(5, 100)).toBe(false);
  });

  it('answers every span of a long stream with thousands of needles found, asked in order', () => {
    // Entries of varying length, every third holding the needle; chunks of odd sizes.
    const entries = Array.from({ length: 5_000 }, (_, i) => `{"n":"${i % 3 === 0 ? 'Needle' : 'other'}${'x'.repeat(i % 7)}"}`);
    const text = Buffer.from(entries.join(','));
    const scan = new NeedleScan(['"needle']);
    for (let at = 0; at < text.length; at += 997) scan.scan(text.subarray(at, at + 997));
    let start = 0;
    entries.forEach((entry, i) => {
      expect(scan.occursWithin(start, start + entry.length)).toBe(i % 3 === 0);
      start += entry.length + 1;
    });
  });

  it('reads each byte of the stream once, and again only the last bytes of a chunk a needle may start in', () => {
    // Chunks of 1 to 29 bytes, smaller and larger than the longest needle (10 bytes, so 9 held back).
    const text = Buffer.from(Array.from({ length: 300 }, (_, i) => (i % 5 === 0 ? '"2C91808B"' : `{"n":${i}}`)).join(','));
    const chunks: Buffer[] = [];
    for (let at = 0, size = 1; at < text.length; at += size, size = (size % 29) + 1) chunks.push(text.subarray(at, at + size));
    const exec = vi.spyOn(RegExp.prototype, 'exec');
    const scan = new NeedleScan(['"2c91808b"', 'n']);
    let scanned = 0;
    try {
      for (const chunk of chunks) {
        exec.mockClear();
        scan.scan(chunk);
        scanned += (exec.mock.calls[0]![0] as string).length;
      }
    } finally {
      exec.mockRestore();
    }
    // The first chunk alone; then each with the 9 bytes before it (the first ones: as many as there were).
    let expected = 0;
    let seen = 0;
    for (const chunk of chunks) {
      expected += chunk.length + Math.min(9, seen);
      seen += chunk.length;
    }
    expect(scanned).toBe(expected);
    expect(scanned).toBeLessThan(text.length + 9 * chunks.length);
    expect(scan.occursWithin(0, 1)).toBe(true);
    expect(scan.occursWithin(text.length - 7, text.length - 6)).toBe(true);
    expect(scan.occursWithin(text.length - 6, text.length)).toBe(false);
  });

  it('drops the needles queries have passed once over 1024 of them are more than half it holds', () => {
    /** How many found needles a scan holds, after `found` ones, a query from `askedFrom` and one more chunk. */
    function held(found: number, askedFrom: number): number {
      const scan = new NeedleScan(['x']);
      scan.scan(Buffer.from('x'.repeat(found)));
      expect(scan.occursWithin(askedFrom, askedFrom + 1)).toBe(true);
      scan.scan(Buffer.from('.')); // passed needles are dropped at the end of a scan
      // The scan records the next needle into the list it holds (splice keeps it in order).
      const splice = vi.spyOn(Array.prototype, 'splice');
      try {
        scan.scan(Buffer.from('x'));
        expect(splice).toHaveBeenCalledTimes(1);
        return (splice.mock.contexts[0] as number[]).length - 1;
      } finally {
        splice.mockRestore();
        expect(scan.occursWithin(askedFrom, askedFrom + 1)).toBe(true);
        expect(scan.occursWithin(found, found + 2)).toBe(true);
      }
    }
    expect(held(2050, 1025)).toBe(2050); // 1025 passed: not more than half
    expect(held(2050, 1026)).toBe(1024);
    expect(held(2000, 1024)).toBe(2000); // more than half, but not over 1024
    expect(held(2000, 1025)).toBe(975);
  });

  it('refuses an empty needle, which would match everywhere', () => {
    expect(() => new NeedleScan([])).toThrow(/non-empty/);
    expect(() => new NeedleScan(['a', ''])).toThrow(/non-empty/);
  });

  it('finds what indexOf finds, for any needles and any chunking', () => {
    const letters = fc.constantFrom('a', 'b', 'A', '"', '\\', '.', 'é');
    const word = fc.array(letters, { minLength: 1, maxLength: 4 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 4 }),
        fc.array(letters, { maxLength: 60 }).map((cs) => cs.join('')),
        fc.array(fc.nat(60), { maxLength: 8 }),
        (needles, text, cuts) => {
          const latin1 = Buffer.from(text).toString('latin1');
          const bytes = needles.map((n) => Buffer.from(n).toString('latin1'));
          // Overlapping needles may hide one another; an entry needs only one, so each found start
          // must be a real one, and every stretch holding a needle must report one.
          const found = starts(bytes, latin1, cuts);
          const real = naive(bytes, latin1);
          for (const at of found) expect(real).toContain(at);
          for (const at of real) {
            const longest = Math.max(...bytes.map((n) => n.length));
            expect(found.some((f) => f >= at - longest && f <= at + longest)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
