import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRuntime } from '../../../lambda/invocation/runtime.ts';
import { SecretsManagerDouble } from '../../../local/secrets-manager-double.ts';
import { virtualDeadline } from '../../support/archive-fakes.ts';
import { localS3Env, restoreProcessEnv } from '../../support/invocation-runtime.ts';
import { startLocalS3Store } from '../../support/local-s3-store.ts';
import { selfSignedCertificate, tokenAnswer } from '../../support/test-servers.ts';

// What the clients the runtime builds do on the wire: how they talk to ISC (kept-alive
// connections, HTTP/1.1), how S3 and Secrets Manager are reached
// and how long a stalled request may hold an invocation. The AWS SDK reads its endpoints, region
// and keys from process.env, as it does in Lambda.

const env = {
  ARCHIVE_BUCKET: 'archive-bucket',
  SAIL_BASE_URL: 'https://acme.api.identitynow.com',
  SAIL_CLIENT_ID: 'id',
  SAIL_CLIENT_SECRET: 'secret',
};
const JOB_PATH = '/v2025/sp-config/import/x';

afterEach(() => {
  vi.restoreAllMocks();
  restoreProcessEnv();
});

type Answer = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => void;

/** A local ISC that counts the connections it accepted and notes each request's HTTP version. */
async function countingIsc(answer: Answer, tls?: { cert: string; key: string }) {
  const seen: string[] = [];
  let connections = 0;
  const listener: Answer = (req, res) => {
    seen.push(`${req.method} ${req.url} HTTP/${req.httpVersion}`);
    if (req.url === '/oauth/token') return tokenAnswer(res as ServerResponse);
    answer(req, res);
  };
  const server: Server | ReturnType<typeof createSecureServer> = tls
    ? createSecureServer({ ...tls, allowHTTP1: true }, listener)
    : createServer(listener);
  server.on(tls ? 'secureConnection' : 'connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    connections: () => connections,
    async close() {
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const json = (res: ServerResponse | Http2ServerResponse, body: unknown) =>
  (res as ServerResponse).writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));

/** Two calls through a runtime's ISC client: one token, two GETs, all HTTP/1.1 on one connection. */
async function expectOneKeptAliveConnection(isc: Awaited<ReturnType<typeof countingIsc>>) {
  const rt = createRuntime({ ...env, SAIL_BASE_URL: isc.url });
  const { deadline } = virtualDeadline();
  await rt.isc.getJson(JOB_PATH, { phase: 'status', jobId: 'x', deadline });
  await rt.isc.getJson(JOB_PATH, { phase: 'status', jobId: 'x', deadline });
  expect(isc.seen).toEqual([`POST /oauth/token HTTP/1.1`, `GET ${JOB_PATH} HTTP/1.1`, `GET ${JOB_PATH} HTTP/1.1`]);
  expect(isc.connections()).toBe(1);
}

describe('the ISC connection', () => {
  it('reuses one kept-alive connection for the token and the calls after it', async () => {
    const isc = await countingIsc((_req, res) => json(res, { id: 'x' }));
    try {
      await expectOneKeptAliveConnection(isc);
    } finally {
      await isc.close();
    }
  });

  it('speaks HTTP/1.1 over one kept-alive TLS connection, even to a server offering HTTP/2', async () => {
    const certificate = selfSignedCertificate();
    const isc = await countingIsc((_req, res) => json(res, { id: 'x' }), certificate);
    // Trusted the way an installed CA is: the runtime's client takes no certificate option.
    const trusted = getCACertificates('default');
    setDefaultCACertificates([...trusted, certificate.cert]);
    try {
      await expectOneKeptAliveConnection(isc);
    } finally {
      setDefaultCACertificates(trusted);
      await isc.close();
    }
  });
});

/** Records each client of the class that sends a command: the runtime keeps its clients to itself. */
function sendingClients<C extends object>(prototype: C): C[] {
  const clients: C[] = [];
  const target = prototype as unknown as { send: (...args: unknown[]) => unknown };
  const send = target.send;
  vi.spyOn(target, 'send').mockImplementation(function (this: C, ...args: unknown[]) {
    clients.push(this);
    return send.apply(this, args);
  });
  return clients;
}

const handlerConfig = (client: { config: { requestHandler: unknown } }) =>
  (client.config.requestHandler as { httpHandlerConfigs(): Record<string, unknown> }).httpHandlerConfigs();

describe('the S3 client', () => {
  it('addresses an overridden endpoint path-style, and bounds each request', async () => {
    const s3 = await startLocalS3Store();
    try {
      // "localhost" is a name: without path-style addressing the SDK would ask for archive-unit.localhost.
      const endpoint = s3.url.replace('127.0.0.1', 'localhost');
      Object.assign(process.env, localS3Env(s3, endpoint));
      const clients = sendingClients(S3Client.prototype);
      await s3.write('manifest.json', '{"hello":1}');
      const rt = createRuntime({ ...env, ARCHIVE_BUCKET: s3.bucket, AWS_ENDPOINT_URL_S3: endpoint });
      const stored = await rt.store.get('manifest.json');
      expect(stored?.body.toString()).toBe('{"hello":1}');
      const client = clients.at(-1)!;
      expect(client).not.toBe(s3.s3);
      expect(await client.config.maxAttempts()).toBe(5);
      expect(handlerConfig(client)).toMatchObject({
        connectionTimeout: 3_000,
        requestTimeout: 60_000,
        socketTimeout: 30_000,
        throwOnRequestTimeout: true,
      });
    } finally {
      await s3.close();
    }
  });
});

describe('the Secrets Manager client', () => {
  it('reads the named secret through a client that gives up on a stalled read within seconds', async () => {
    const secrets = await SecretsManagerDouble.start();
    try {
      secrets.setSecret(
        'isc/credentials',
        JSON.stringify({ baseUrl: 'https://acme.api.identitynow.com', tenant: 'acme', clientId: 'from-secret', clientSecret: 's' }),
      );
      Object.assign(process.env, {
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'key',
        AWS_SECRET_ACCESS_KEY: 'secret',
      });
      const clients = sendingClients(SecretsManagerClient.prototype);
      const rt = createRuntime({ ...env, ISC_SECRET_ID: 'isc/credentials' });
      await expect(rt.credentials.get()).resolves.toMatchObject({ clientId: 'from-secret', tenant: 'acme' });
      expect(secrets.reads).toEqual(['isc/credentials']);
      expect(handlerConfig(clients[0]!)).toMatchObject({
        connectionTimeout: 3_000,
        requestTimeout: 5_000,
        throwOnRequestTimeout: true,
      });
    } finally {
      await secrets.close();
    }
  });
});
