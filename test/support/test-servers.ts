import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  /** The body's bytes as far as they arrived. */
  readonly body: Buffer;
  /** How many bytes of the body arrived so far. */
  readonly received: number;
  /** True once the whole body arrived; false when the client cut the request off. */
  complete: boolean;
}

export interface TestServer {
  /** The origin, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => unknown;

/**
 * A throwaway certificate for 127.0.0.1 and localhost, made with the system's openssl: a test that
 * trusts it (got's `https.certificateAuthority`) talks real TLS to a local server.
 */
export function selfSignedCertificate(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-days',
        '1',
      ],
      { stdio: 'ignore' },
    );
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * An HTTP (or, with `tls`, HTTPS) server on 127.0.0.1, port 0, that records every request and
 * whether its body arrived whole. The handler runs once the body is in, unless `early` is set
 * (then it runs at once, for tests of what a client does while still sending).
 */
export async function startServer(
  handler: Handler,
  options: { tls?: { cert: string; key: string }; early?: boolean } = {},
): Promise<TestServer> {
  const seen: SeenRequest[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const record: SeenRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      complete: false,
      get body() {
        return Buffer.concat(chunks);
      },
      get received() {
        return received;
      },
    };
    seen.push(record);
    req.on('data', (c: Buffer) => {
      chunks.push(c);
      received += c.length;
    });
    req.on('error', () => {});
    if (options.early) void handler(req, res, record);
    req.on('end', () => {
      record.complete = true;
      if (!options.early) void handler(req, res, record);
    });
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, listener) : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers a token request as ISC does. */
export function tokenAnswer(res: ServerResponse, token = 'token-1'): void {
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ access_token: token, token_type: 'bearer', expires_in: 749 }));
}
