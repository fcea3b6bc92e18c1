import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_BACKUP_JOB_ID, DEMO_JOBS, DEMO_OBJECTS, seedDemoTenant } from '../../local/demo-tenant.ts';
import { completeResults, failedResults, importResultsDocument } from '../../local/import-results.ts';
import { MultipartParser, multipartBoundary } from '../../local/isc/multipart.ts';
import { DEMO_CLIENT, IscDouble } from '../../local/isc-double.ts';
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
  isc.addJob(JOB, {
    status: 'FAILED',
    results: failedResults(EXPORT),
    backup: { exportJobId: EXPORT, document: { generateExport: 20_000 } },
  });
  isc.addJob(RUNNING, { status: 'COMPLETE', runningForMs: 60_000, results: completeResults() });
  token = await issue(
    new URLSearchParams({ grant_type: 'client_credentials', client_id: DEMO_CLIENT.clientId, client_secret: DEMO_CLIENT.clientSecret }),
  );
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
    expect(
      await issue(null, `?grant_type=client_credentials&client_id=${DEMO_CLIENT.clientId}&client_secret=${DEMO_CLIENT.clientSecret}`),
    ).toBeTruthy();
    const refused = await fetch(`${isc.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: DEMO_CLIENT.clientId, client_secret: 'nope' }),
    });
    expect(refused.status).toBe(401);
  });

  it.each(['/beta/sp-config', '/v2024/sp-config', '/v2025/sp-config', '/v2026/sp-config', '/sp-config/v1'])(
    'serves job status as the spec says under %s',
    async (base) => {
      const res = await get(`${base}/import/${JOB}`);
      const body = await res.json();
      expect(schemaProblems(body, schema('ImportJobStatus'))).toEqual([]);
      expect(body).toMatchObject({
        jobId: JOB,
        status: 'FAILED',
        type: 'IMPORT',
        message: 'Import halted because of errors. Download results for error details.',
      });
    },
  );

  it('answers NOT_STARTED, then IN_PROGRESS, without a completed time or results while running', async () => {
    const first = await (await get(`/beta/sp-config/import/${RUNNING}`)).json();
    const second = await (await get(`/beta/sp-config/import/${RUNNING}`)).json();
    expect([first.status, second.status]).toEqual(['NOT_STARTED', 'IN_PROGRESS']);
    expect(second.completed).toBeUndefined();
    expect(schemaProblems(second, schema('ImportJobStatus'))).toEqual([]);
    expect((await get(`/beta/sp-config/import/${RUNNING}/download`)).status).toBe(404);
  });

  it("serves import results of the spec's shape, with real payloads' `detail` quirk", async () => {
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
    expect(
      schemaProblems(
        { results: { RULE: { infos: [{ key: 'K', details: {} }], warnings: [], errors: [], importedObjects: [] } } },
        schema('ImportResults'),
      ),
    ).toEqual(['$.results.RULE.infos[0].text: required']);
  });

  it("serves the pre-import backup as an export document of the spec's shape", async () => {
    const body = await (await get(`/beta/sp-config/export/${EXPORT}/download`)).json();
    expect(schemaProblems(body, schema('ExportResults'))).toEqual([]);
    expect(body.objects.length).toBeGreaterThan(5);
    expect(body.objects.find((o: { self: { type: string } }) => o.self.type === 'RULE')).toMatchObject({
      jwsHeader: expect.any(String),
      jwsSignature: expect.any(String),
    });
  });

  it('ends a generated backup with the entries a benchmark puts last, still one export document', async () => {
    const tail = [
      {
        version: 1,
        self: { type: 'SOURCE', id: 'near-the-end', name: 'Last Source' },
        object: { id: 'near-the-end', name: 'Last Source' },
      },
    ];
    isc.addJob('b1a2c3d4e5f60718293a4b5c6d7e8f90', {
      status: 'COMPLETE',
      results: completeResults('tail-backup'),
      backup: { exportJobId: 'tail-backup', document: { generateExport: 200_000, tail } },
    });
    const body = await (await get('/beta/sp-config/export/tail-backup/download')).json();
    expect(schemaProblems(body, schema('ExportResults'))).toEqual([]);
    expect(body.objects.length).toBeGreaterThan(500);
    expect(body.objects.at(-1)).toEqual(tail[0]);
  });

  it("answers unknown jobs with ISC's error envelope", async () => {
    const res = await get('/beta/sp-config/import/00000000000000000000000000000000');
    const body = await res.json();
    expect(res.status).toBe(404);
    expect(schemaProblems(body, schema('ErrorResponse'))).toEqual([]);
    expect(body).toMatchObject({
      detailCode: '404 Not found',
      trackingId: expect.stringMatching(/^[0-9a-f]{32}$/),
      messages: [{ locale: 'en-US', localeOrigin: 'DEFAULT' }],
    });
  });

  it('expires tokens, answering 401 as ISC does', async () => {
    const short = await issue(
      new URLSearchParams({ grant_type: 'client_credentials', client_id: DEMO_CLIENT.clientId, client_secret: DEMO_CLIENT.clientSecret }),
    );
    await new Promise((r) => setTimeout(r, 2_100));
    const res = await get(`/beta/sp-config/import/${JOB}`, short);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'JWT validation failed: JWT is expired' });
  });

  it('rate-limits per client id and API version with 429 and Retry-After', async () => {
    const limited = await IscDouble.start({ rateLimit: { limit: 3, windowMs: 5_000 } });
    try {
      limited.addJob(JOB, { status: 'COMPLETE', results: completeResults() });
      const res = await fetch(`${limited.url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: DEMO_CLIENT.clientId,
          client_secret: DEMO_CLIENT.clientSecret,
        }),
      });
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

