import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PutEvent {
  readonly EventBusName?: string;
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
}

/**
 * EventBridge's PutEvents, over HTTP as the real client speaks it (selected with
 * AWS_ENDPOINT_URL_EVENTBRIDGE), keeping what the function published.
 */
export class EventBridgeEndpoint {
  readonly events: PutEvent[] = [];
  readonly #server: Server;
  url = '';

  private constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const reply = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(body));
        };
        if (req.headers['x-amz-target'] !== 'AWSEvents.PutEvents') return reply(400, { __type: 'UnknownOperationException' });
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: PutEvent[] };
        const entries = input.Entries ?? [];
        this.events.push(...entries);
        reply(200, { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: crypto.randomUUID() })) });
      });
    });
  }

  static async start(): Promise<EventBridgeEndpoint> {
    const endpoint = new EventBridgeEndpoint();
    await new Promise<void>((resolve, reject) => {
      endpoint.#server.once('error', reject);
      endpoint.#server.listen(0, '127.0.0.1', () => resolve());
    });
    endpoint.url = `http://127.0.0.1:${(endpoint.#server.address() as AddressInfo).port}`;
    return endpoint;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
