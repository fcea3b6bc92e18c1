import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FORBIDDEN_TEXT, send, sendError, sendRaw } from './isc/http-answers.ts';
import { type Fault, importIsRunning, type JobScenario, takeFault } from './isc/job-book.ts';
import { exportStatus, importStatus } from './isc/job-status.ts';
import { type ExportRecord, type ImportRecord, type RouteContext, startExportRoute, startImportRoute } from './isc/start-routes.ts';
import { streamDocument } from './isc/stream-document.ts';
import { type JobBehaviour, type StartImport, TenantJobs } from './isc/tenant-jobs.ts';
import type { TenantState } from './isc/tenant-state.ts';
import { FixedWindowLimiter } from './rate-limiter.ts';
import { type ApiClient, TokenService, tokenRequestFields } from './token-service.ts';

export type { ConfigEntry } from './isc/config-entry.ts';
export type { ImportRejection } from './isc/import-plan.ts';
export type { Document, Fault, FaultTarget, JobScenario } from './isc/job-book.ts';
export type { ExportRecord, ImportRecord } from './isc/start-routes.ts';
export type { JobBehaviour, StartImport } from './isc/tenant-jobs.ts';
export type { ApiClient } from './token-service.ts';

/**
 * A local stand-in for the parts of SailPoint ISC the archiver uses, following the official spec
 * extract and docs/isc-api.md, quirks included: FAILED imports with results, 429 with Retry-After,
 * tokens that expire, `detail` vs `details`. Two ways to give it jobs: scenarios registered per job
 * id (addJob: fixed results and backup, faults), and a tenant state (`state`) that exports read and
 * imports change, started over HTTP (POST .../sp-config/export and .../import) or by startImport.
 */

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly clientId: string | undefined;
  readonly userAgent: string | undefined;
  readonly at: number;
}

export interface IscDoubleOptions {
  readonly port?: number;
  readonly host?: string;
  readonly tenant?: string;
  readonly clients?: readonly ApiClient[];
  /** Token lifetime in seconds (749 in ISC's docs example). */
  readonly tokenTtlSeconds?: number;
  /** ISC allows 100 requests per client id and API version per 10 s; null turns it off. */
  readonly rateLimit?: { readonly limit: number; readonly windowMs: number } | null;
  /** How started exports and imports run (delays, refusals, failures); see JobBehaviour. */
  readonly behaviour?: Partial<JobBehaviour>;
}

export const DEMO_CLIENT: ApiClient = {
  clientId: 'demo-client-0b9c6e',
  clientSecret: 'demo-secret-f3a9d27c51e84b06a7d2',
  scopes: ['sp:config:manage', 'sp:config:read'],
};

const API = /^\/(?:(beta|v2024|v2025|v2026)\/sp-config|sp-config\/(v1))\/(import|export)(?:\/([^/]+)(\/download)?)?$/;
type Grant = NonNullable<ReturnType<TokenService['check']>['grant']>;
type Recorder = (status: number) => void;

export class IscDouble {
  readonly requests: RequestRecord[] = [];
  /** Bytes and SHA-256 of every body served in full, by path. */
  readonly served = new Map<string, { bytes: number; sha256: string }>();
  /** Every POST .../sp-config/import that passed authentication and the rate limit, whatever the answer. */
  readonly importRequests: ImportRecord[] = [];
  /** Every POST .../sp-config/export that passed authentication and the rate limit, whatever the answer. */
  readonly exportRequests: ExportRecord[] = [];
  readonly #jobs: TenantJobs;
  /** Faults for any job (addFaults), after each scenario's own. */
  readonly #faults: Fault[] = [];
  readonly #tokens: TokenService;
  readonly #limiter: FixedWindowLimiter | undefined;
  readonly #sockets = new Set<Socket>();
  readonly #server: Server;
  readonly #listen: { port: number; host: string };
  readonly #tenant: string;
  url = '';

