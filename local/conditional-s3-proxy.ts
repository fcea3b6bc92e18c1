import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * s3rver ignores `If-None-Match: *` and `If-Match`, which real S3 enforces (412). This front adds
 * them (on PUT, and If-Match on DELETE), so racing deliveries meet the same rule locally as in AWS.
 * Requests on one object run one at a time: s3rver rewrites a file in place, so a GET racing a PUT
 * of the same key could announce a length it never sends (S3 itself serves old or new, whole).
 * Parts of a multipart upload are not held up: they are separate objects until completed. Requests are forwarded byte for byte, signature and Host header included. `etagOf`
 * reads the current ETag from s3rver's store directly: S3 checks a condition within the write
 * itself, so an extra HTTP round trip here would make conditional writes look dearer than they are.
 */
export async function startConditionalProxy(
  target: string,
  etagOf: (bucket: string, key: string) => Promise<string | undefined>,
  port = 0,
): Promise<{ url: string; close(): Promise<void> }> {
  const locks = new Map<string, Promise<void>>();
  const upstream = new URL(target);

  const server: Server = createServer((req, res) => {
    const ifNoneMatch = req.headers['if-none-match'];
    const ifMatch = req.headers['if-match'];
    const forward = (release?: () => void) => {
      // A client that goes away mid-answer must not keep the key locked.
      if (release) res.once('close', release);
      const out = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('end', () => release?.());
        },
      );
      out.on('error', () => {
        release?.();
        res.destroy();
      });
      req.pipe(out);
    };
    const url = new URL(req.url ?? '/', 'http://s3');
    const [, bucket, ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    if (!bucket || key === '' || url.searchParams.has('uploadId')) return forward();
    const conditional =
      (req.method === 'PUT' && (ifNoneMatch !== undefined || ifMatch !== undefined)) || (req.method === 'DELETE' && ifMatch !== undefined);

    const previous = locks.get(`${bucket}/${key}`) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    locks.set(
      `${bucket}/${key}`,
      previous.then(() => mine),
    );
    void previous.then(async () => {
      if (!conditional) return forward(release);
      const etag = await etagOf(bucket, key).catch(() => undefined);
      const fails =
        (ifNoneMatch === '*' && etag !== undefined) ||
        (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== etag) ||
        (ifMatch === '*' && etag === undefined);
      if (!fails) return forward(release);
      req.resume();
      const body =
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>';
      res.writeHead(412, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      release();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
