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
  s3mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
  s3mock.on(CompleteMultipartUploadCommand).resolves({ VersionId: 'v' });
  s3mock.on(PutObjectCommand).resolves({ VersionId: 'v' });
});

const target = { Bucket: 'b-1', Key: 'k', ContentType: 'application/json' };
const client = () => new S3Client({ region: 'us-east-1' });
async function* chunks(count: number, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < count; i++) yield Buffer.alloc(size, i);
}
type PartInput = { PartNumber: number; Body: Uint8Array };

describe('uploadStream at the part-size edge', () => {
  it('puts a body one byte short of a part with a single PutObject', async () => {
    await uploadStream(client(), target, chunks(1, 63), { partBytes: 64, concurrency: 2 });
    expect(s3mock.commandCalls(PutObjectCommand)).toHaveLength(1);
    expect(s3mock.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
  });

  it('sends a body of exactly one part as a one-part multipart upload', async () => {
    s3mock.on(UploadPartCommand).resolves({ ETag: '"e1"' });
    await uploadStream(client(), target, chunks(1, 64), { partBytes: 64, concurrency: 2 });
    expect(s3mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(s3mock.commandCalls(UploadPartCommand).map((c) => (c.args[0].input.Body as Uint8Array).length)).toEqual([64]);
  });

  it('sends no empty last part for a body of exactly two parts', async () => {
    s3mock.on(UploadPartCommand).resolves({ ETag: '"e"' });
    await uploadStream(client(), target, chunks(4, 32), { partBytes: 64, concurrency: 2 });
    expect(s3mock.commandCalls(UploadPartCommand).map((c) => (c.args[0].input.Body as Uint8Array).length)).toEqual([64, 64]);
    expect(s3mock.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input.MultipartUpload!.Parts).toHaveLength(2);
  });
});

describe('uploadStream parts', () => {
  it('lists the parts in order on completion even when they are stored out of order', async () => {
    // Part 1 answers last, part 3 first.
    s3mock.on(UploadPartCommand).callsFake(async (input: PartInput) => {
      await new Promise((resolve) => setTimeout(resolve, (4 - input.PartNumber) * 5));
      return { ETag: `"e${input.PartNumber}"` };
    });
    await uploadStream(client(), target, chunks(3, 64), { partBytes: 64, concurrency: 3 });
    expect(s3mock.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input.MultipartUpload!.Parts).toEqual([
      { PartNumber: 1, ETag: '"e1"' },
      { PartNumber: 2, ETag: '"e2"' },
      { PartNumber: 3, ETag: '"e3"' },
    ]);
  });

  it('stops reading the source and sending parts once a part has failed', async () => {
    s3mock.on(UploadPartCommand).callsFake(async (input: PartInput) => {
      if (input.PartNumber === 1) throw Object.assign(new Error('part refused'), { $metadata: { httpStatusCode: 403 } });
      return { ETag: '"e"' };
    });
    let read = 0;
    async function* counted(): AsyncGenerator<Buffer> {
      for (const chunk of [...Array(10).keys()].map(() => Buffer.alloc(64))) {
        read++;
        yield chunk;
      }
    }
    await expect(uploadStream(client(), target, counted(), { partBytes: 64, concurrency: 1 })).rejects.toThrow('part refused');
    expect(s3mock.commandCalls(UploadPartCommand)).toHaveLength(1);
    expect(read).toBeLessThan(3);
    expect(s3mock.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
  });
});

describe('uploadStream part buffers', () => {
  it("reuses a stored part's buffer for the next part: one part in flight holds one buffer", async () => {
    const seen = new Set<ArrayBufferLike>();
    s3mock.on(UploadPartCommand).callsFake(async (input: PartInput) => {
      seen.add(input.Body.buffer);
      return { ETag: '"e"' };
    });
    await uploadStream(client(), target, chunks(6, 40), { partBytes: 48, concurrency: 1 });
    expect(s3mock.commandCalls(UploadPartCommand)).toHaveLength(5);
    expect(seen.size).toBe(1);
  });

  it('keeps four spare part buffers between uploads, no more', async () => {
    /** Holds every part until `count` are in flight, so each takes a buffer of its own. */
    const gated = (count: number, seen: ArrayBufferLike[]) => {
      let release: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      s3mock.on(UploadPartCommand).callsFake(async (input: PartInput) => {
        seen.push(input.Body.buffer);
        if (seen.length === count) release();
        await gate;
        return { ETag: '"e"' };
      });
    };
    const first: ArrayBufferLike[] = [];
    gated(6, first);
    await uploadStream(client(), target, chunks(6, 56), { partBytes: 56, concurrency: 6 });
    expect(new Set(first).size).toBe(6);

    const second: ArrayBufferLike[] = [];
    gated(7, second);
    await uploadStream(client(), target, chunks(7, 56), { partBytes: 56, concurrency: 8 });
    expect(second.filter((buffer) => first.includes(buffer))).toHaveLength(4);
  });
});
