import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { putObjectCommand, sha256Hex } from '../../../lambda/storage/put-object.ts';

interface SentRequest {
  readonly headers: Record<string, string>;
}

/** A client whose HTTP layer is a function: the whole middleware stack runs (signing included), no socket. */
function recordingClient(): { client: S3Client; sent: SentRequest[] } {
  const sent: SentRequest[] = [];
  const client = new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    requestHandler: {
      handle: async (request: SentRequest) => {
        sent.push({ headers: { ...request.headers } });
        return { response: { statusCode: 200, headers: { etag: '"e"' }, body: Readable.from([]) } };
      },
    },
  });
  return { client, sent };
}

describe('putObjectCommand', () => {
  it('signs with the SHA-256 it is given instead of hashing the body again, and asks S3 to check it', async () => {
    const { client, sent } = recordingClient();
    const body = Buffer.from('{"a":1}');
    // A hash that is not the body's shows whose hash went out: the one the manifest records.
    const given = sha256Hex(Buffer.from('the manifest hash'));
    await client.send(putObjectCommand({ Bucket: 'b-1', Key: 'k', Body: body }, given));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers['x-amz-content-sha256']).toBe(given);
    expect(sent[0]!.headers['x-amz-checksum-sha256']).toBe(Buffer.from(given, 'hex').toString('base64'));
    expect(sent[0]!.headers.authorization).toContain('Signature=');
  });

  it('leaves a request without headers as it is', async () => {
    const command = putObjectCommand({ Bucket: 'b-1', Key: 'k', Body: Buffer.from('x') }, sha256Hex(Buffer.from('x')));
    const seen: unknown[] = [];
    const handler = command.middlewareStack.resolve(async (args) => {
      seen.push(args.request);
      return { output: {} as never, response: {} };
    }, {});
    await handler({ input: command.input, request: {} } as never);
    expect(seen).toEqual([{}]);
  });
});

describe('sha256Hex', () => {
  it('is the hex SHA-256 of the bytes', () => {
    expect(sha256Hex(Buffer.from(''))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
