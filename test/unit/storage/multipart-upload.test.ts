import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { uploadStream } from '../../../lambda/storage/multipart-upload.ts';

const s3mock = mockClient(S3Client);
beforeEach(() => {
  s3mock.reset();
  s3mock.on(AbortMultipartUploadCommand).resolves({});
});

const target = { Bucket: 'b-1', Key: 'k', ContentType: 'application/json' };
async function* chunks(sizes: number[], fill = (i: number) => i % 251): AsyncGenerator<Buffer> {
  let n = 0;
  for (const size of sizes) {
    const chunk = Buffer.alloc(size);
    for (let i = 0; i < size; i++) chunk[i] = fill(n++);
    yield chunk;
  }
}

describe('uploadStream', () => {
  it('puts a body that fits in one part with a single PutObject', async () => {
    s3mock.on(PutObjectCommand).resolves({ VersionId: 'v1' });
    const out = await uploadStream(new S3Client({ region: 'us-east-1' }), target, chunks([10, 20]), { partBytes: 64, concurrency: 2 });
    expect(out).toEqual({ versionId: 'v1' });
    const put = s3mock.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).toMatchObject(target);
    expect(Buffer.from(put.Body as Uint8Array)).toEqual(Buffer.concat([...Array(30).keys()].map((i) => Buffer.from([i % 251]))));
    expect(s3mock.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
  });

  it('splits a larger body into parts of the given size, in order, with the bytes intact', async () => {
    const bodies: Buffer[] = [];
    s3mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
    s3mock.on(UploadPartCommand).callsFake(async (input: { PartNumber: number; Body: Uint8Array }) => {
      // Copy now: the part buffer is reused once this part is stored.
      bodies[input.PartNumber - 1] = Buffer.from(input.Body);
      return { ETag: `"e${input.PartNumber}"`, ChecksumCRC32: `c${input.PartNumber}` };
    });
    s3mock.on(CompleteMultipartUploadCommand).resolves({ VersionId: 'v2' });
    const client = new S3Client({ region: 'us-east-1', requestChecksumCalculation: 'WHEN_SUPPORTED' });
    const out = await uploadStream(client, target, chunks([7, 100, 33, 64, 1]), { partBytes: 64, concurrency: 2 });
    expect(out).toEqual({ versionId: 'v2' });
    expect(bodies.map((b) => b.length)).toEqual([64, 64, 64, 13]);
    const expected = Buffer.from([...Array(205).keys()].map((i) => i % 251));
    expect(Buffer.concat(bodies)).toEqual(expected);
    expect(s3mock.commandCalls(CreateMultipartUploadCommand)[0]!.args[0].input).toMatchObject({ ...target, ChecksumAlgorithm: 'CRC32' });
    expect(s3mock.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input.MultipartUpload!.Parts).toEqual(
      [1, 2, 3, 4].map((n) => ({ PartNumber: n, ETag: `"e${n}"`, ChecksumCRC32: `c${n}` })),
    );
  });

  it('asks for no checksum algorithm when the client only sends checksums when required', async () => {
    s3mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
    s3mock.on(UploadPartCommand).resolves({ ETag: '"e"' });
    s3mock.on(CompleteMultipartUploadCommand).resolves({});
    await uploadStream(new S3Client({ region: 'us-east-1', requestChecksumCalculation: 'WHEN_REQUIRED' }), target, chunks([130]), {
      partBytes: 64,
      concurrency: 2,
    });
    expect(s3mock.commandCalls(CreateMultipartUploadCommand)[0]!.args[0].input.ChecksumAlgorithm).toBeUndefined();
  });

  it('never has more parts in flight than allowed', async () => {
    let inFlight = 0;
    let most = 0;
    s3mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
    s3mock.on(UploadPartCommand).callsFake(async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return { ETag: '"e"' };
    });
    s3mock.on(CompleteMultipartUploadCommand).resolves({});
    await uploadStream(new S3Client({ region: 'us-east-1' }), target, chunks(Array(40).fill(50)), { partBytes: 64, concurrency: 2 });
    expect(most).toBe(2);
    expect(s3mock.commandCalls(UploadPartCommand)).toHaveLength(32);
  });

  it.each([
    ['a part upload fails', 'part'],
    ['the source fails mid-way', 'source'],
  ])('aborts the multipart upload when %s', async (_what, where) => {
    s3mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u9' });
    s3mock.on(UploadPartCommand).callsFake(async (input: { PartNumber: number }) => {
      if (where === 'part' && input.PartNumber === 2) throw Object.assign(new Error('boom'), { $metadata: { httpStatusCode: 500 } });
      return { ETag: '"e"' };
    });
    async function* failing() {
      yield* chunks([64, 64, 64]);
      if (where === 'source') throw new Error('connection reset');
      yield* chunks([64]);
    }
    await expect(uploadStream(new S3Client({ region: 'us-east-1' }), target, failing(), { partBytes: 64, concurrency: 1 })).rejects.toThrow(
      where === 'part' ? 'boom' : 'connection reset',
    );
    expect(s3mock.commandCalls(AbortMultipartUploadCommand)[0]!.args[0].input).toEqual({ Bucket: 'b-1', Key: 'k', UploadId: 'u9' });
    expect(s3mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });
});
