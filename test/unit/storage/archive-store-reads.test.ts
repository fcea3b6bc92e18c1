import { getEventListeners } from 'node:events';
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { s3ArchiveStore } from '../../../lambda/storage/archive-store.ts';

const s3 = mockClient(S3Client);
beforeEach(() => s3.reset());

const failure = (status: number | undefined, name: string) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: status === undefined ? {} : { httpStatusCode: status }, message: name });
const store = () => s3ArchiveStore(new S3Client({ region: 'us-east-1' }), 'b-1');
const body = (text: string) => Readable.from([Buffer.from(text)]) as never;
const text = async (stream: Readable | undefined) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream!) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
};

describe.each(['get', 'stream'] as const)('s3ArchiveStore.%s', (read) => {
  const call = (key: string, versionId?: string) =>
    read === 'get' ? store().get(key, versionId ? { versionId } : undefined) : store().stream(key, versionId);

  it('reads the latest version unless one is named, and then exactly it', async () => {
    s3.on(GetObjectCommand).callsFake(async () => ({ Body: body('{}') }));
    await call('m');
    await call('m', 'v3');
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'b-1', Key: 'm' },
      { Bucket: 'b-1', Key: 'm', VersionId: 'v3' },
    ]);
  });

  it.each([
    ['NoSuchKey with its 404', 404, 'NoSuchKey'],
    ['a bare 404 (a HEAD-style answer with no code)', 404, 'NotFound'],
    ['NoSuchKey without a status', undefined, 'NoSuchKey'],
  ])('answers undefined for %s', async (_what, status, name) => {
    s3.on(GetObjectCommand).rejects(failure(status, name));
    expect(await call('m')).toBeUndefined();
  });

  it.each([
    [403, 'AccessDenied', false],
    [500, 'InternalError', true],
  ])('fails a read refused with %i as a StorageError', async (status, name, retryable) => {
    s3.on(GetObjectCommand).rejects(failure(status, name));
    await expect(call('m')).rejects.toMatchObject({ code: 'Storage', httpStatus: status, retryable, phase: 'archive' });
  });
});

describe('s3ArchiveStore.stream', () => {
  it('hands back the body as it streams', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body('{"results":[]}') });
    expect(await text(await store().stream('results.json'))).toBe('{"results":[]}');
  });
});

describe('s3ArchiveStore.get bounded by a signal', () => {
  it('stops a body that stalls once the signal fires: out of time, and the body destroyed', async () => {
    const stalled = new Readable({ read() {} });
    stalled.push('{"half":');
    s3.on(GetObjectCommand).resolves({ Body: stalled as never, ETag: '"e"' });
    const caller = new AbortController();
    const reading = store().get('manifest.json', { signal: caller.signal });
    setTimeout(() => caller.abort(new Error('margin spent')), 10);
    await expect(reading).rejects.toMatchObject({ code: 'TimeBudgetExhausted', phase: 'archive' });
    expect(stalled.destroyed).toBe(true);
  }, 2_000);

  it('leaves no listener on a long-lived signal once the read is done', async () => {
    s3.on(GetObjectCommand).callsFake(async () => ({ Body: body('{}') }));
    const caller = new AbortController();
    for (let i = 0; i < 20; i++) await store().get('claim', { signal: caller.signal });
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });
});

describe('s3ArchiveStore.list', () => {
  const page = (keys: string[], next?: string) => ({
    Contents: keys.map((Key) => ({ Key })),
    IsTruncated: next !== undefined,
    NextContinuationToken: next,
  });

  it('follows the continuation token across pages and answers every key, in order', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce(page(['r/1', 'r/2'], 't1'))
      .resolvesOnce(page(['r/3'], 't2'))
      .resolvesOnce(page(['r/4']));
    expect(await store().list('r/')).toEqual(['r/1', 'r/2', 'r/3', 'r/4']);
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'b-1', Prefix: 'r/', ContinuationToken: undefined },
      { Bucket: 'b-1', Prefix: 'r/', ContinuationToken: 't1' },
      { Bucket: 'b-1', Prefix: 'r/', ContinuationToken: 't2' },
    ]);
  });

  it('answers no keys for an empty prefix, and skips entries without a key', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ KeyCount: 0, IsTruncated: false })
      .resolvesOnce({ Contents: [{ Key: 'r/1' }, { Size: 3 }], IsTruncated: false });
    expect(await store().list('none/')).toEqual([]);
    expect(await store().list('r/')).toEqual(['r/1']);
  });

  it('stops at 10,000 keys however many pages are left', async () => {
    let n = 0;
    s3.on(ListObjectsV2Command).callsFake(async () =>
      page(
        Array.from({ length: 5_000 }, () => `r/${n++}`),
        `t${n}`,
      ),
    );
    const keys = await store().list('r/');
    expect(keys).toHaveLength(10_000);
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(2);
  });

  it('fails a refused listing as a StorageError', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce(page(['r/1'], 't1'))
      .rejectsOnce(failure(403, 'AccessDenied'));
    await expect(store().list('r/')).rejects.toMatchObject({ code: 'Storage', httpStatus: 403, retryable: false });
  });
});
