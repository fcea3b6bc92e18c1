import { S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { httpStatusOf, storageFailure } from '../../../lambda/storage/store-call.ts';

const s3Error = (name: string, status?: number) =>
  new S3ServiceException({ name, $fault: 'server', $metadata: status === undefined ? {} : { httpStatusCode: status }, message: name });

describe('storageFailure: an S3 failure as the operator sees it', () => {
  it.each([
    ['InternalError', 500, true],
    ['ServiceUnavailable', 503, true],
    ['SlowDown', 503, true],
    ['TooManyRequests', 429, true],
    ['BadGateway', 502, true],
    ['NoSuchBucket', 404, false],
    ['AccessDenied', 403, false],
    ['PreconditionFailed', 412, false],
    ['ClientClosed', 499, false],
    ['RequestTimeout', 408, false],
  ] as const)('%s (%i): retryable %s, with the status kept', (name, status, retryable) => {
    const error = storageFailure('b-1', 'put', 'k', s3Error(name, status), undefined);
    expect(error).toMatchObject({ code: 'Storage', retryable, httpStatus: status, phase: 'archive' });
    expect(error.name).toBe(retryable ? 'Storage' : 'Permanent.Storage');
  });

  it('treats a SlowDown as retryable whatever status it came with', () => {
    expect(storageFailure('b-1', 'put', 'k', s3Error('SlowDown', 400), undefined)).toMatchObject({ retryable: true, httpStatus: 400 });
  });

  it('treats a failure with no answer from S3 (a reset, DNS) as retryable', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(storageFailure('b-1', 'put', 'k', reset, undefined)).toMatchObject({ code: 'Storage', retryable: true, httpStatus: undefined });
  });

  it('names the object, and keeps the S3 error code for the log', () => {
    const error = storageFailure('b-1', 'read', 'sp-config/j/manifest.json', s3Error('AccessDenied', 403), undefined);
    expect(error.message).toContain('s3://b-1/sp-config/j/manifest.json');
    expect(error.cause).toMatchObject({ name: 'AccessDenied' });
  });

  it('reports a call stopped by its signal as out of time (retryable, archive phase), not as S3 failing', () => {
    const error = storageFailure('b-1', 'put', 'k', s3Error('AbortError'), AbortSignal.abort());
    expect(error).toMatchObject({ code: 'TimeBudgetExhausted', retryable: true, phase: 'archive' });
  });

  it('reads the HTTP status of an S3 answer, and none when S3 did not answer', () => {
    expect(httpStatusOf(s3Error('NoSuchKey', 404))).toBe(404);
    expect(httpStatusOf(new Error('socket hang up'))).toBeUndefined();
  });
});