  private constructor(options: IscDoubleOptions) {
    this.#listen = { port: options.port ?? 0, host: options.host ?? '127.0.0.1' };
    this.#tenant = options.tenant ?? 'acme';
    this.#jobs = new TenantJobs(this.#tenant, options.behaviour);
    this.#tokens = new TokenService({
      clients: options.clients ?? [DEMO_CLIENT],
      ttlSeconds: options.tokenTtlSeconds ?? 749,
      tenant: this.#tenant,
    });
    const limit = options.rateLimit === undefined ? { limit: 100, windowMs: 10_000 } : options.rateLimit;
    this.#limiter = limit ? new FixedWindowLimiter(limit.limit, limit.windowMs) : undefined;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendError(res, 500, `Internal fault: ${(error as Error).message}`);
        else res.destroy();
      });
    });
    this.#server.keepAliveTimeout = 65_000;
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  get tenant(): string {
    return this.#tenant;
  }

  static async start(options: IscDoubleOptions = {}): Promise<IscDouble> {
    const double = new IscDouble(options);
    await new Promise<void>((resolve, reject) => {
      double.#server.once('error', reject);
      double.#server.listen(double.#listen.port, double.#listen.host, () => resolve());
    });
    const { port } = double.#server.address() as AddressInfo;
    double.url = `http://${double.#listen.host}:${port}`;
    return double;
  }

  /** The tenant's configuration objects, after every job due by now has run. */
  get state(): TenantState {
    this.#jobs.book.settle();
    return this.#jobs.state;
  }

  /** How started jobs run; change it on the running double (read when a job starts). */
  get behaviour(): JobBehaviour {
    return this.#jobs.behaviour;
  }

  /** Registers an import job of a fixed scenario (results, backup, faults). */
  addJob(jobId: string, scenario: JobScenario): void {
    this.#jobs.addScenario(jobId, scenario);
  }

  /** Faults for any job, consumed in order, one per matching request (targets: see FaultTarget). */
  addFaults(...faults: Fault[]): void {
    this.#faults.push(...faults);
  }

  /** Starts an import as POST .../sp-config/import would (no request recorded); returns its job id. */
  startImport(input: StartImport): string {
    return this.#jobs.startImport(input);
  }

  /** Makes every token issued so far expired, as if 12.5 minutes had passed. */
  expireTokens(): void {
    this.#tokens.expireAll();
  }

  /** Every access token issued so far. */
  get issuedTokens(): readonly string[] {
    return this.#tokens.issued;
  }

  requestsFor(fragment: string): RequestRecord[] {
    return this.requests.filter((r) => r.path.includes(fragment));
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.#jobs.book.settle();
    const url = new URL(req.url ?? '/', 'http://double');
    const log = (status: number, clientId?: string) =>
      this.requests.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        status,
        clientId,
        userAgent: req.headers['user-agent'],
        at: Date.now(),
      });
    if (url.pathname === '/oauth/token' && req.method === 'POST') return this.#token(req, res, url, log);

    const match = API.exec(url.pathname);
    const starts = match !== null && match[4] === undefined;
    if (!match || req.method !== (starts ? 'POST' : 'GET')) {
      log(404);
      return sendError(res, 404, `No such resource: ${req.method} ${url.pathname}`);
    }
    const version = match[1] ?? match[2]!;
    const kind = match[3] as 'import' | 'export';

    const { grant: token, expired } = this.#tokens.check(req.headers.authorization);
    if (!token || expired) {
      log(401);
      return send(res, 401, {
        error: token ? 'JWT validation failed: JWT is expired' : 'JWT validation failed: JWT is missing or malformed',
      });
    }
    const record: Recorder = (status) => log(status, token.clientId);
    const limited = this.#limiter?.take(`${token.clientId}:${version}`);
    if (limited !== undefined) {
      record(429);
      res.setHeader('Retry-After', String(limited));
      return send(res, 429, { message: ' Rate Limit Exceeded ' });
    }
    // Import needs sp:config:manage; export accepts sp:config:read as well.
    const needed = kind === 'import' ? ['sp:config:manage'] : ['sp:config:manage', 'sp:config:read'];
    const allowed = needed.some((scope) => token.scopes.includes(scope));

    if (starts) {
      const context: RouteContext = {
        jobs: this.#jobs,
        allowed,
        fault: takeFault(this.#faults, kind === 'import' ? 'import-start' : 'export-start'),
        answerFault: (r, fault) => this.#answerFault(r, fault, token),
        record,
      };
      if (kind === 'import') return startImportRoute(req, res, url, context, this.importRequests);
      return startExportRoute(req, res, url.pathname, context, this.exportRequests);
    }
    if (!allowed) {
      record(403);
      return sendError(res, 403, FORBIDDEN_TEXT);
    }
    const id = decodeURIComponent(match[4]!);
    const download = match[5] !== undefined;
    if (kind === 'import') return this.#importJob(res, url.pathname, id, download, token, record);
    return this.#exportJob(res, url.pathname, id, download, token, record);
  }

  #importJob(res: ServerResponse, path: string, id: string, download: boolean, token: Grant, record: Recorder) {
    const job = this.#jobs.book.imports.get(id);
    const target = download ? 'results' : 'status';
    const fault = takeFault(job?.faults, target) ?? takeFault(this.#faults, target);
    if (fault && !('reset' in fault && download)) {
      record(this.#answerFault(res, fault, token));
      return;
    }
    if (!job) {
      return notFound(res, record, `The import job ${id} was not found.`);
    }
    if (!download) {
      record(200);
      send(res, 200, importStatus(id, job));
      return;
    }
    const document = job.scenario.results;
    if (importIsRunning(job) || document === undefined || job.scenario.status === 'CANCELLED') {
      return notFound(res, record, `No downloadable results for import job ${id}.`);
    }
    record(200);
    this.#serve(res, path, document, '', fault !== undefined);
  }

  #exportJob(res: ServerResponse, path: string, id: string, download: boolean, token: Grant, record: Recorder) {
    const job = this.#jobs.book.exports.get(id);
    const importJob = job?.importJobId === undefined ? undefined : this.#jobs.book.imports.get(job.importJobId);
    const fault = takeFault(importJob?.faults, 'backup') ?? takeFault(this.#faults, download ? 'export-download' : 'export-status');
    if (fault && !('reset' in fault && download)) {
      record(this.#answerFault(res, fault, token));
      return;
    }
    // A pre-import backup is not served while its import runs.
    if (!job || (importJob && importIsRunning(importJob))) {
      return notFound(res, record, `The export job ${id} was not found.`);
    }
    const document = job.outcome?.document;
    if (document === 'gone') {
      return notFound(res, record, `The export job ${id} has expired.`);
    }
    if (!download) {
      record(200);
      send(res, 200, exportStatus(job, true));
      return;
    }
    if (document === undefined) {
      return notFound(res, record, `The export job ${id} has no document to download (status ${job.outcome?.status ?? 'IN_PROGRESS'}).`);
    }
    record(200);
    this.#serve(res, path, document, id, fault !== undefined);
  }

  #serve(
    res: ServerResponse,
    path: string,
    document: NonNullable<JobScenario['results']>,
    exportJobId: string,
    resetMidBody: boolean,
  ): void {
    streamDocument(res, document, { tenant: this.#tenant, exportJobId, resetMidBody }, (bytes, sha256) =>
      this.served.set(path, { bytes, sha256 }),
    );
  }

  /** Answers a scripted fault; returns the status sent (0 when the connection is dropped). */
  #answerFault(res: ServerResponse, fault: Fault, token: Grant): number {
    if ('expireToken' in fault) {
      this.#tokens.expire(token);
      send(res, 401, { error: 'JWT validation failed: JWT is expired' });
      return 401;
    }
    if ('reset' in fault) {
      res.destroy();
      return 0;
    }
    if (fault.retryAfter !== undefined) res.setHeader('Retry-After', fault.retryAfter);
    if (fault.body !== undefined) sendRaw(res, fault.status, Buffer.from(fault.body));
    else if (fault.status === 429) send(res, 429, { message: ' Rate Limit Exceeded ' });
    else sendError(res, fault.status, fault.status === 403 ? FORBIDDEN_TEXT : 'An internal fault occurred.');
    return fault.status;
  }

  async #token(req: IncomingMessage, res: ServerResponse, url: URL, log: (status: number, clientId?: string) => void): Promise<void> {
    const answer = this.#tokens.issue(await tokenRequestFields(req, url));
    log(answer.status, answer.clientId);
    return send(res, answer.status, answer.body);
  }
}

function notFound(res: ServerResponse, record: Recorder, text: string): void {
  record(404);
  sendError(res, 404, text);
}
