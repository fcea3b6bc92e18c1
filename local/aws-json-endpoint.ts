import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AwsJsonAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface AwsJsonEndpoint {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * One operation of an AWS JSON 1.1 service (Secrets Manager, EventBridge) on 127.0.0.1, as the
 * real SDK client speaks it: POST with `X-Amz-Target`, a JSON body in and out. The SDK is pointed
 * at it with that service's AWS_ENDPOINT_URL_* variable.
 */
export async function startAwsJsonEndpoint(
  target: string,
  answer: (input: Record<string, unknown>) => AwsJsonAnswer,
): Promise<AwsJsonEndpoint> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = ({ status, body }: AwsJsonAnswer) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      if (req.headers['x-amz-target'] !== target) {
        return reply({
          status: 400,
          body: { __type: 'UnknownOperationException', message: `Unsupported: ${String(req.headers['x-amz-target'])}` },
        });
      }
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        return reply({ status: 400, body: { __type: 'SerializationException', message: 'Body is not JSON.' } });
      }
      reply(answer(input));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
