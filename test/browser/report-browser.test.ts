/// <reference lib="dom" />

import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangesDocument } from '../../lambda/domain/changes.ts';
import { renderReport } from '../../lambda/report/report-renderer.ts';
import { completeResults, failedResults, importResultsDocument } from '../../local/import-results.ts';
import { CHROMIUM } from '../../scripts/ensure-chromium.ts';
import { LambdaContainer } from '../support/lambda-container.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { BACKUP_ID, computedRecord, realisticChanges, reportInput } from '../unit/report/report-fixtures.ts';

// Opens reports the real handler produced, as served by its own GET /imports/{jobId}/report route,
// in Debian's headless Chromium; and the "What changed" section, rendered from a realistic
// changes.json, at a phone's and a laptop's width.

const SCREENSHOTS = 'test-output/screenshots';
const hex = () => randomBytes(16).toString('hex');

let stack: TestStack;
let lambda: LambdaContainer;
let browser: Browser;
let server: Server;
let base: string;
const jobs: Record<string, string> = {};

beforeAll(async () => {
  stack = await startTestStack();
  lambda = await LambdaContainer.start(stack.env());
  const exportJobId = randomUUID();
  jobs.COMPLETE = hex();
  jobs.FAILED = hex();
  jobs.CANCELLED = hex();
  jobs.HOSTILE = hex();
  stack.isc.addJob(jobs.COMPLETE, {
    status: 'COMPLETE',
    results: completeResults(exportJobId),
    backup: { exportJobId, document: '{"version":1,"objects":[]}' },
  });
  stack.isc.addJob(jobs.FAILED, { status: 'FAILED', results: failedResults() });
  stack.isc.addJob(jobs.CANCELLED, { status: 'CANCELLED' });
  stack.isc.addJob(jobs.HOSTILE, {
    status: 'FAILED',
    results: importResultsDocument({
      RULE: {
        errors: [
          { key: null, text: '<script>window.__pwned = 1</script><img src="http://127.0.0.1:9/x.png" onerror="window.__pwned = 2">' },
          { key: null, text: `unbroken-${'x'.repeat(3_000)}` },
        ],
        importedObjects: [{ type: 'RULE', id: '"><iframe src="http://127.0.0.1:9/">', name: '\u202Eevil\u200B' }],
      },
    }),
  });
  for (const jobId of Object.values(jobs)) expect((await lambda.invoke({ jobId })).ok).toBe(true);

  // Serve each report through the handler's own API route, headers included.
  server = createServer(async (req, res) => {
    const jobId = /^\/imports\/([^/]+)\/report$/.exec(req.url ?? '')?.[1] ?? '';
    const event = {
      httpMethod: 'GET',
      path: req.url,
      resource: '/imports/{jobId}/report',
      pathParameters: { jobId },
      requestContext: { requestId: randomUUID() },
    };
    const answer = await lambda.invoke(event);
    const response = answer.ok ? answer.value : { statusCode: 500, headers: {}, body: '' };
    res.writeHead(response.statusCode, response.headers);
    res.end(response.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  await mkdir(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  server?.close();
  await lambda?.stop();
  await stack?.stop();
});

async function open(jobId: string, width: number) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  const response = await page.goto(`${base}/imports/${jobId}/report`);
  return { page, requests, problems, response };
}

describe('the report in a browser', () => {
  it.each([
    ['FAILED', '✗ Failed', ['Errors (2)', 'Unable to resolve reference [SOURCE, Workday HR] for object [Employees].', 'IDENTITY_PROFILE']],
    ['COMPLETE', '✓ Complete', ['Imported objects (5)', 'Build Account Map', 'ARCHIVED']],
    ['CANCELLED', '– Cancelled', ['ISC produced no results']],
  ])('shows a %s import readably at 360 px and 1280 px, with no requests or console errors', async (status, badge, texts) => {
    for (const width of [360, 1280]) {
      const { page, requests, problems, response } = await open(jobs[status]!, width);
      try {
        expect(response!.headers()['content-type']).toBe('text/html; charset=utf-8');
        const body = await page.locator('body').textContent();
        expect(body).toContain(badge);
        for (const text of texts) expect(body).toContain(text);
        await expect.poll(() => page.locator('.status').isVisible()).toBe(true);
        // The page itself may not scroll sideways; wide tables scroll inside their own box.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow).toBeLessThanOrEqual(0);
        expect(requests).toEqual([`${base}/imports/${jobs[status]}/report`]);
        expect(problems).toEqual([]);
        await page.screenshot({ path: `${SCREENSHOTS}/report-${status.toLowerCase()}-${width}.png`, fullPage: true });
      } finally {
        await page.close();
      }
    }
  });

  it('runs nothing and loads nothing that came from ISC', async () => {
    const { page, requests, problems } = await open(jobs.HOSTILE!, 360);
    try {
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator('script, img, iframe').count()).toBe(0);
      expect(await page.locator('body').textContent()).toContain('<script>window.__pwned = 1</script>');
      expect(requests).toHaveLength(1);
      expect(problems).toEqual([]);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
    } finally {
      await page.close();
    }
  });
});

/** The realistic changes, plus a transform whose new value is one long unbroken token. */
function changesWithLongValue(): ChangesDocument {
  const doc = realisticChanges();
  const token = Array.from({ length: 60 }, (_, i) => `k${i}=v${i}`).join(';');
  return {
    ...doc,
    objects: [
      ...doc.objects,
      {
        type: 'TRANSFORM',
        id: '7d1e4c2b9a8f4e3d8c2b1a0f9e8d7c6b',
        name: 'Department Lookup',
        change: 'CHANGED',
        fields: [{ path: '/attributes/table', before: { default: 'Unknown' }, after: { default: 'Unknown', mapping: token } }],
      },
    ],
  };
}

async function openHtml(html: string, width: number) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.setContent(html);
  return { page, requests, problems };
}

describe('the "What changed" section in a browser', () => {
  it.each([360, 1280])('reads at %i px: the warning, each field before and after, long values wrapped', async (width) => {
    const doc = changesWithLongValue();
    const html = renderReport(reportInput(completeResults(BACKUP_ID), { changes: doc, manifest: { changes: computedRecord(doc, 14) } }));
    const { page, requests, problems } = await openHtml(html, width);
    try {
      const section = await page.locator('#changes').evaluate((h) => {
        let text = '';
        for (let n = h.nextElementSibling; n && n.tagName !== 'H2'; n = n.nextElementSibling) text += `${(n as HTMLElement).textContent}\n`;
        return text;
      });
      expect(section).toContain('⚠ Taken 14 minutes after the import completed');
      expect(section).toContain('/attributes/input');
      expect(section).toContain('"attributeName": "userPrincipalName"');
      expect(section).toContain('absent: not set before the import');
      expect(section).toMatch(/CREATED\s+Active Directory\s+SOURCE/);
      expect(section).toMatch(/UNCHANGED\s+Build Account Map\s+RULE/);
      await expect.poll(() => page.locator('.warn').isVisible()).toBe(true);
      // Neither the page nor any value scrolls sideways: long values wrap inside their cell.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      const wide = await page
        .locator('.obj pre')
        .evaluateAll((pres) => pres.filter((p) => p.scrollWidth > p.clientWidth + 1).map((p) => p.textContent));
      expect(wide).toEqual([]);
      const outside = await page
        .locator('.obj')
        .evaluateAll((cards) => cards.filter((c) => c.getBoundingClientRect().right > window.innerWidth).length);
      expect(outside).toBe(0);
      // The long token is shown whole, over several lines.
      const tokenLines = await page
        .locator('.obj pre', { hasText: 'k59=v59' })
        .evaluate((p) => Math.round(p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight || '16')));
      expect(tokenLines).toBeGreaterThan(3);
      expect(requests).toEqual([]);
      expect(problems).toEqual([]);
      await page.screenshot({ path: `${SCREENSHOTS}/report-changes-${width}.png`, fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('renders the README picture: a COMPLETE import with what it changed, at 1280 px', async () => {
    const doc = realisticChanges();
    const folder = `sp-config/acme/imports/${doc.jobId}/`;
    const objects = [
      { role: 'results', key: `${folder}results.json`, bytes: 1_482, sha256: 'a' },
      { role: 'backup', key: doc.before!.key, bytes: 18_934, sha256: 'b' },
      { role: 'after', key: doc.after.key, bytes: 6_120, sha256: 'c' },
      { role: 'changes', key: `${folder}changes.json`, bytes: 1_377, sha256: 'd' },
    ] as const;
    const html = renderReport(
      reportInput(completeResults(BACKUP_ID), { changes: doc, manifest: { changes: computedRecord(doc, 1), objects } }),
    );
    const { page, problems } = await openHtml(html, 1280);
    try {
      expect(await page.locator('.warn').count()).toBe(0);
      expect(problems).toEqual([]);
      // Copied by hand to docs/report-changes.png when the report's look changes.
      await page.screenshot({ path: `${SCREENSHOTS}/readme-report-changes.png`, fullPage: true });
    } finally {
      await page.close();
    }
  });
});
