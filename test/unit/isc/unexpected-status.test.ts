import got from 'got';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLog } from '../../../lambda/core/log.ts';
import { createIscClient } from '../../../lambda/isc/isc-client.ts';
import { startServer, type TestServer, tokenAnswer } from '../../support/test-servers.ts';

let api: TestServer | undefined;
afterEach(async () => {
  await api?.close();
});

const deadline = () => {
  const end = Date.now() + 20_000;
  return { endsAt: () => Date.now() + 60_000, remainingMs: () => end - Date.now(), sleep: async () => true };
};

async function clientAnswering(status: number, body = '') {
  api = await startServer((req, res) =>
    req.url === '/oauth/token'
      ? tokenAnswer(res)
      : res.writeHead(status, status === 206 ? { 'content-range': 'bytes 0-1/10' } : {}).end(body),
  );
  const url = api.url;
  return createIscClient({
    http: got,
    credentials: { get: async () => ({ baseUrl: url, tokenUrl: `${url}/oauth/token`, tenant: 'acme', clientId: 'i', clientSecret: 's' }) },
    log: silentLog,
    random: () => 0,
  });
}

describe('a success status other than 200 on a GET', () => {
  it.each([204, 206, 203])('%i on a download is IscUnexpectedHttpStatus, retried, and never handed on as the document', async (status) => {
    const client = await clientAnswering(status, status === 204 ? '' : '{"');
    let consumed = 0;
    const error = await client
      .download('/beta/sp-config/import/x/download', { phase: 'download', jobId: 'x', deadline: deadline() }, async () => {
        consumed++;
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'IscUnexpectedHttpStatus', retryable: true, httpStatus: status, phase: 'download', jobId: 'x' });
    expect(error).not.toBeInstanceOf(TypeError);
    expect(consumed).toBe(0);
    expect(api!.seen.filter((r) => r.url !== '/oauth/token')).toHaveLength(6);
  });

  it('206 on a status read is IscUnexpectedHttpStatus too', async () => {
    const client = await clientAnswering(206, '{"status":');
    await expect(client.getJson('/beta/sp-config/import/x', { phase: 'status', deadline: deadline() })).rejects.toMatchObject({
      code: 'IscUnexpectedHttpStatus',
      httpStatus: 206,
    });
  });
});
