import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { exportDocumentStream } from './export-document.ts';
import { FixedWindowLimiter } from './rate-limiter.ts';
import { TokenService, type ApiClient } from './token-service.ts';
import { largeResultsStream } from './import-results.ts';

export type { ApiClient } from './token-service.ts';

/**
 * A local stand-in for the parts of SailPoint ISC the archiver uses, following the official spec
 * extract and isc-api.md, quirks included: FAILED imports with results, 429 with Retry-After,
 * tokens that expire, `detail` vs `details`. Scenarios are registered per job id, so one running
 * double serves every test and the demo.
 */

export type Document = string | Buffer | { readonly generateExport: number } | { readonly generateResults: number };

export type FaultTarget = 'status' | 'results' | 'backup';
export type Fault =
  | { readonly on: FaultTarget; readonly status: number; readonly retryAfter?: string; readonly body?: string }
  | { readonly on: FaultTarget; readonly reset: 'mid-body' }
  | { readonly on: FaultTarget; readonly expireToken: true };

export interface JobScenario {
  readonly status: 'COMPLETE' | 'FAILED' | 'CANCELLED';
  /** Status reads that answer IN_PROGRESS before the terminal status (default 0). */
  readonly runningPolls?: number;
  /** Or: time after registration during which the job is IN_PROGRESS. */
  readonly runningForMs?: number;
  readonly message?: string;
  /** Import results as served by .../download. */
  readonly results?: Document;
  /** The pre-import backup named by the results' exportJobId; 'gone' answers 404 (expired). */
  readonly backup?: { readonly exportJobId: string; readonly document: Document | 'gone' };
  /** Faults consumed in order, one per matching request. */
  readonly faults?: readonly Fault[];
}


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
}

export const DEMO_CLIENT: ApiClient = {
  clientId: 'demo-client-0b9c6e',
  clientSecret: 'demo-secret-f3a9d27c51e84b06a7d2',
  scopes: ['sp:config:manage', 'sp:config:read'],
};

const API = /^\/(?:(beta|v2024|v2025|v2026)\/sp-config|sp-config\/(v1))\/(import|export)\/([^/]+)(\/download)?$/;

interface JobState {
  readonly scenario: JobScenario;
  readonly registered: number;
  polls: number;
  readonly faults: Fault[];
}

export class IscDouble {
  readonly requests: RequestRecord[] = [];
  /** Bytes and SHA-256 of every body served in full, by path. */
  readonly served = new Map<string, { bytes: number; sha256: string }>();
  readonly #jobs = new Map<string, JobState>();
  readonly #exports = new Map<string, { document: Document | 'gone'; importJobId: string }>();
  readonly #tokens: TokenService;
  readonly #limiter: FixedWindowLimiter | undefined;
  readonly #sockets = new Set<Socket>();
  readonly #server: Server;
  readonly #options: Required<Omit<IscDoubleOptions, 'rateLimit'>> & { rateLimit: IscDoubleOptions['rateLimit'] };
  url = '';

