import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENT, IscDouble } from '../../local/isc-double.ts';
import { completeResults, failedResults, importResultsDocument } from '../../local/import-results.ts';
import { schema, schemaProblems } from '../support/openapi-check.ts';

// The double powers npm start and every integration test, so it is held to the official spec
// extract, quirks included.

let isc: IscDouble;
let token: string;
const JOB = 'ef38f94347e94562b5bb8424a56397d8';
const RUNNING = '4fb10503-1c49-4603-8f8d-886e1f6aa47b';
const EXPORT = 'be9e116d-08e1-49fc-ab7f-fa585e96c9e4';

beforeAll(async () => {
  isc = await IscDouble.start({ tokenTtlSeconds: 2 });
  isc.addJob(JOB, { status: 'FAILED', results: failedResults(EXPORT), backup: { exportJobId: EXPORT, document: { generateExport: 20_000 } } });
  isc.addJob(RUNNING, { status: 'COMPLETE', runningForMs: 60_000, results: completeResults() });
  token = await issue(new URLSearchParams({ grant_type: 'client_credentials', client_id: DEMO_CLIENT.clientId, client_secret: DEMO_CLIENT.clientSecret }));
});
afterAll(() => isc.close());

async function issue(body: BodyInit | null, query = ''): Promise<string> {
  const res = await fetch(`${isc.url}/oauth/token${query}`, { method: 'POST', body });
  const json = (await res.json()) as { access_token: string; token_type: string; expires_in: number; scope: string };
  expect(res.status).toBe(200);
  expect(json).toMatchObject({ token_type: 'bearer', expires_in: 2, scope: 'sp:config:manage sp:config:read' });
  return json.access_token;
}

const get = (path: string, bearer = token) => fetch(`${isc.url}${path}`, { headers: { authorization: `Bearer ${bearer}` } });

describe('the ISC double', () => {
  it('issues tokens for a url-encoded form, a multipart form and query parameters', async () => {
    const form = new FormData();
    form.set('grant_type', 'client_credentials');
    form.set('client_id', DEMO_CLIENT.clientId);
    form.set('client_secret', DEMO_CLIENT.clientSecret);
    expect(await issue(form)).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(await issue(null, `?grant_type=client_credentials&client_id=${DEMO_CLIENT.clientId}&client_secret=${DEMO_CLIENT.clientSecret}`)).toBeTruthy();
    const refused = await fetch(`${isc.url}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: DEMO_CLIENT.clientId, client_secret: 'nope' }) });
    expect(refused.status).toBe(401);
  });

  it.each(['/beta/sp-config', '/v2024/sp-config', '/v2025/sp-config', '/v2026/sp-config', '/sp-config/v1'])('serves job status as the spec says under %s', async (base) => {
    const res = await get(`${base}/import/${JOB}`);
    const body = await res.json();
    expect(schemaProblems(body, schema('ImportJobStatus'))).toEqual([]);
    expect(body).toMatchObject({ jobId: JOB, status: 'FAILED', type: 'IMPORT', message: 'Import halted because of errors. Download results for error details.' });
  });

  it('answers NOT_STARTED, then IN_PROGRESS, without a completed time or results while running', async () => {
    const first = await (await get(`/beta/sp-config/import/${RUNNING}`)).json();
    const second = await (await get(`/beta/sp-config/import/${RUNNING}`)).json();
    expect([first.status, second.status]).toEqual(['NOT_STARTED', 'IN_PROGRESS']);
    expect(second.completed).toBeUndefined();
    expect(schemaProblems(second, schema('ImportJobStatus'))).toEqual([]);
    expect((await get(`/beta/sp-config/import/${RUNNING}/download`)).status).toBe(404);
  });

  it('serves import results of the spec\'s shape, with real payloads\' `detail` quirk', async () => {
    const body = await (await get(`/beta/sp-config/import/${JOB}/download`)).json();
    // The documented quirks (isc-api.md): ISC sends `detail` where the spec says `details`, `key`
    // and `detail` are often null, and details hold plain values as in the spec's own example
    // (its schema says objects). With those undone the document conforms.
    const quirksUndone = (document: any) => {
      for (const type of Object.values(document.results) as any[]) {
        for (const list of [type.infos, type.warnings, type.errors]) {
          for (const m of list) {
            expect(m.detail === undefined || m.details === undefined).toBe(true);
            m.key ??= '';
            m.details = {};
            delete m.detail;
          }
        }
      }
      return document;
    };
    expect(JSON.stringify(body)).toContain('"detail":');
    expect(JSON.stringify(body)).toContain('"key":null');
    expect(schemaProblems(quirksUndone(body), schema('ImportResults'))).toEqual([]);
    expect(body.exportJobId).toBe(EXPORT);
    const spelledAsSpec = JSON.parse(importResultsDocument({ RULE: { errors: [{ key: 'K', text: 'x' }] } }, { detailField: 'details' }));
    expect(schemaProblems(quirksUndone(spelledAsSpec), schema('ImportResults'))).toEqual([]);
    // And the checker is not blind: a message without text is caught.
    expect(schemaProblems({ results: { RULE: { infos: [{ key: 'K', details: {} }], warnings: [], errors: [], importedObjects: [] } } }, schema('ImportResults'))).toEqual(['$.results.RULE.infos[0].text: required']);
  });

  it('serves the pre-import backup as an export document of the spec\'s shape', async () => {
    const body = await (await get(`/beta/sp-config/export/${EXPORT}/download`)).json();
    expect(schemaProblems(body, schema('ExportResults'))).toEqual([]);
    expect(body.objects.length).toBeGreaterThan(5);
    expect(body.objects.find((o: { self: { type: string } }) => o.self.type === 'RULE')).toMatchObject({ jwsHeader: expect.any(String), jwsSignature: expect.any(String) });
  });

  it('answers unknown jobs with ISC\'s error envelope', async () => {
    const res = await get('/beta/sp-config/import/00000000000000000000000000000000');
    const body = await res.json();
    expect(res.status).toBe(404);
    expect(schemaProblems(body, schema('ErrorResponse'))).toEqual([]);
    expect(body).toMatchObject({ detailCode: '404 Not found', trackingId: expect.stringMatching(/^[0-9a-f]{32}$/), messages: [{ locale: 'en-US', localeOrigin: 'DEFAULT' }] });
  });

  it('expires tokens, answering 401 as ISC does', async () => {
    const short = await issue(new URLSearchParams({ grant_type: 'client_credentials', client_id: DEMO_CLIENT.clientId, client_secret: DEMO_CLIENT.clientSecret }));
    await new Promise((r) => setTimeout(r, 2_100));
    const res = await get(`/beta/sp-config/import/${JOB}`, short);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'JWT validation failed: JWT is expired' });
  });

  it('rate-limits per client id and API version with 429 and Retry-After', async () => {
    const limited = await IscDouble.start({ rateLimit: { limit: 3, windowMs: 5_000 } });
    try {
      limited.addJob(JOB, { status: 'COMPLETE', results: completeResults() });
      const res = await fetch(`${limited.url}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: DEMO_CLIENT.clientId, client_secret: DEMO_CLIENT.clientSecret }) });
      const bearer = ((await res.json()) as { access_token: string }).access_token;
      const call = (base: string) => fetch(`${limited.url}${base}/import/${JOB}`, { headers: { authorization: `Bearer ${bearer}` } });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await call('/beta/sp-config')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const over = await call('/beta/sp-config');
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await over.json()).toEqual({ message: ' Rate Limit Exceeded ' });
      // Another API version has its own budget.
      expect((await call('/v2025/sp-config')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
