import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { s3ArchiveStore } from '../../../lambda/storage/archive-store.ts';

const s3 = mockClient(S3Client);
beforeEach(() => s3.reset());

const failure = (status: number, name: string) => new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });

describe('s3ArchiveStore.putConditional', () => {
  it('sends If-None-Match: * and reports success', async () => {
    s3.on(PutObjectCommand).resolves({});
    const store = s3ArchiveStore(new S3Client({ region: 'us-east-1' }), 'b-1');
    expect(await store.putConditional('k', Buffer.from('{}'), 'application/json', { ifNoneMatch: '*' })).toBe(true);
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ Bucket: 'b-1', Key: 'k', IfNoneMatch: '*', ContentType: 'application/json' });
  });

  it.each([[412, 'PreconditionFailed'], [409, 'ConditionalRequestConflict']])('treats %i as another writer winning', async (status, name) => {
    s3.on(PutObjectCommand).rejects(failure(status, name));
    const store = s3ArchiveStore(new S3Client({ region: 'us-east-1' }), 'b-1');
    expect(await store.putConditional('k', Buffer.from('{}'), 'application/json', { ifMatch: '"e"' })).toBe(false);
  });

  it('turns other failures into a StorageError naming the object', async () => {
    s3.on(PutObjectCommand).rejects(failure(403, 'AccessDenied'));
    const store = s3ArchiveStore(new S3Client({ region: 'us-east-1' }), 'b-1');
    await expect(store.putConditional('k', Buffer.from('{}'), 'application/json', { ifNoneMatch: '*' })).rejects.toMatchObject({
      name: 'Permanent.Storage', httpStatus: 403, message: expect.stringContaining('s3://b-1/k'),
    });
  });
});
