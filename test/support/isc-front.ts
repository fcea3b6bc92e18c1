import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * An HTTP front between the function and the ISC double that misbehaves on purpose, where the
 * double itself cannot: it holds a download mid-body (so a container can be killed mid-archive),
 * ends a body early without a Content-Length (a connection-close body cut short, which only a
 * check of the document can catch), or serves other bytes for a path (so two deliveries archive
 * different bytes and a mix of theirs would show). Everything else passes through unchanged.
 */
export class IscFront {
  url = '';
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #once: Rule[] = [];
  readonly #always: { fragment: string; rewrite: (body: Buffer) => Buffer }[] = [];

  private constructor(target: URL) {
    this.#server = createServer((req, res) => this.#forward(target, req, res));
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  static async start(target: string): Promise<IscFront> {
    const front = new IscFront(new URL(target));
    await new Promise<void>((resolve) => front.#server.listen(0, '127.0.0.1', () => resolve()));
    front.url = `http://127.0.0.1:${(front.#server.address() as AddressInfo).port}`;
    return front;
  }

  /**
   * The next 200 answer on a path containing `fragment` sends its headers and `afterBytes` bytes,
   * then holds until released (or until the client goes away). `reached` settles once it holds.
   */
  stall(fragment: string, afterBytes = 16): { reached: Promise<void>; release(): void } {
    let reached!: () => void;
    let release!: () => void;
    const rule: Rule = {
      fragment,
      kind: 'stall',
      afterBytes,
      reached: new Promise((r) => (reached = r)),
      released: new Promise((r) => (release = r)),
    };
    rule.onReach = reached;
    this.#once.push(rule);
    return { reached: rule.reached!, release };
  }

  /** The next 200 answer on a path containing `fragment` is close-delimited and ends after half its body. */
  cutShort(fragment: string): void {
    this.#once.push({ fragment, kind: 'cut' });
  }

  /** Every 200 answer on a path containing `fragment` carries `rewrite(body)` instead of the double's body. */
  rewrite(fragment: string, rewrite: (body: Buffer) => Buffer): void {
    this.#always.push({ fragment, rewrite });
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #forward(target: URL, req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/';
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path, headers: { ...req.headers, host: target.host } },
      (answer) => {
        const status = answer.statusCode ?? 502;
        const index = status === 200 ? this.#once.findIndex((r) => path.includes(r.fragment)) : -1;
        const rule = index === -1 ? undefined : this.#once.splice(index, 1)[0];
        const rewrite = status === 200 ? this.#always.find((r) => path.includes(r.fragment)) : undefined;
        if (!rule && !rewrite) {
          res.writeHead(status, answer.headers);
          answer.pipe(res);
          return;
        }
        void readAll(answer).then((original) => {
          const body = rewrite ? rewrite.rewrite(original) : original;
          const headers = { ...answer.headers, 'content-length': String(body.length) };
          if (!rule) {
            res.writeHead(status, headers);
            res.end(body);
          } else if (rule.kind === 'cut') {
            // Written on the socket itself: no Content-Length, no chunking, the end of the connection ends the body.
            const head = `HTTP/1.1 200 OK\r\nContent-Type: ${answer.headers['content-type'] ?? 'application/json'}\r\nConnection: close\r\n\r\n`;
            res.socket?.end(Buffer.concat([Buffer.from(head), body.subarray(0, Math.floor(body.length / 2))]));
          } else {
            res.writeHead(status, headers);
            res.write(body.subarray(0, rule.afterBytes));
            rule.onReach?.();
            res.on('close', () => upstream.destroy());
            void rule.released!.then(() => res.end(body.subarray(rule.afterBytes)));
          }
        });
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
}

interface Rule {
  readonly fragment: string;
  readonly kind: 'stall' | 'cut';
  readonly afterBytes?: number;
  readonly reached?: Promise<void>;
  readonly released?: Promise<void>;
  onReach?: () => void;
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
