import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { s3ArchiveStore } from '../../../lambda/storage/archive-store.ts';

// On the wire (a plain HTTP server standing in for S3), not against a mocked client: the headers
// are added by middleware that a mocked send() would skip.
describe('s3ArchiveStore on the wire', () => {
  it('sends each PutObject with the SHA-256 the manifest records, for S3 to check and the signer to reuse', async () => {
    const seen: { url: string; headers: Record<string, unknown>; sha256: string }[] = [];
    const server = createServer((req, res) => {
      const hash = createHash('sha256');
      req.on('data', (c: Buffer) => hash.update(c));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', headers: req.headers, sha256: hash.digest('hex') });
        res.writeHead(200, { etag: '"e"' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const client = new S3Client({
        endpoint,
        forcePathStyle: true,
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      });
      const store = s3ArchiveStore(client, 'b-1');
      const streamed = await store.upload('results.json', Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]), 'application/json');
      const put = await store.put('report.html', Buffer.from('<p>hi</p>'), 'text/html');
      const claim = await store.putConditional(
        '.archiving',
        Buffer.from('{}'),
        'application/json',
        { ifNoneMatch: '*' },
        { tags: { 'archiver-claim': 'true' } },
      );
      for (const [i, stored] of [streamed, put, claim!].entries()) {
        expect(seen[i]!.sha256).toBe(stored.sha256);
        expect(seen[i]!.headers['x-amz-content-sha256']).toBe(stored.sha256);
        expect(seen[i]!.headers['x-amz-checksum-sha256']).toBe(Buffer.from(stored.sha256, 'hex').toString('base64'));
      }
      expect(seen.map((s) => s.headers['x-amz-tagging'])).toEqual([undefined, undefined, 'archiver-claim=true']);
      expect(seen[2]!.headers['if-none-match']).toBe('*');
      expect(claim!.etag).toBe('"e"');
    } finally {
      server.close();
    }
  });
});
