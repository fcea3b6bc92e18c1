import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AsyncInvocation {
  readonly functionName: string;
  readonly payload: unknown;
}

/**
 * Lambda's Invoke API for `InvocationType: Event`, selected with AWS_ENDPOINT_URL_LAMBDA: answers
 * 202 at once and hands the payload on, as Lambda queues an asynchronous invocation.
 */
export class LambdaInvokeEndpoint {
  readonly invocations: AsyncInvocation[] = [];
  readonly #server: Server;
  url = '';

  private constructor(onInvoke: (invocation: AsyncInvocation) => void) {
    this.#server = createServer((req, res) => {
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url?.split('?')[0] ?? '');
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (!match || req.method !== 'POST' || req.headers['x-amz-invocation-type'] !== 'Event') {
          res.writeHead(400, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ Type: 'User', message: 'Only asynchronous (Event) invocations are served here.' }));
        }
        const invocation = {
          functionName: decodeURIComponent(match[1]!),
          payload: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as unknown,
        };
        this.invocations.push(invocation);
        res.writeHead(202, { 'x-amzn-requestid': crypto.randomUUID() });
        res.end();
        setImmediate(() => onInvoke(invocation));
      });
    });
  }

  static async start(onInvoke: (invocation: AsyncInvocation) => void = () => {}, port = 0): Promise<LambdaInvokeEndpoint> {
    const endpoint = new LambdaInvokeEndpoint(onInvoke);
    await new Promise<void>((resolve, reject) => {
      endpoint.#server.once('error', reject);
      endpoint.#server.listen(port, '127.0.0.1', () => resolve());
    });
    endpoint.url = `http://127.0.0.1:${(endpoint.#server.address() as AddressInfo).port}`;
    return endpoint;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
