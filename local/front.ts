import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchRoute, ROUTES } from '../lambda/contract/constants.ts';
import { type ApiResponse, errorResponse } from '../lambda/invocation/api-response.ts';
import { type Handler, lambdaContext } from './handler-host.ts';

export interface FrontOptions {
  readonly port: number;
  readonly handler: Handler;
  readonly functionName: string;
  /** Lists archived jobs from the manifests (GET /imports). */
  readonly listArchives: () => Promise<unknown[]>;
  /** The events the function published (GET /events). */
  readonly publishedEvents: () => unknown[];
}

export interface Front {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A local stand-in for API Gateway and EventBridge: turns HTTP requests into the events AWS
 * delivers and runs them through the real handler, so local behaviour is the deployed behaviour.
 */
export async function startFront(options: FrontOptions): Promise<Front> {
  const server: Server = createServer((req, res) => {
    route(req, res, options).catch((error: unknown) => {
      answer(res, errorResponse(500, `The local front failed: ${(error as Error).message}`, trackingId()));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function route(req: IncomingMessage, res: ServerResponse, options: FrontOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://front');
  const method = req.method ?? 'GET';
  if (url.pathname === '/' && method === 'GET') {
    const routes = Object.values(ROUTES).map((r) => `${r.method} /imports/{jobId}${r.path}`);
    return send(res, 200, { routes: ['GET /imports', ...routes, 'POST /events', 'GET /events'] });
  }
  if (url.pathname === '/imports' && method === 'GET') return send(res, 200, { imports: await options.listArchives() });
  if (url.pathname === '/events' && method === 'GET') return send(res, 200, { published: options.publishedEvents() });
  if (url.pathname === '/events' && method === 'POST') {
    let event: unknown;
    try {
      event = JSON.parse((await body(req)).toString('utf8'));
    } catch {
      return answer(res, errorResponse(400, 'The body is not JSON: send an EventBridge event with detail.jobId.', trackingId()));
    }
    try {
      return send(res, 200, await options.handler(event, lambdaContext(options.functionName)));
    } catch (error) {
      // What Lambda reports for a failed invocation; EventBridge would retry it.
      const failure = error as { name?: string; message?: string; httpStatus?: number };
      return send(res, failure.name?.startsWith('Permanent.') ? 400 : 502, { errorType: failure.name, errorMessage: failure.message });
    }
  }
  // The same routes API Gateway has, from the one table the function reads too.
  const match = matchRoute(method, url.pathname);
  if (!match) return answer(res, errorResponse(404, `No route for ${method} ${url.pathname}.`, trackingId()));
  const requestBody = (await body(req)).toString('utf8');
  const resource = `/imports/{jobId}${ROUTES[match.route].path}`;
  const event = {
    resource,
    path: url.pathname,
    httpMethod: method,
    headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
    queryStringParameters: url.searchParams.size ? Object.fromEntries(url.searchParams) : null,
    pathParameters: { jobId: safeDecode(match.jobIdSegment) },
    requestContext: {
      requestId: randomUUID(),
      stage: 'local',
      httpMethod: method,
      resourcePath: resource,
      identity: { sourceIp: req.socket.remoteAddress },
    },
    body: requestBody === '' ? null : requestBody,
    isBase64Encoded: false,
  };
  answer(res, (await options.handler(event, lambdaContext(options.functionName))) as ApiResponse);
}

/** Writes an API Gateway proxy response as API Gateway would. */
function answer(res: ServerResponse, response: Pick<ApiResponse, 'statusCode' | 'headers' | 'body'>): void {
  res.writeHead(response.statusCode, response.headers);
  res.end(response.body);
}

function trackingId(): string {
  return randomUUID().replace(/-/g, '');
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1024 * 1024) throw new Error('request body over 1 MiB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value, null, 2);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(`${text}\n`);
}
