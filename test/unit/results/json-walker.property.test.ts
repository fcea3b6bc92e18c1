import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidJsonError, JsonStreamWalker, type PathKey, type Visit } from '../../../lambda/results/json-stream-walker.ts';
import { chunked, documentText, mutate, mutation, parses, splits } from './json-arbitraries.ts';

// The walker against JSON.parse, on generated documents cut into chunks anywhere.

type Policy = 'descend' | 'skip' | 'capture' | 'mixed';
const POLICIES: Policy[] = ['descend', 'skip', 'capture', 'mixed'];
const MIXED: Visit[] = ['descend', 'descend', 'skip', 'skip-rest', 'capture'];

/** Walks `chunks`; returns what was captured at the top, or throws like the walker. */
function walk(chunks: Buffer[], policy: Policy, seed = 0): { top: string | undefined; containers: number } {
  let top: string | undefined;
  let containers = 0;
  let n = seed;
  const visit = (path: readonly PathKey[]): Visit => {
    if (policy === 'mixed') return path.length === 0 ? 'descend' : MIXED[(n = (n * 1103515245 + 12345) >>> 0) % MIXED.length]!;
    return policy;
  };
  const walker = new JsonStreamWalker({
    visit,
    onValue: (path, raw, complete) => {
      if (path.length === 0) top = complete ? raw.toString('utf8') : undefined;
    },
    onEnd: () => containers++,
  });
  for (const chunk of chunks) walker.write(chunk);
  walker.end();
  return { top, containers };
}

const RUNS = { numRuns: 150 };

describe('JsonStreamWalker properties', () => {
  it('accepts every valid document, however it is cut, and captures it byte for byte', () => {
    fc.assert(
      fc.property(documentText, splits, fc.nat(), (text, split, seed) => {
        const bytes = Buffer.from(text);
        expect(parses(bytes)).toBe(true);
        const chunks = chunked(bytes, split);
        for (const policy of POLICIES) walk(chunks, policy, seed);
        const captured = new JsonStreamWalker({
          visit: () => 'capture',
          captureLimit: bytes.length,
          onValue: (_p, raw) => expect(raw.toString('utf8')).toBe(text.trim()),
        });
        for (const chunk of chunks) captured.write(chunk);
        captured.end();
      }),
      RUNS,
    );
  });

  it('reports every container it walks, each once', () => {
    fc.assert(
      fc.property(documentText, splits, (text, split) => {
        const bytes = Buffer.from(text);
        // Containers outside strings: `[` and `{` as JSON.parse sees them, counted without recursion.
        let expected = 0;
        let inString = false;
        for (let i = 0; i < text.length; i++) {
          const c = text[i];
          if (inString) {
            if (c === '\\') i++;
            else if (c === '"') inString = false;
          } else if (c === '"') inString = true;
          else if (c === '[' || c === '{') expected++;
        }
        expect(walk(chunked(bytes, split), 'descend').containers).toBe(expected);
      }),
      RUNS,
    );
  });

  it('refuses exactly what JSON.parse refuses, however it is cut and whatever it skips', () => {
    fc.assert(
      fc.property(documentText, mutation, splits, fc.nat(), (text, m, split, seed) => {
        const bytes = Buffer.from(mutate(text, m));
        const valid = parses(bytes);
        for (const policy of POLICIES) {
          const run = () => walk(chunked(bytes, split), policy, seed);
          if (valid) run();
          else expect(run).toThrow(InvalidJsonError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
