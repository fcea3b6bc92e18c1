import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A front on 127.0.0.1 that holds every request for a fixed time, then forwards it to `target` as it
 * came (method, path, headers: a SigV4 signature stays valid) and streams both bodies through. On
 * loopback a request costs well under a millisecond, so a benchmark there rewards saving CPU and
 * hides what users pay for: round trips. With this in front of ISC and S3, each request costs about
 * what it does from a Lambda to a tenant and to S3.
 *
 * A request that asks `Expect: 100-continue` gets its `100 Continue` after the delay, so its body
 * leaves the client one round trip later, as with a real server.
 */
export interface LatencyProxy {
  readonly url: string;
  /** Every request received, in order: when it arrived and, once answered, when its answer ended (Date.now()). */
  readonly requests: readonly ProxiedRequest[];
  close(): Promise<void>;
}

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly at: number;
  ended?: number;
}

export async function startLatencyProxy(options: { readonly target: string; readonly delayMs: number }): Promise<LatencyProxy> {
  const upstream = new URL(options.target);
  // Connections to the target are reused, as the clients reuse theirs to the proxy.
  const agent = new Agent({ keepAlive: true });
  const requests: ProxiedRequest[] = [];

  const relay = (req: IncomingMessage, res: ServerResponse, expectsContinue: boolean) => {
    const record: ProxiedRequest = { method: req.method ?? 'GET', path: new URL(req.url ?? '/', 'http://proxy').pathname, at: Date.now() };
    requests.push(record);
    res.on('finish', () => (record.ended = Date.now()));
    setTimeout(() => {
      if (expectsContinue) res.writeContinue();
      // The proxy answered the Expect itself; the header is not part of a SigV4 signature.
      const { expect: _answered, ...headers } = req.headers;
      const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      });
      out.on('error', () => res.destroy());
      req.pipe(out);
      // A client that gives up mid-body must not leave the target waiting for the rest.
      res.on('close', () => {
        if (!res.writableFinished) out.destroy();
      });
    }, options.delayMs);
  };

  const server = createServer((req, res) => relay(req, res, false));
  server.on('checkContinue', (req, res) => relay(req, res, true));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    async close() {
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