// The tenant state: exports read it, imports change it (POST .../sp-config/export and .../import).

describe('exports from the tenant state', () => {
  let tenant: IscDouble;
  let bearer: string;
  const READ_ONLY = { clientId: 'read-only', clientSecret: 'read-only-secret', scopes: ['sp:config:read'] };
  const NO_SCOPE = { clientId: 'no-scope', clientSecret: 'no-scope-secret', scopes: ['idn:sources:read'] };
  const ids = {
    ad: '2c9180835d191a86015d28455b4b232a',
    hr: '2c9180835d191a86015d28455b4b232b',
    lower: 'b8d4c2e1-3a5f-4f2e-9d1c-7e6a5b4c3d2e',
    upper: 'c9e5d3f2-4b6a-4a3f-8e2d-8f7b6c5d4e3f',
  };

  beforeAll(async () => {
    tenant = await IscDouble.start({ clients: [DEMO_CLIENT, READ_ONLY, NO_SCOPE], behaviour: { exportDelayMs: 150, importDelayMs: 150 } });
    bearer = await tokenOf(tenant, DEMO_CLIENT);
    tenant.state.putObject('SOURCE', { id: ids.ad, name: 'Active Directory', connector: 'active-directory' });
    tenant.state.putObject('SOURCE', { id: ids.hr, name: 'Workday HR', connector: 'workday' });
    tenant.state.putObject('TRANSFORM', { id: ids.lower, name: 'Lowercase Email', type: 'lower' });
    tenant.state.putObject('TRANSFORM', { id: ids.upper, name: 'Uppercase Name', type: 'upper' });
    tenant.state.putObject(
      'RULE',
      { id: 'r1', name: 'Build Map', type: 'BuildMap' },
      { jwsHeader: 'eyJhbGciOiJFUzI1NiJ9', jwsSignature: 'c2ln-1' },
    );
  });
  afterAll(() => tenant.close());

  const post = (path: string, body: string, type = 'application/json', token = bearer) =>
    fetch(`${tenant.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });
  const getJson = async (path: string) => (await fetch(`${tenant.url}${path}`, { headers: { authorization: `Bearer ${bearer}` } })).json();

  async function exported(payload: object, base = '/beta/sp-config') {
    const res = await post(`${base}/export`, JSON.stringify(payload));
    expect(res.status).toBe(202);
    const job = await res.json();
    const done = await settled(() => getJson(`${base}/export/${job.jobId}`));
    expect(done.status).toBe('COMPLETE');
    return (await getJson(`${base}/export/${job.jobId}/download`)) as {
      objects: { self: { type: string; id: string; name: string }; object: any; jwsSignature?: string }[];
    };
  }

  // The spec's own request examples, in the spec's shape.
  const examples = {
    all: {
      description: 'Export all available objects',
      excludeTypes: [],
      includeTypes: ['SOURCE', 'TRANSFORM', 'RULE', 'ROLE'],
      objectOptions: {},
    },
    byId: {
      description: 'Export sources by ID',
      excludeTypes: [],
      includeTypes: ['SOURCE'],
      objectOptions: { SOURCE: { includedIds: [ids.hr], includedNames: [] } },
    },
    byName: {
      description: 'Export transforms by name',
      excludeTypes: [],
      includeTypes: ['TRANSFORM'],
      objectOptions: { TRANSFORM: { includedIds: [], includedNames: ['Uppercase Name'] } },
    },
  };

  it.each(['/beta/sp-config', '/v2024/sp-config', '/v2025/sp-config', '/v2026/sp-config', '/sp-config/v1'])(
    'starts an export job under %s and runs it to COMPLETE',
    async (base) => {
      expect(schemaProblems(examples.all, schema('ExportPayload'))).toEqual([]);
      const res = await post(`${base}/export`, JSON.stringify(examples.all));
      const job = await res.json();
      expect(res.status).toBe(202);
      expect(schemaProblems(job, schema('SpConfigExportJob'))).toEqual([]);
      expect(job).toMatchObject({ status: 'NOT_STARTED', type: 'EXPORT', description: 'Export all available objects' });
      const running = await getJson(`${base}/export/${job.jobId}`);
      expect(running).toMatchObject({ jobId: job.jobId, status: 'IN_PROGRESS' });
      expect(running.completed).toBeUndefined();
      expect(
        (await fetch(`${tenant.url}${base}/export/${job.jobId}/download`, { headers: { authorization: `Bearer ${bearer}` } })).status,
      ).toBe(404);
      const done = await settled(() => getJson(`${base}/export/${job.jobId}`));
      expect(schemaProblems(done, schema('SpConfigExportJobStatus'))).toEqual([]);
      expect(done).toMatchObject({ status: 'COMPLETE', type: 'EXPORT', completed: expect.any(String) });
      const document = await getJson(`${base}/export/${job.jobId}/download`);
      expect(schemaProblems(document, schema('ExportResults'))).toEqual([]);
      expect(document).toMatchObject({
        version: 1,
        tenant: 'acme',
        description: 'Export all available objects',
        options: { includeTypes: examples.all.includeTypes },
      });
      expect(document.objects.map((o: any) => o.self.name).sort()).toEqual([
        'Active Directory',
        'Build Map',
        'Lowercase Email',
        'Uppercase Name',
        'Workday HR',
      ]);
      expect(document.objects.find((o: any) => o.self.type === 'RULE')).toMatchObject({
        jwsHeader: 'eyJhbGciOiJFUzI1NiJ9',
        jwsSignature: 'c2ln-1',
      });
    },
  );

  it('exports exactly the objects selected by id, by name, and by type', async () => {
    const names = (d: Awaited<ReturnType<typeof exported>>) => d.objects.map((o) => `${o.self.type}:${o.self.name}`).sort();
    expect(names(await exported(examples.byId))).toEqual(['SOURCE:Workday HR']);
    expect(names(await exported(examples.byName))).toEqual(['TRANSFORM:Uppercase Name']);
    expect(
      names(
        await exported({
          includeTypes: ['SOURCE', 'TRANSFORM'],
          objectOptions: { SOURCE: { includedIds: [ids.ad] }, TRANSFORM: { includedIds: [ids.lower], includedNames: ['Uppercase Name'] } },
        }),
      ),
    ).toEqual(['SOURCE:Active Directory', 'TRANSFORM:Lowercase Email', 'TRANSFORM:Uppercase Name']);
    expect(names(await exported({ excludeTypes: ['SOURCE', 'TRANSFORM'] }))).toEqual(['RULE:Build Map']);
    // includeTypes takes precedence over excludeTypes.
    expect(names(await exported({ includeTypes: ['RULE'], excludeTypes: ['RULE'] }))).toEqual(['RULE:Build Map']);
    expect(names(await exported({ includeTypes: ['SOURCE'], objectOptions: { SOURCE: { includedIds: ['no-such-id'] } } }))).toEqual([]);
  });

  it('takes the export from the tenant state when the job runs, not when it was asked for', async () => {
    const res = await post(
      '/beta/sp-config/export',
      JSON.stringify({ includeTypes: ['TRANSFORM'], objectOptions: { TRANSFORM: { includedIds: [ids.upper] } } }),
    );
    const job = await res.json();
    tenant.state.putObject('TRANSFORM', {
      id: ids.upper,
      name: 'Uppercase Name',
      type: 'upper',
      attributes: { input: 'changed before the job ran' },
    });
    await settled(() => getJson(`/beta/sp-config/export/${job.jobId}`));
    tenant.state.putObject('TRANSFORM', { id: ids.upper, name: 'Uppercase Name', type: 'upper' });
    const document = await getJson(`/beta/sp-config/export/${job.jobId}/download`);
    expect(document.objects[0].object.attributes).toEqual({ input: 'changed before the job ran' });
  });

  it.each([
    ['a type the spec does not know', { includeTypes: ['SOURCES'] }, '$.includeTypes[0]'],
    [
      'ids that are not a list',
      { includeTypes: ['SOURCE'], objectOptions: { SOURCE: { includedIds: ids.ad } } },
      '$.objectOptions.SOURCE.includedIds',
    ],
    ['a description that is not text', { description: 42 }, '$.description'],
    ['a JSON array', [], '$'],
  ])("refuses an ExportPayload with %s: 400 in ISC's envelope, as the spec's schema does", async (_what, payload, at) => {
    expect(schemaProblems(payload, schema('ExportPayload'))).not.toEqual([]);
    const res = await post('/beta/sp-config/export', JSON.stringify(payload));
    const body = await res.json();
    expect(res.status).toBe(400);
    expect(schemaProblems(body, schema('ErrorResponse'))).toEqual([]);
    expect(body).toMatchObject({ detailCode: '400.1 Bad Request Content', trackingId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(body.causes.map((c: { text: string }) => c.text).join('\n')).toContain(at);
  });

  it('refuses misspelt options the spec leaves open (stricter than ISC, which might export everything), bodies that are not JSON, and other media types', async () => {
    for (const [payload, named] of [
      [{ includeTypes: ['SOURCE'], objectOptions: { SOURCE: { includedIDs: [ids.ad] } } }, 'includedIDs'],
      [{ includeTypes: ['SOURCE'], objectOptions: { SOURCES: { includedIds: [ids.ad] } } }, 'SOURCES'],
      [{ includeType: ['SOURCE'] }, 'includeType'],
    ] as const) {
      const misspelt = await post('/beta/sp-config/export', JSON.stringify(payload));
      expect(misspelt.status).toBe(400);
      expect((await misspelt.json()).messages[0].text).toContain(named);
    }
    expect((await post('/beta/sp-config/export', '{"includeTypes": [')).status).toBe(400);
    expect((await post('/beta/sp-config/export', 'includeTypes=SOURCE', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect(tenant.exportRequests.at(-1)).toMatchObject({ status: 415, jobId: undefined });
  });

  it("answers 403 in ISC's envelope without sp:config:read or sp:config:manage, and accepts sp:config:read alone", async () => {
    const refused = await post(
      '/beta/sp-config/export',
      JSON.stringify(examples.byId),
      'application/json',
      await tokenOf(tenant, NO_SCOPE),
    );
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      detailCode: '403 Forbidden',
      messages: [{ text: 'The server understood the request but refuses to authorize it.' }],
    });
    const reader = await post(
      '/beta/sp-config/export',
      JSON.stringify(examples.byId),
      'application/json',
      await tokenOf(tenant, READ_ONLY),
    );
    expect(reader.status).toBe(202);
  });

  it('refuses, fails or stalls exports when a test asks it to', async () => {
    try {
      tenant.behaviour.exports = 'refuse';
      expect((await post('/beta/sp-config/export', JSON.stringify(examples.byId))).status).toBe(403);
      tenant.behaviour.exports = 'fail';
      const failing = await (await post('/beta/sp-config/export', JSON.stringify(examples.byId))).json();
      expect(await settled(() => getJson(`/beta/sp-config/export/${failing.jobId}`))).toMatchObject({
        status: 'FAILED',
        message: expect.any(String),
      });
      expect(
        (await fetch(`${tenant.url}/beta/sp-config/export/${failing.jobId}/download`, { headers: { authorization: `Bearer ${bearer}` } }))
          .status,
      ).toBe(404);
      tenant.behaviour.exports = 'stall';
      const stalled = await (await post('/beta/sp-config/export', JSON.stringify(examples.byId))).json();
      await new Promise((r) => setTimeout(r, 300));
      expect(await getJson(`/beta/sp-config/export/${stalled.jobId}`)).toMatchObject({ status: 'IN_PROGRESS' });
    } finally {
      tenant.behaviour.exports = 'complete';
    }
    tenant.addFaults({ on: 'export-start', status: 429, retryAfter: '3' });
    const limited = await post('/beta/sp-config/export', JSON.stringify(examples.byId));
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '3']);
    expect((await post('/beta/sp-config/export', JSON.stringify(examples.byId))).status).toBe(202);
  });
});

describe('imports into the tenant state', () => {
  let tenant: IscDouble;
  let bearer: string;
  const READ_ONLY = { clientId: 'read-only', clientSecret: 'read-only-secret', scopes: ['sp:config:read'] };
  const signed = { jwsHeader: 'eyJhbGciOiJFUzI1NiJ9', jwsSignature: 'c2lnbmVkLWJ5LXRoZS10ZW5hbnQ' };
  const transform = (attributeName: string) => ({
    id: 't-1',
    name: 'Lowercase Email',
    type: 'lower',
    attributes: { input: { type: 'accountAttribute', attributes: { attributeName } } },
  });
  const rule = {
    id: 'r-1',
    name: 'Build Map',
    type: 'BuildMap',
    sourceCode: { script: 'return map;' },
    created: '2026-01-01T00:00:00Z',
    modified: '2026-01-02T00:00:00Z',
  };
  const source = { id: 's-1', name: 'Active Directory', connector: 'active-directory' };
  const entry = (type: string, object: { id: string; name: string } & Record<string, unknown>, jws = {}) => ({
    version: 1,
    self: { type, id: object.id, name: object.name },
    object,
    ...jws,
  });
  // As exported from a sandbox: a changed transform, a new source, the same rule, and a type import does not support.
  const document = JSON.stringify({
    version: 1,
    timestamp: '2026-11-20T09:14:03Z',
    tenant: 'acme-sb',
    description: 'sandbox',
    options: {},
    objects: [
      entry('TRANSFORM', transform('mail')),
      entry('SOURCE', source),
      entry('RULE', rule, signed),
      entry('ROLE', { id: 'ro-1', name: 'Auditors' }),
    ],
  });

  beforeAll(async () => {
    tenant = await IscDouble.start({ clients: [DEMO_CLIENT, READ_ONLY], behaviour: { exportDelayMs: 100, importDelayMs: 150 } });
    bearer = await tokenOf(tenant, DEMO_CLIENT);
  });
  beforeEach(() => {
    for (const e of tenant.state.list()) tenant.state.remove(e.self.type, e.self.id);
    tenant.state.putObject('TRANSFORM', transform('email'));
    tenant.state.putObject('RULE', rule, signed);
  });
  afterAll(() => tenant.close());

  const form = (data: string | undefined, options?: unknown) => {
    const body = new FormData();
    if (data !== undefined) body.set('data', new Blob([data], { type: 'application/json' }), 'config.json');
    if (options !== undefined) body.set('options', typeof options === 'string' ? options : JSON.stringify(options));
    return body;
  };
  const submit = (body: BodyInit, query = '', token = bearer, headers: Record<string, string> = {}) =>
    fetch(`${tenant.url}/beta/sp-config/import${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, ...headers },
      body,
    });
  const getJson = async (path: string) => (await fetch(`${tenant.url}${path}`, { headers: { authorization: `Bearer ${bearer}` } })).json();

  async function imported(body: BodyInit, query = '') {
    const res = await submit(body, query);
    const job = await res.json();
    expect(res.status, JSON.stringify(job)).toBe(202);
    expect(schemaProblems(job, schema('SpConfigJob'))).toEqual([]);
    expect(job).toMatchObject({ status: 'NOT_STARTED', type: 'IMPORT' });
    const status = await settled(() => getJson(`/beta/sp-config/import/${job.jobId}`));
    const results = await getJson(`/beta/sp-config/import/${job.jobId}/download`);
    expect(schemaProblems(specShaped(results), schema('ImportResults'))).toEqual([]);
    return { jobId: job.jobId as string, status, results };
  }

  it('previews an import: an IMPORT_PREVIEW info per selected object, nothing imported, no backup, the tenant unchanged', async () => {
    const before = tenant.state.list();
    const options = { includeTypes: ['TRANSFORM', 'SOURCE'], objectOptions: { SOURCE: { includedIds: ['s-1'], includedNames: [] } } };
    expect(schemaProblems(options, schema('ImportOptions'))).toEqual([]);
    const { jobId, status, results } = await imported(form(document, options), '?preview=true');
    expect(status).toMatchObject({ status: 'COMPLETE', type: 'IMPORT', completed: expect.any(String) });
    expect(results).toEqual({
      results: {
        TRANSFORM: {
          infos: [{ key: 'IMPORT_PREVIEW', text: 'Object to be imported: [t-1, Lowercase Email]', detail: null }],
          warnings: [],
          errors: [],
          importedObjects: [],
        },
        SOURCE: {
          infos: [{ key: 'IMPORT_PREVIEW', text: 'Object to be imported: [s-1, Active Directory]', detail: null }],
          warnings: [],
          errors: [],
          importedObjects: [],
        },
      },
    });
    expect(tenant.state.list()).toEqual(before);
    expect(tenant.importRequests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/beta/sp-config/import',
      query: { preview: 'true' },
      preview: true,
      options,
      complete: true,
      status: 202,
      jobId,
      dataSha256: createHash('sha256').update(document).digest('hex'),
      dataBytes: Buffer.byteLength(document),
      parts: [{ name: 'data', filename: 'config.json', contentType: 'application/json' }, { name: 'options' }],
    });
  });

  it('applies an import: the backup holds the before-state, the tenant the after-state, an unchanged rule stays as it was', async () => {
    const { status, results } = await imported(form(document));
    expect(status.status).toBe('COMPLETE');
    expect(results.results.ROLE).toEqual({
      infos: [],
      warnings: [{ key: 'UNSUPPORTED_TYPE', text: expect.stringContaining('[ro-1, Auditors]'), detail: null }],
      errors: [],
      importedObjects: [],
    });
    expect(['TRANSFORM', 'SOURCE', 'RULE'].map((t) => results.results[t].importedObjects)).toEqual([
      [{ type: 'TRANSFORM', id: 't-1', name: 'Lowercase Email' }],
      [{ type: 'SOURCE', id: 's-1', name: 'Active Directory' }],
      [{ type: 'RULE', id: 'r-1', name: 'Build Map' }],
    ]);
    const backup = await getJson(`/beta/sp-config/export/${results.exportJobId}/download`);
    expect(schemaProblems(backup, schema('ExportResults'))).toEqual([]);
    expect(await getJson(`/beta/sp-config/export/${results.exportJobId}`)).toMatchObject({ status: 'COMPLETE', type: 'EXPORT' });
    expect(backup.objects).toEqual([entry('TRANSFORM', transform('email')), entry('RULE', rule, signed)]);
    expect(tenant.state.get('TRANSFORM', 't-1')!.object).toEqual(transform('mail'));
    expect(tenant.state.get('SOURCE', 's-1')!.object).toEqual(source);
    expect(tenant.state.get('RULE', 'r-1')).toEqual(entry('RULE', rule, signed));
    expect(tenant.state.get('ROLE', 'ro-1')).toBeUndefined();
  });

  it("matches an object by name when its id is another tenant's, keeping the tenant's id and created stamp", async () => {
    const renamed = JSON.stringify({
      objects: [
        entry('RULE', { ...rule, id: 'sandbox-r-9', sourceCode: { script: 'return other;' }, created: '2026-06-01T00:00:00Z' }, signed),
      ],
    });
    const { results } = await imported(form(renamed, { excludeBackup: true }));
    expect(results.exportJobId).toBeUndefined();
    expect(results.results.RULE.importedObjects).toEqual([{ type: 'RULE', id: 'r-1', name: 'Build Map' }]);
    const stored = tenant.state.get('RULE', 'r-1')!.object;
    expect(stored).toMatchObject({ id: 'r-1', sourceCode: { script: 'return other;' }, created: rule.created });
    expect(stored.modified).not.toBe(rule.modified);
    expect(tenant.state.get('RULE', 'sandbox-r-9')).toBeUndefined();
  });

  it('fails the objects a test rejects, with errors, and still imports the rest (a half-applied import)', async () => {
    tenant.behaviour.importRejections = [
      { type: 'SOURCE', name: 'Active Directory', text: 'Unable to resolve reference [IDENTITY, Cloud Admin].' },
    ];
    try {
      const { status, results } = await imported(form(document, { includeTypes: ['TRANSFORM', 'SOURCE'] }));
      expect(status).toMatchObject({ status: 'FAILED', message: 'Import halted because of errors. Download results for error details.' });
      expect(results.results.SOURCE).toMatchObject({
        errors: [{ text: 'Unable to resolve reference [IDENTITY, Cloud Admin].' }],
        importedObjects: [],
      });
      expect(results.results.TRANSFORM.importedObjects).toHaveLength(1);
      expect(tenant.state.get('SOURCE', 's-1')).toBeUndefined();
      expect(tenant.state.get('TRANSFORM', 't-1')!.object).toEqual(transform('mail'));
    } finally {
      tenant.behaviour.importRejections = [];
    }
  });

  const raw = (parts: string) => new Blob([parts.replaceAll('\n', '\r\n')]);
  it.each([
    ['no data part', () => form(undefined, {}), '', "Required part 'data' is not present."],
    ['options that are not JSON', () => form(document, '{"includeTypes": ['), '', 'not valid JSON'],
    ['options naming a type import does not support', () => form(document, { includeTypes: ['ROLE'] }), '', '$.includeTypes[0]'],
    ['options the spec does not name', () => form(document, { excludeBackups: true }), '', 'excludeBackups'],
    ['data that is not an export document', () => form('[{"self": {}}]'), '', 'not an export document'],
    ['an object without its self', () => form('{"objects": [{"object": {}}]}'), '', 'objects[0].self'],
    ['a preview that is not a boolean', () => form(document), '?preview=maybe', 'preview'],
    ['a body without its closing boundary', () => raw('--b0\nContent-Disposition: form-data; name="data"\n\n{}\n'), '', 'closing boundary'],
    ['a part without Content-Disposition', () => raw('--b0\nContent-Type: application/json\n\n{}\n--b0--\n'), '', 'Content-Disposition'],
  ])("refuses an import with %s: 400 in ISC's envelope, nothing started", async (_what, body, query, text) => {
    const started = tenant.importRequests.filter((r) => r.jobId).length;
    const built = body();
    const res = await submit(built, query, bearer, built instanceof Blob ? { 'content-type': 'multipart/form-data; boundary=b0' } : {});
    const answer = await res.json();
    expect(res.status).toBe(400);
    expect(answer).toMatchObject({ detailCode: '400.1 Bad Request Content' });
    expect(JSON.stringify(answer.messages) + JSON.stringify(answer.causes)).toContain(text);
    expect(tenant.importRequests.filter((r) => r.jobId)).toHaveLength(started);
    expect(tenant.importRequests.at(-1)!.status).toBe(400);
  });

  it("the spec's schema refuses the same options the double refuses", () => {
    expect(schemaProblems({ includeTypes: ['ROLE'] }, schema('ImportOptions'))).not.toEqual([]);
    expect(schemaProblems({ excludeBackup: 'yes' }, schema('ImportOptions'))).not.toEqual([]);
  });

  it('answers other media types 415, and 403 without sp:config:manage, recording both', async () => {
    const json = await submit(document, '', bearer, { 'content-type': 'application/json' });
    expect(json.status).toBe(415);
    const reader = await submit(form(document), '', await tokenOf(tenant, READ_ONLY));
    expect(reader.status).toBe(403);
    expect(await reader.json()).toMatchObject({ detailCode: '403 Forbidden' });
    expect(tenant.importRequests.slice(-2).map((r) => [r.status, r.jobId])).toEqual([
      [415, undefined],
      [403, undefined],
    ]);
    tenant.behaviour.imports = 'refuse';
    try {
      expect((await submit(form(document))).status).toBe(403);
    } finally {
      tenant.behaviour.imports = 'complete';
    }
  });

  it('records an import the client cut short, and starts nothing', async () => {
    const before = tenant.importRequests.length;
    const body = `--b0\r\nContent-Disposition: form-data; name="data"; filename="x.json"\r\n\r\n${document.slice(0, 100)}`;
    await new Promise<void>((resolve) => {
      const req = request(`${tenant.url}/beta/sp-config/import`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${bearer}`,
          'content-type': 'multipart/form-data; boundary=b0',
          'content-length': String(body.length + 5000),
        },
      });
      req.on('error', () => resolve());
      req.write(body, () => setTimeout(() => req.destroy(), 50));
    });
    await expect.poll(() => tenant.importRequests.length).toBe(before + 1);
    await expect.poll(() => tenant.importRequests.at(-1)!.status).toBe(0);
    // The part never ended: no hash, and only the bytes the parser could tell were data.
    expect(tenant.importRequests.at(-1)).toMatchObject({
      complete: false,
      jobId: undefined,
      dataSha256: undefined,
      dataBytes: 100 - '\r\n--b0'.length + 1,
    });
  });
});

describe('the demo tenant', () => {
  it('holds a COMPLETE import whose backup and after-export show a changed transform, a created source and an unchanged rule', async () => {
    const demo = await IscDouble.start({ behaviour: { exportDelayMs: 50 } });
    try {
      seedDemoTenant(demo);
      const bearer = await tokenOf(demo, DEMO_CLIENT);
      const call = async (path: string, init: RequestInit = {}) =>
        (
          await fetch(`${demo.url}${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' } })
        ).json();
      const jobId = DEMO_JOBS[0]!.jobId;
      expect(await call(`/beta/sp-config/import/${jobId}`)).toMatchObject({ status: 'COMPLETE' });
      const results = await call(`/beta/sp-config/import/${jobId}/download`);
      expect(results.exportJobId).toBe(DEMO_BACKUP_JOB_ID);
      const touched = Object.values(results.results).flatMap((r: any) => r.importedObjects) as { type: string; id: string; name: string }[];
      expect(touched).toEqual(expect.arrayContaining(Object.values(DEMO_OBJECTS)));
      const backup = await call(`/beta/sp-config/export/${DEMO_BACKUP_JOB_ID}/download`);
      expect(backup.objects.length).toBeGreaterThan(500);
      // What the archiver does: export exactly the touched objects, by id.
      const types = [...new Set(touched.map((o) => o.type))];
      const payload = {
        includeTypes: types,
        objectOptions: Object.fromEntries(types.map((t) => [t, { includedIds: touched.filter((o) => o.type === t).map((o) => o.id) }])),
      };
      const job = await call('/beta/sp-config/export', { method: 'POST', body: JSON.stringify(payload) });
      await settled(() => call(`/beta/sp-config/export/${job.jobId}`));
      const after = await call(`/beta/sp-config/export/${job.jobId}/download`);
      const find = (document: any, o: { type: string; id: string }) =>
        document.objects.find((e: any) => e.self.type === o.type && e.self.id === o.id);
      const { changed, created, unchanged } = DEMO_OBJECTS;
      expect(find(backup, changed).object.attributes.input).not.toEqual(find(after, changed).object.attributes.input);
      expect(find(backup, created)).toBeUndefined();
      expect(find(after, created)).toBeDefined();
      expect(find(after, unchanged)).toEqual(find(backup, unchanged));
      expect(find(after, unchanged).jwsSignature).toEqual(expect.any(String));
    } finally {
      await demo.close();
    }
  });
});

