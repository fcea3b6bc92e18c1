import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The full bench is run on demand (npm run bench); this keeps it from rotting: the quick mode runs
// every case end to end and must produce a complete, well-formed report. Its pass/fail verdicts are
// not asserted here, since timings on shared machines are noise at this size.

const CASES = ['bundle-size', 'cold-init', 'archive-1mb', 'archive-40mb', 'memory-growth', 'warm-calls', 'peer-sdk-time', 'peer-sdk-memory', 'burst'];

describe('npm run bench -- --quick', () => {
  it('measures every case against its floor and writes bench/results.json', async () => {
    const child = spawn(process.execPath, ['bench/run.ts', '--quick'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect([0, 1], out).toContain(code);
    const report = JSON.parse(readFileSync('bench/results.json', 'utf8')) as { node: string; when: string; cases: { name: string; value: number; floor: number; ratio: number; target: number; pass: boolean; unit: string }[] };
    expect(report.node).toBe(process.versions.node);
    expect(Date.now() - Date.parse(report.when)).toBeLessThan(5 * 60_000);
    expect(report.cases.map((c) => c.name)).toEqual(CASES);
    for (const c of report.cases) {
      expect(Number.isFinite(c.value) && Number.isFinite(c.floor) && c.floor > 0, c.name).toBe(true);
      expect(c.ratio).toBeCloseTo(c.value / c.floor, 2);
      expect(typeof c.pass).toBe('boolean');
      expect(out).toContain(c.name);
    }
    // Exact by construction: one secret read, one token, two ISC requests per job.
    expect(report.cases.find((c) => c.name === 'warm-calls')).toMatchObject({ value: 42, floor: 42, pass: true });
    expect(out).toMatch(/case\s+value\s+floor\s+ratio\s+target\s+pass/);
  }, 240_000);
});
