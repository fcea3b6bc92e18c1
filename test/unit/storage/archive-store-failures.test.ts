import { Readable } from 'node:stream';
import { DeleteObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { s3ArchiveStore } from '../../../lambda/storage/archive-store.ts';

const s3 = mockClient(S3Client);
beforeEach(() => s3.reset());

const failure = (status: number, name: string) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });
const store = () => s3ArchiveStore(new S3Client({ region: 'us-east-1' }), 'b-1');

describe('s3ArchiveStore.delete', () => {
  it.each([
    [412, 'PreconditionFailed'],
    [404, 'NoSuchKey'],
  ])('answers false for a conditional delete answered %i: the claim is no longer ours', async (status, name) => {
    s3.on(DeleteObjectCommand).rejects(failure(status, name));
    expect(await store().delete('claim', { ifMatch: '"mine"' })).toBe(false);
  });

  it('fails a conditional delete that S3 refuses for another reason', async () => {
    s3.on(DeleteObjectCommand).rejects(failure(403, 'AccessDenied'));
    await expect(store().delete('claim', { ifMatch: '"mine"' })).rejects.toMatchObject({
      code: 'Storage',
      httpStatus: 403,
      retryable: false,
    });
  });

  it.each([
    [412, 'PreconditionFailed'],
    [404, 'NoSuchBucket'],
  ])('fails an unconditional delete answered %i (no condition could have failed)', async (status, name) => {
    s3.on(DeleteObjectCommand).rejects(failure(status, name));
    await expect(store().delete('claim')).rejects.toMatchObject({ code: 'Storage', httpStatus: status });
    await expect(store().remove('claim')).rejects.toMatchObject({ code: 'Storage', httpStatus: status });
  });

  it('removes unconditionally', async () => {
    s3.on(DeleteObjectCommand).resolves({});
    await store().remove('report.html');
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: 'b-1', Key: 'report.html' }]);
  });
});

describe('s3ArchiveStore.upload failures', () => {
  it("passes the source's own failure through as it is, with no bound on the call", async () => {
    s3.on(PutObjectCommand).resolves({});
    const cut = new Error('download cut short');
    async function* source(): AsyncGenerator<Buffer> {
      yield Buffer.from('{"a":');
      throw cut;
    }
    await expect(store().upload('results.json', source(), 'application/json')).rejects.toBe(cut);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('turns an S3 failure into a StorageError naming the object, and destroys the source', async () => {
    s3.on(PutObjectCommand).rejects(failure(403, 'AccessDenied'));
    const source = Readable.from([Buffer.from('{}')]);
    await expect(store().upload('results.json', source, 'application/json')).rejects.toMatchObject({
      code: 'Storage',
      httpStatus: 403,
      retryable: false,
      message: expect.stringContaining('s3://b-1/results.json'),
    });
    expect(source.destroyed).toBe(true);
  });

  it('reports an upload stopped by its signal as out of time', async () => {
    const caller = new AbortController();
    s3.on(PutObjectCommand).callsFake(async () => {
      caller.abort();
      throw Object.assign(new Error('aborted'), { name: 'AbortError' });
    });
    await expect(
      store().upload('results.json', Readable.from([Buffer.from('{}')]), 'application/json', { signal: caller.signal }),
    ).rejects.toMatchObject({ code: 'TimeBudgetExhausted', phase: 'archive' });
  });

  it('hears the size and SHA-256 of the source once it has ended, and answers the same', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"e"' });
    const heard: unknown[] = [];
    const out = await store().upload('results.json', Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]), 'application/json', {
      onSourceEnd: (read) => heard.push(read),
    });
    expect(heard).toEqual([{ bytes: 7, sha256: out.sha256 }]);
    expect(out).toMatchObject({ key: 'results.json', bytes: 7, etag: '"e"' });
    expect(out.sha256).toBe('015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862');
  });
});
