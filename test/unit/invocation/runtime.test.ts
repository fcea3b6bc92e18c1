import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { ARCHIVER } from '../../../lambda/contract/version.ts';
import { createRuntime } from '../../../lambda/invocation/runtime.ts';
import { virtualDeadline } from '../../support/archive-fakes.ts';

// The runtime a container builds once: its configuration, where credentials come from, and
// clients that exist only once they are needed, then are reused.

const env = {
  ARCHIVE_BUCKET: 'archive-bucket',
  SAIL_BASE_URL: 'https://acme.api.identitynow.com',
  SAIL_CLIENT_ID: 'id',
  SAIL_CLIENT_SECRET: 'secret',
  AWS_REGION: 'us-east-1',
};

describe('createRuntime', () => {
  it('reads the configuration and archives to the configured bucket', () => {
    const rt = createRuntime({ ...env, ARCHIVE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/0/q', MAX_WAIT_MINUTES: '45' });
    expect(rt.config).toMatchObject({ bucket: 'archive-bucket', queueUrl: 'https://sqs.us-east-1.amazonaws.com/0/q', maxWaitMinutes: 45 });
    expect(rt.store.bucket).toBe('archive-bucket');
    expect(rt.isc.requestCount()).toBe(0);
  });

  it('takes the ISC credentials from the SAIL_* variables when no secret is named', async () => {
    const credentials = await createRuntime(env).credentials.get();
    expect(credentials).toMatchObject({
      baseUrl: 'https://acme.api.identitynow.com',
      clientId: 'id',
      clientSecret: 'secret',
      tenant: 'acme',
    });
  });

  it('reads the named secret instead of the environment when there is one', async () => {
    const rt = createRuntime({ ...env, ISC_SECRET_ID: 'isc/credentials' });
    // No Secrets Manager is reachable from a unit test: the failure shows the secret, not the
    // SAIL_* variables (which would have answered), is the source.
    await expect(rt.credentials.get()).rejects.toMatchObject({ phase: 'secret' });
  });

  it('creates each AWS client on first use and reuses it', () => {
    const rt = createRuntime(env);
    expect(rt.lambda()).toBeInstanceOf(LambdaClient);
    expect(rt.lambda()).toBe(rt.lambda());
    expect(rt.events()).toBeInstanceOf(EventBridgeClient);
    expect(rt.events()).toBe(rt.events());
    expect(rt.sqs()).toBeInstanceOf(SQSClient);
    expect(rt.sqs()).toBe(rt.sqs());
    expect(createRuntime(env).sqs()).not.toBe(rt.sqs());
  });

  it('refuses a configuration that names no bucket', () => {
    expect(() => createRuntime({ ...env, ARCHIVE_BUCKET: '' })).toThrow(/ARCHIVE_BUCKET is not set/);
  });

  it('introduces itself to ISC by name, version and Node version, and leaves retrying to the ISC client', async () => {
    const seen: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
    const server = createServer((req, res) => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers });
      res.setHeader('content-type', 'application/json');
      if (req.url === '/oauth/token') res.end(JSON.stringify({ access_token: 'tok', expires_in: 600 }));
      else res.end(JSON.stringify({ id: 'x' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const rt = createRuntime({ ...env, SAIL_BASE_URL: base });
      const answer = await rt.isc.getJson('/v2025/sp-config/import/x', {
        phase: 'status',
        jobId: 'x',
        deadline: virtualDeadline().deadline,
      });
      expect(answer).toEqual({ id: 'x' });
      expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /oauth/token', 'GET /v2025/sp-config/import/x']);
      for (const request of seen) {
        expect(request.headers['user-agent']).toBe(`${ARCHIVER.name}/${ARCHIVER.version} (+aws-lambda; node ${process.versions.node})`);
      }
      expect(rt.isc.requestCount()).toBe(2);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
