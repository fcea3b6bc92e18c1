import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type S3Operation =
  | 'PutObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'GetObject'
  | 'DeleteObject'
  | 'ListMultipartUploads'
  | 'Other';

export type S3Fault =
  /** Answered by the proxy with S3's error document; S3 never sees the request. */
  | { readonly status: 500 | 503; readonly code?: string }
  /** The connection is cut once this many bytes of the request body arrived; S3 never sees the request. */
  | { readonly resetAfterBytes: number }
  /** Never answered (the body is read, then nothing): for deadlines. */
  | { readonly stall: true };

export interface FaultRule {
  readonly op: S3Operation;
  readonly fault: S3Fault;
  /** How many matching requests fail (default 1); the ones after pass. */
  readonly times?: number;
  /** Only this part of an UploadPart. */
  readonly partNumber?: number;
}

export interface SeenS3Request {
  readonly op: S3Operation;
  readonly partNumber: number | undefined;
  /** What the proxy did: 'forwarded', or the fault. */
  readonly outcome: string;
}

export interface S3FaultProxy {
  readonly url: string;
  readonly seen: SeenS3Request[];
  inject(rule: FaultRule): void;
  close(): Promise<void>;
}

/** Which S3 operation a path-style request is, from its method and query. */
export function s3Operation(method: string, url: URL): S3Operation {
  const q = url.searchParams;
  if (method === 'PUT') return q.has('partNumber') && q.has('uploadId') ? 'UploadPart' : 'PutObject';
  if (method === 'POST') return q.has('uploads') ? 'CreateMultipartUpload' : q.has('uploadId') ? 'CompleteMultipartUpload' : 'Other';
  if (method === 'DELETE') return q.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
  if (method === 'GET' && q.has('uploads')) return 'ListMultipartUploads';
  if (method === 'GET' || method === 'HEAD') return 'GetObject';
  return 'Other';
}

const MESSAGES: Record<string, string> = {
  SlowDown: 'Please reduce your request rate.',
  InternalError: 'We encountered an internal error. Please try again.',
};

/**
 * An HTTP proxy in front of a local S3 that fails chosen operations the way S3 and networks do:
 * 500 InternalError, 503 SlowDown, or a connection reset while the request body is arriving.
 * Everything else is forwarded byte for byte (signature and Host header included).
 */
export async function startS3FaultProxy(target: string): Promise<S3FaultProxy> {
  const upstream = new URL(target);
  const rules: { rule: FaultRule; left: number }[] = [];
  const seen: SeenS3Request[] = [];

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://s3');
    const op = s3Operation(req.method ?? 'GET', url);
    const partNumber = url.searchParams.has('partNumber') ? Number(url.searchParams.get('partNumber')) : undefined;
    const match = rules.find(
      ({ rule, left }) => left > 0 && rule.op === op && (rule.partNumber === undefined || rule.partNumber === partNumber),
    );
    if (!match) {
      seen.push({ op, partNumber, outcome: 'forwarded' });
      return forward(req, res);
    }
    match.left--;
    const fault = match.rule.fault;
    if ('stall' in fault) {
      seen.push({ op, partNumber, outcome: 'stalled' });
      req.resume();
      return;
    }
    if ('resetAfterBytes' in fault) {
      seen.push({ op, partNumber, outcome: `reset after ${fault.resetAfterBytes} bytes` });
      let received = 0;
      const cut = () => req.socket.destroy();
      if (fault.resetAfterBytes === 0) return cut();
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= fault.resetAfterBytes) cut();
      });
      req.on('end', cut);
      return;
    }
    const code = fault.code ?? (fault.status === 503 ? 'SlowDown' : 'InternalError');
    seen.push({ op, partNumber, outcome: `${fault.status} ${code}` });
    // Read the body first, as S3 does, so the client sees the answer rather than a broken pipe.
    req.resume();
    req.on('end', () => {
      const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${MESSAGES[code] ?? code}</Message><RequestId>fault</RequestId></Error>`;
      res.writeHead(fault.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    inject(rule) {
      rules.push({ rule, left: rule.times ?? 1 });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
