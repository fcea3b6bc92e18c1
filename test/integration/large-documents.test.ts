import { describe, expect, it } from 'vitest';
import { completeResults } from '../../local/import-results.ts';
import { hex, keysOf, useArtifactHarness } from '../support/artifact-harness.ts';

// Documents of tens of MB stream through: the bytes ISC served, with memory that does not grow
// with the document (docs/contract.md; isc-api.md on the official SDK buffering whole bodies).

const h = useArtifactHarness();

describe('large documents', () => {
  it('streams a 50 MB backup into S3 with the same bytes ISC served', async () => {
    const jobId = hex();
    const exportJobId = hex();
    h.stack.isc.addJob(jobId, {
      status: 'COMPLETE',
      results: completeResults(exportJobId),
      backup: { exportJobId, document: { generateExport: 50 * 1024 * 1024 } },
    });
    const result = await h.lambda.invoke({ jobId }, 120_000);
    expect(result).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED' } });
    const served = h.stack.isc.served.get(`/beta/sp-config/export/${exportJobId}/download`)!;
    expect(served.bytes).toBeGreaterThanOrEqual(50 * 1024 * 1024);
    const manifest = await h.manifestOf(jobId);
    expect(manifest.objects.find((o: any) => o.role === 'backup')).toMatchObject({ bytes: served.bytes, sha256: served.sha256 });
    await h.expectManifestHonest(manifest);
  }, 180_000);

  it('archives a 50 MB results document holding only bounded lists in memory', async () => {
    const jobId = hex();
    h.stack.isc.addJob(jobId, { status: 'FAILED', results: { generateResults: 50 * 1024 * 1024 } });
    const fresh = await h.container();
    const before = await fresh.peakRssMb();
    const result = await fresh.invoke({ jobId }, 120_000);
    expect(result).toMatchObject({ ok: true, value: { outcome: 'ARCHIVED', status: 'FAILED' } });
    const served = h.stack.isc.served.get(`/beta/sp-config/import/${jobId}/download`)!;
    expect(served.bytes).toBeGreaterThan(50 * 1_000_000);
    const manifest = await h.manifestOf(jobId);
    expect(manifest.objects.find((o: any) => o.role === 'results')).toMatchObject({ bytes: served.bytes, sha256: served.sha256 });
    const t = manifest.summary.totals;
    expect(Object.keys(manifest.summary.byType)).toHaveLength(6);
    expect(t.errors).toBeGreaterThan(10_000);
    expect([t.warnings, t.infos, t.importedObjects]).toEqual([t.errors, t.errors, t.errors]);
    const report = (await h.stack.getObject(keysOf(jobId).report))!.body.toString();
    expect(report).toContain(`${t.errors - 300} more not listed here; see results.json.`);
    expect(report.length).toBeLessThan(1_000_000);
    // Buffering and parsing the document would take several times its 50 MB.
    const grown = (await fresh.peakRssMb()) - before;
    expect(grown).toBeLessThan(100);
  }, 180_000);
});
