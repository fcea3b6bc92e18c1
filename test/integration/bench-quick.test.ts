import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The full bench is run on demand (npm run bench); this keeps it from rotting: the quick mode runs
// every case end to end and must produce a complete, well-formed report, and then exit 0. Its
// verdicts are printed for information and not asserted: timings on shared machines at quick
// sizes are noise. A case that crashes, goes missing or yields no number fails this test.

const CASES = [
  'bundle-size',
  'cold-init',
  'archive-1mb-latency',
  'archive-40mb',
  'memory-growth',
  'changes-40mb',
  'changes-memory-growth',
  'warm-calls',
  'peer-sdk-time',
  'peer-sdk-memory',
  'burst',
];

interface ReportedCase {
  name: string;
  unit: string;
  value: number;
  floor: number;
  ratio: number;
  target: number;
  compare: '<=' | '=';
  pass: boolean;
  note?: string;
}

describe('npm run bench -- --quick', () => {
  it('measures every case against its floor, writes bench/results.json and exits 0', async () => {
    const started = Date.now();
    const child = spawn(process.execPath, ['bench/run.ts', '--quick'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, out).toBe(0);

    const report = JSON.parse(readFileSync('bench/results.json', 'utf8')) as {
      node: string;
      when: string;
      quick: boolean;
      complete: boolean;
      cases: ReportedCase[];
    };
    expect(report.node).toBe(process.versions.node);
    expect(Date.parse(report.when)).toBeGreaterThanOrEqual(started);
    expect(report).toMatchObject({ quick: true, complete: true });
    expect(report.cases.map((c) => c.name)).toEqual(CASES);
    for (const c of report.cases) {
      expect([c.value, c.floor, c.ratio, c.target].every(Number.isFinite), c.name).toBe(true);
      expect(c.floor, c.name).toBeGreaterThan(0);
      expect(c.value, c.name).toBeGreaterThan(0);
      expect(c.ratio, c.name).toBeCloseTo(c.value / c.floor, 2);
      expect(c.pass, c.name).toBe(c.compare === '=' ? c.ratio === c.target : c.ratio <= c.target);
      expect(out).toContain(`${c.name}: ${c.value} ${c.unit} vs ${c.floor}`);
    }
    // Exact by construction: one secret read, one token, two ISC requests per job.
    expect(report.cases.find((c) => c.name === 'warm-calls')).toMatchObject({ value: 42, floor: 42, pass: true });
    // The floor's four requests each wait behind the latency proxies: 2 x 100 ms to ISC, 2 x 20 ms to S3.
    expect(report.cases.find((c) => c.name === 'archive-1mb-latency')!.floor).toBeGreaterThanOrEqual(240);
    expect(out).toMatch(/case\s+value\s+floor\s+ratio\s+target\s+pass/);
  }, 240_000);
});