  private constructor(options: IscDoubleOptions) {
    this.#options = {
      port: options.port ?? 0,
      host: options.host ?? '127.0.0.1',
      tenant: options.tenant ?? 'acme',
      clients: options.clients ?? [DEMO_CLIENT],
      tokenTtlSeconds: options.tokenTtlSeconds ?? 749,
      rateLimit: options.rateLimit === undefined ? { limit: 100, windowMs: 10_000 } : options.rateLimit,
    };
    this.#tokens = new TokenService({ clients: this.#options.clients, ttlSeconds: this.#options.tokenTtlSeconds, tenant: this.#options.tenant });
    const limit = this.#options.rateLimit;
    this.#limiter = limit ? new FixedWindowLimiter(limit.limit, limit.windowMs) : undefined;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) this.#error(res, 500, `Internal fault: ${(error as Error).message}`);
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
    return this.#options.tenant;
  }

  static async start(options: IscDoubleOptions = {}): Promise<IscDouble> {
    const double = new IscDouble(options);
    await new Promise<void>((resolve, reject) => {
      double.#server.once('error', reject);
      double.#server.listen(double.#options.port, double.#options.host, () => resolve());
    });
    const { port } = double.#server.address() as AddressInfo;
    double.url = `http://${double.#options.host}:${port}`;
    return double;
  }

  addJob(jobId: string, scenario: JobScenario): void {
    this.#jobs.set(jobId, { scenario, registered: Date.now(), polls: 0, faults: [...(scenario.faults ?? [])] });
    if (scenario.backup) this.#exports.set(scenario.backup.exportJobId, { document: scenario.backup.document, importJobId: jobId });
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
    const url = new URL(req.url ?? '/', 'http://double');
    const record = (status: number, clientId?: string) =>
      this.requests.push({ method: req.method ?? 'GET', path: url.pathname, status, clientId, userAgent: req.headers['user-agent'], at: Date.now() });
    if (url.pathname === '/oauth/token' && req.method === 'POST') return this.#token(req, res, url, record);

    const match = API.exec(url.pathname);
    if (!match || req.method !== 'GET') {
      record(404);
      return this.#error(res, 404, `No such resource: ${req.method} ${url.pathname}`);
    }
    const version = match[1] ?? match[2]!;
    const [kind, id, download] = [match[3] as 'import' | 'export', decodeURIComponent(match[4]!), match[5] !== undefined];

    const { grant: token, expired } = this.#tokens.check(req.headers.authorization);
    if (!token || expired) {
      record(401);
      return this.#send(res, 401, { error: token ? 'JWT validation failed: JWT is expired' : 'JWT validation failed: JWT is missing or malformed' });
    }
    const limited = this.#limiter?.take(`${token.clientId}:${version}`);
    if (limited !== undefined) {
      record(429, token.clientId);
      res.setHeader('Retry-After', String(limited));
      return this.#send(res, 429, { message: ' Rate Limit Exceeded ' });
    }
    const needed = kind === 'import' ? ['sp:config:manage'] : ['sp:config:manage', 'sp:config:read'];
    if (!needed.some((scope) => token.scopes.includes(scope))) {
      record(403, token.clientId);
      return this.#error(res, 403, 'The server understood the request but refuses to authorize it.', '403 Forbidden');
    }

    const jobId = kind === 'import' ? id : this.#exports.get(id)?.importJobId;
    const job = jobId ? this.#jobs.get(jobId) : undefined;
    const target: FaultTarget = kind === 'export' ? 'backup' : download ? 'results' : 'status';
    const fault = job ? takeFault(job, target) : undefined;
    if (fault && 'expireToken' in fault) {
      this.#tokens.expire(token);
      record(401, token.clientId);
      return this.#send(res, 401, { error: 'JWT validation failed: JWT is expired' });
    }
    if (fault && 'status' in fault) {
      record(fault.status, token.clientId);
      if (fault.retryAfter !== undefined) res.setHeader('Retry-After', fault.retryAfter);
      if (fault.body !== undefined) return this.#sendRaw(res, fault.status, Buffer.from(fault.body));
      if (fault.status === 429) return this.#send(res, 429, { message: ' Rate Limit Exceeded ' });
      return this.#error(res, fault.status, fault.status === 403 ? 'The server understood the request but refuses to authorize it.' : 'An internal fault occurred.');
    }
    if (!job) {
      record(404, token.clientId);
      return this.#error(res, 404, `The ${kind} job ${id} was not found.`, '404 Not found');
    }

    if (kind === 'import' && !download) {
      record(200, token.clientId);
      return this.#send(res, 200, this.#status(jobId!, job));
    }
    const running = this.#isRunning(job);
    const document = kind === 'import' ? job.scenario.results : this.#exports.get(id)?.document;
    if (running || document === undefined || document === 'gone' || (kind === 'import' && job.scenario.status === 'CANCELLED')) {
      record(404, token.clientId);
      return this.#error(res, 404, document === 'gone' ? `The export job ${id} has expired.` : `No downloadable results for ${kind} job ${id}.`, '404 Not found');
    }
    if (kind === 'export' && !download) {
      record(200, token.clientId);
      return this.#send(res, 200, { jobId: id, status: 'COMPLETE', type: 'EXPORT', message: null, description: 'Pre-import backup', created: iso(job.registered), modified: iso(job.registered), completed: iso(job.registered) });
    }
    record(200, token.clientId);
    return this.#stream(res, url.pathname, document, fault !== undefined && 'reset' in fault);
  }

  async #token(req: IncomingMessage, res: ServerResponse, url: URL, record: (status: number, clientId?: string) => void): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    // ISC accepts a url-encoded form, a multipart form or query parameters.
    const fields = new Map<string, string>(url.searchParams);
    const type = req.headers['content-type'] ?? '';
    if (body.length && (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data'))) {
      const form = await new Request('http://double/oauth/token', { method: 'POST', headers: { 'content-type': type }, body }).formData();
      for (const [key, value] of form) if (typeof value === 'string') fields.set(key, value);
    }
    const answer = this.#tokens.issue(fields);
    record(answer.status, answer.clientId);
    return this.#send(res, answer.status, answer.body);
  }

  #isRunning(job: JobState): boolean {
    const s = job.scenario;
    if (s.runningForMs !== undefined) return Date.now() - job.registered < s.runningForMs;
    return job.polls < (s.runningPolls ?? 0);
  }

  #status(jobId: string, job: JobState) {
    const running = this.#isRunning(job);
    job.polls++;
    const created = iso(job.registered);
    const status = running ? (job.polls === 1 ? 'NOT_STARTED' : 'IN_PROGRESS') : job.scenario.status;
    const message =
      running ? undefined
      : job.scenario.message ??
        (status === 'FAILED' ? 'Import halted because of errors. Download results for error details.'
        : status === 'CANCELLED' ? 'Import was cancelled.'
        : 'Download import results for details.');
    // `expiration` became optional in 2026; leave it out on some jobs so clients cannot rely on it.
    return {
      jobId,
      status,
      type: 'IMPORT',
      ...(message === undefined ? {} : { message }),
      description: null,
      ...(jobId.endsWith('0') ? {} : { expiration: iso(job.registered + 7 * 86_400_000) }),
      created,
      modified: iso(Date.now()),
      ...(running ? {} : { completed: iso(Math.max(job.registered, Date.now() - 1000)) }),
    };
  }

  #stream(res: ServerResponse, path: string, document: Document, resetMidBody: boolean): void {
    const hash = createHash('sha256');
    let bytes = 0;
    const source =
      typeof document !== 'object' || Buffer.isBuffer(document) ? undefined
      : 'generateExport' in document ? exportDocumentStream({ bytes: document.generateExport, tenant: this.#options.tenant, exportJobId: /\/export\/([^/]+)\//.exec(path)?.[1] ?? '' })
      : largeResultsStream(document.generateResults);
    const fixed = source ? undefined : Buffer.isBuffer(document) ? document : Buffer.from(document as string);
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/json');
    if (fixed) res.setHeader('Content-Length', fixed.length);
    if (resetMidBody) {
      const body = fixed ?? Buffer.from('{"results":{"SOURCE":{"infos":[');
      res.flushHeaders();
      res.write(body.subarray(0, Math.max(1, Math.floor(body.length / 2))), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    const input = source ?? Readable.from([fixed!]);
    input.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
      if (!res.write(chunk)) input.pause();
    });
    res.on('drain', () => input.resume());
    input.on('end', () => {
      res.end();
      this.served.set(path, { bytes, sha256: hash.digest('hex') });
    });
    res.on('close', () => input.destroy());
  }

  #send(res: ServerResponse, status: number, body: unknown): void {
    this.#sendRaw(res, status, Buffer.from(JSON.stringify(body)));
  }

  #sendRaw(res: ServerResponse, status: number, body: Buffer): void {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    res.end(body);
  }

  #error(res: ServerResponse, status: number, text: string, detailCode?: string): void {
    this.#send(res, status, {
      detailCode: detailCode ?? `${status} ${status >= 500 ? 'Internal Fault' : 'Error'}`,
      trackingId: randomBytes(16).toString('hex'),
      messages: [{ locale: 'en-US', localeOrigin: 'DEFAULT', text }],
      causes: [],
    });
  }
}

function takeFault(job: JobState, target: FaultTarget): Fault | undefined {
  const index = job.faults.findIndex((f) => f.on === target);
  return index === -1 ? undefined : job.faults.splice(index, 1)[0];
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
