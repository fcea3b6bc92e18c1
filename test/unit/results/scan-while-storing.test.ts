import { describe, expect, it } from 'vitest';
import { ResultsScan } from '../../../lambda/results/scan-while-storing.ts';
import { ResultsScanner } from '../../../lambda/results/results-scanner.ts';
import { InvalidJsonError } from '../../../lambda/results/json-stream-walker.ts';
import { completeResults } from '../../../local/import-results.ts';

const chunks = (text: string, size: number) => {
  const bytes = Buffer.from(text);
  return Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
};

function scanned(text: string): unknown {
  const scanner = new ResultsScanner();
  scanner.write(Buffer.from(text));
  return scanner.finish();
}

describe('ResultsScan', () => {
  const doc = completeResults();

  it('holds a body small enough for one PUT and gives its digest later, the same as a plain scan', async () => {
    const scan = new ResultsScan(1024 * 1024);
    for (const c of chunks(doc, 7)) scan.write(c);
    const digest = scan.end();
    expect(digest).toBeInstanceOf(Promise);
    expect(await digest).toEqual(scanned(doc));
  });

  it('scans as it streams once a body outgrows one PUT, so the digest is there at the end', () => {
    const scan = new ResultsScan(16);
    for (const c of chunks(doc, 5)) scan.write(c);
    expect(scan.end()).toEqual(scanned(doc));
  });

  it('scans every chunk as it comes when nothing may be held (a write over an archive)', () => {
    const scan = new ResultsScan(0);
    expect(() => scan.write(Buffer.from('<html>'))).toThrow(InvalidJsonError);
  });

  it('rejects a held body that is not JSON, or ends early', async () => {
    for (const bad of ['<html>Gateway error</html>', doc.slice(0, -3)]) {
      const scan = new ResultsScan(1024 * 1024);
      for (const c of chunks(bad, 4)) scan.write(c);
      await expect(scan.end()).rejects.toThrow(InvalidJsonError);
    }
  });

  it('stops a held scan when the upload has failed', async () => {
    const scan = new ResultsScan(1024 * 1024);
    for (const c of chunks(doc, 1)) scan.write(c);
    const digest = scan.end();
    scan.stop();
    await expect(digest).rejects.toThrow(/stopped/);
  });
});