describe('the multipart parser', () => {
  const boundary = 'XyZ-0123';
  const data = `{"objects":[],"note":"--XyZ-012 and \\r\\n--XyZ and --${boundary}x in text"}\r\n--${boundary.slice(0, 5)}`;
  const body = Buffer.from(
    `preamble to ignore\r\n--${boundary}  \t\r\nContent-Disposition: form-data; name="data"; filename="a \\"b\\".json"\r\nContent-Type: application/json\r\n\r\n${data}` +
      `\r\n--${boundary}\r\nContent-Disposition: form-data; name=options\r\n\r\n{}\r\n--${boundary}--\r\nepilogue`,
  );
  const parse = (chunks: Buffer[]) => {
    const parts: { name: string; filename?: string; contentType?: string; body: string }[] = [];
    const parser = new MultipartParser(boundary, (headers) => {
      const part = { ...headers, body: '' };
      const pieces: Buffer[] = [];
      parts.push(part);
      return { write: (c) => pieces.push(c), end: () => (part.body = Buffer.concat(pieces).toString()) };
    });
    for (const chunk of chunks) parser.write(chunk);
    parser.end();
    return parts;
  };

  it('reads the same parts however the body is cut into chunks', () => {
    const whole = parse([body]);
    expect(whole).toEqual([
      { name: 'data', filename: 'a "b".json', contentType: 'application/json', body: data },
      { name: 'options', filename: undefined, contentType: undefined, body: '{}' },
    ]);
    for (let cut = 1; cut < body.length; cut++) expect(parse([body.subarray(0, cut), body.subarray(cut)])).toEqual(whole);
    expect(parse([...body].map((b) => Buffer.from([b])))).toEqual(whole);
  });

  it('finds the boundary of a multipart Content-Type, quoted or not', () => {
    expect(multipartBoundary('multipart/form-data; boundary=----abc123')).toBe('----abc123');
    expect(multipartBoundary('Multipart/Form-Data; charset=utf-8; boundary="a b:c"')).toBe('a b:c');
    expect(multipartBoundary('application/json')).toBeUndefined();
  });
});

/** Polls a job until it leaves NOT_STARTED / IN_PROGRESS. */
async function settled(read: () => Promise<any>): Promise<any> {
  for (let i = 0; i < 100; i++) {
    const status = await read();
    if (status.status !== 'NOT_STARTED' && status.status !== 'IN_PROGRESS') return status;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('The job did not finish');
}

async function tokenOf(double: IscDouble, client: { clientId: string; clientSecret: string }): Promise<string> {
  const res = await fetch(`${double.url}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Results with the documented quirks undone (`detail` for `details`, null keys), to check against the spec's schema. */
function specShaped(document: any): any {
  const copy = structuredClone(document);
  for (const type of Object.values(copy.results) as any[]) {
    for (const m of [...type.infos, ...type.warnings, ...type.errors]) {
      m.key ??= '';
      m.details = {};
      delete m.detail;
    }
  }
  return copy;
}
