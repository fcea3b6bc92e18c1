import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The one Secrets Manager call the function makes (GetSecretValue), over HTTP as the real client
 * speaks it, selected with AWS_ENDPOINT_URL_SECRETS_MANAGER. No emulator installs on these machines.
 */
export class SecretsManagerDouble {
  readonly #secrets = new Map<string, string>();
  readonly #server: Server;
  /** GetSecretValue calls received, by secret id. */
  readonly reads: string[] = [];
  url = '';

  private constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const target = req.headers['x-amz-target'];
        const reply = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(body));
        };
        if (target !== 'secretsmanager.GetSecretValue') return reply(400, { __type: 'UnknownOperationException', message: `Unsupported: ${String(target)}` });
        let input: { SecretId?: string };
        try {
          input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId?: string };
        } catch {
          return reply(400, { __type: 'SerializationException', message: 'Body is not JSON.' });
        }
        const id = input.SecretId ?? '';
        this.reads.push(id);
        const value = this.#secrets.get(id);
        if (value === undefined) return reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
        reply(200, { ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${id}`, Name: id, SecretString: value, VersionId: 'v1', VersionStages: ['AWSCURRENT'], CreatedDate: Date.now() / 1000 });
      });
    });
  }

  static async start(port = 0): Promise<SecretsManagerDouble> {
    const double = new SecretsManagerDouble();
    await new Promise<void>((resolve, reject) => {
      double.#server.once('error', reject);
      double.#server.listen(port, '127.0.0.1', () => resolve());
    });
    double.url = `http://127.0.0.1:${(double.#server.address() as AddressInfo).port}`;
    return double;
  }

  setSecret(id: string, value: string): void {
    this.#secrets.set(id, value);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
