import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { startConditionalProxy } from '../../local/conditional-s3-proxy.ts';
import type { LocalS3 } from '../../local/s3-server.ts';

/**
 * The local S3 of local/s3-server.ts (s3rver behind the conditional-write proxy) with one more
 * front, between the proxy and s3rver, that lets one request per key through at a time, reads
 * included. s3rver rewrites an object's file in place, so a GET racing a PUT of the same key can
 * announce one length and never send it: the GET then hangs (see conditional-s3-proxy.test.ts).
 * Real S3 never serves a torn object. Once local/conditional-s3-proxy.ts serialises reads too,
 * this front can go and the tests use startLocalS3 itself.
 */
export async function startSerialLocalS3(options: { directory: string; buckets: readonly string[] }): Promise<LocalS3> {
  const server = new S3rver({ port: 0, address: '127.0.0.1', directory: options.directory, silent: true, configureBuckets: options.buckets.map((name) => ({ name, configs: [] })) });
  const address = (await server.run()) as AddressInfo;
  const serial = await startKeySerialFront(`http://127.0.0.1:${address.port}`);
  const etagOf = (bucket: string, key: string) => server.store.getMetadata(bucket, key).then((m) => m.etag, () => undefined);
  const proxy = await startConditionalProxy(serial.url, etagOf);
  return {
    url: proxy.url,
    async close() {
      await proxy.close();
      await serial.close();
      await server.close();
    },
  };
}

async function startKeySerialFront(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const locks = new Map<string, Promise<void>>();
  const server: Server = createServer((req, res) => {
    const key = new URL(req.url ?? '/', 'http://s3').pathname;
    const previous = locks.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const chained = previous.then(() => mine);
    locks.set(key, chained);
    void previous.then(() => {
      const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      res.on('close', () => {
        release();
        if (locks.get(key) === chained) locks.delete(key);
      });
      out.on('error', () => res.destroy());
      req.pipe(out);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
