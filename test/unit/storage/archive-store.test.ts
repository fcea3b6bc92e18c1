import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { s3ArchiveStore } from '../../../lambda/storage/archive-store.ts';

const s3 = mockClient(S3Client);
beforeEach(() => s3.reset());

const failure = (status: number, name: string) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });
const store = () => s3ArchiveStore(new S3Client({ region: 'us-east-1' }), 'b-1');

describe('s3ArchiveStore.putConditional', () => {
  it('sends If-None-Match: * and answers the new object with its version and ETag', async () => {
    s3.on(PutObjectCommand).resolves({ VersionId: 'v7', ETag: '"e7"' });
    const stored = await store().putConditional('k', Buffer.from('{}'), 'application/json', { ifNoneMatch: '*' });
    expect(stored).toEqual({
      key: 'k',
      bytes: 2,
      sha256: '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
      versionId: 'v7',
      etag: '"e7"',
    });
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({
      Bucket: 'b-1',
      Key: 'k',
      IfNoneMatch: '*',
      ContentType: 'application/json',
    });
  });

  it.each([
    [412, 'PreconditionFailed'],
    [409, 'ConditionalRequestConflict'],
  ])('answers undefined when %i says another writer won', async (status, name) => {
    s3.on(PutObjectCommand).rejects(failure(status, name));
    expect(await store().putConditional('k', Buffer.from('{}'), 'application/json', { ifMatch: '"e"' })).toBeUndefined();
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ IfMatch: '"e"' });
  });

  it('turns other failures into a StorageError naming the object', async () => {
    s3.on(PutObjectCommand).rejects(failure(403, 'AccessDenied'));
    await expect(store().putConditional('k', Buffer.from('{}'), 'application/json', { ifNoneMatch: '*' })).rejects.toMatchObject({
      name: 'Permanent.Storage',
      httpStatus: 403,
      message: expect.stringContaining('s3://b-1/k'),
    });
  });

  it('tags the object when asked (the claim, for its lifecycle rule)', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"e"' });
    await store().putConditional(
      'k/.archiving',
      Buffer.from('{}'),
      'application/json',
      { ifNoneMatch: '*' },
      { tags: { 'archiver-claim': 'true' } },
    );
    await store().put('report.html', Buffer.from('<p>'), 'text/html', { tags: { a: 'b c', d: '1' } });
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Tagging)).toEqual(['archiver-claim=true', 'a=b+c&d=1']);
  });
});

describe('s3ArchiveStore.get and delete', () => {
  it('reads an object with its ETag and version', async () => {
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from('{"a":1}')]) as never, ETag: '"e1"', VersionId: 'v1' });
    expect(await store().get('m')).toEqual({ body: Buffer.from('{"a":1}'), etag: '"e1"', versionId: 'v1' });
  });

  it('answers undefined for a missing object', async () => {
    s3.on(GetObjectCommand).rejects(failure(404, 'NoSuchKey'));
    expect(await store().get('m')).toBeUndefined();
  });

  it('deletes only while the ETag still matches, and says when it did not', async () => {
    s3.on(DeleteObjectCommand, { IfMatch: '"mine"' }).resolves({});
    s3.on(DeleteObjectCommand, { IfMatch: '"theirs"' }).rejects(failure(412, 'PreconditionFailed'));
    expect(await store().delete('claim', { ifMatch: '"mine"' })).toBe(true);
    expect(await store().delete('claim', { ifMatch: '"theirs"' })).toBe(false);
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'b-1', Key: 'claim', IfMatch: '"mine"' },
      { Bucket: 'b-1', Key: 'claim', IfMatch: '"theirs"' },
    ]);
  });

  it('fails an unconditional delete that S3 refuses', async () => {
    s3.on(DeleteObjectCommand).rejects(failure(403, 'AccessDenied'));
    await expect(store().delete('claim')).rejects.toMatchObject({ name: 'Permanent.Storage', httpStatus: 403 });
  });
});
