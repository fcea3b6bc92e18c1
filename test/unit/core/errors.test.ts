import { describe, expect, it } from 'vitest';
import {
  ArchiverError,
  ConfigurationError,
  ImportStillRunningError,
  InvalidInputError,
  IscError,
  isRetryable,
  RestoreRefusedError,
  StorageError,
  TimeBudgetError,
} from '../../../lambda/core/errors.ts';

// The one error family: what Lambda reports as the error type, what an operator reads in a log
// line, and that a wrapped cause never carries more than its name, code and message.

describe('ArchiverError', () => {
  it('names a retryable failure by its code and a permanent one as Permanent.<code>', () => {
    const retryable = new ArchiverError('SlowDown', 'later', { phase: 'archive', retryable: true });
    const permanent = new ArchiverError('Gone', 'never', { phase: 'download', retryable: false });
    expect([retryable.name, retryable.code, retryable.message]).toEqual(['SlowDown', 'SlowDown', 'later']);
    expect([permanent.name, permanent.code]).toEqual(['Permanent.Gone', 'Gone']);
    expect(permanent).toBeInstanceOf(Error);
  });

  it('logs every operator field under names that do not clash with the log line’s message', () => {
    const error = new ArchiverError('IscThrottled', 'ISC answered 429', {
      phase: 'status',
      retryable: true,
      jobId: 'j1',
      httpStatus: 429,
      trackingId: 't1',
      detailCode: '429 Too Many Requests',
      attempts: 4,
    });
    expect(error.toLog()).toEqual({
      errorName: 'IscThrottled',
      errorCode: 'IscThrottled',
      errorMessage: 'ISC answered 429',
      phase: 'status',
      retryable: true,
      jobId: 'j1',
      httpStatus: 429,
      trackingId: 't1',
      detailCode: '429 Too Many Requests',
      attempts: 4,
    });
    expect(error).toMatchObject({ phase: 'status', retryable: true, jobId: 'j1', httpStatus: 429, trackingId: 't1', attempts: 4 });
  });

  it('has no cause when none is given', () => {
    const error = new ArchiverError('X', 'm', { phase: 'input', retryable: false });
    expect('cause' in error).toBe(false);
    expect(error.cause).toBeUndefined();
  });

  it('reduces an HTTP error cause to its name, code and message, dropping its request options', () => {
    const http = Object.assign(new Error('Response code 500'), {
      name: 'HTTPError',
      code: 'ERR_NON_2XX_3XX_RESPONSE',
      options: { headers: { authorization: 'Bearer secret-token' } },
    });
    const error = new ArchiverError('IscUnavailable', 'ISC failed', { phase: 'token', retryable: true, cause: http });
    const cause = error.cause as Error;
    expect(cause).toBeInstanceOf(Error);
    expect(cause.name).toBe('HTTPError');
    expect(cause.message).toBe('ERR_NON_2XX_3XX_RESPONSE: Response code 500');
    expect(Object.keys(cause)).toEqual(['name']);
    expect(cause).not.toHaveProperty('options');
    expect(JSON.stringify(error)).not.toContain('secret-token');
    expect(JSON.stringify(error.toLog())).not.toContain('secret-token');
  });

  it('keeps a cause’s message alone when its code is not a string', () => {
    const cause = Object.assign(new TypeError('bad'), { code: 42 });
    const error = new ArchiverError('X', 'm', { phase: 'archive', retryable: true, cause });
    expect((error.cause as Error).message).toBe('bad');
    expect((error.cause as Error).name).toBe('TypeError');
  });

  it('keeps an archiver error as the cause as it is, and turns anything else into an Error', () => {
    const inner = new InvalidInputError('inner', 'j');
    expect(new ArchiverError('X', 'm', { phase: 'archive', retryable: true, cause: inner }).cause).toBe(inner);
    const fromString = new ArchiverError('X', 'm', { phase: 'archive', retryable: true, cause: 'socket hang up' }).cause as Error;
    expect(fromString).toBeInstanceOf(Error);
    expect(fromString.message).toBe('socket hang up');
  });
});

describe('the subclasses', () => {
  it('refuse invalid input permanently, in the input phase, naming the job when known', () => {
    expect(new InvalidInputError('bad', 'j9')).toMatchObject({
      name: 'Permanent.InvalidInput',
      code: 'InvalidInput',
      phase: 'input',
      retryable: false,
      jobId: 'j9',
      message: 'bad',
    });
  });

  it('report configuration problems permanently, in the config phase unless told, with the cause', () => {
    expect(new ConfigurationError('ARCHIVE_BUCKET is not set')).toMatchObject({
      name: 'Permanent.Configuration',
      code: 'Configuration',
      phase: 'config',
      retryable: false,
    });
    const secret = new ConfigurationError('the secret lacks clientId', 'secret', new Error('parse'));
    expect(secret.phase).toBe('secret');
    expect((secret.cause as Error).message).toBe('parse');
  });

  it('say how long an import was waited for and in which status', () => {
    const error = new ImportStillRunningError('j1', 'IN_PROGRESS', 361);
    expect(error).toMatchObject({
      name: 'Permanent.ImportStillRunning',
      code: 'ImportStillRunning',
      phase: 'wait',
      retryable: false,
      jobId: 'j1',
      status: 'IN_PROGRESS',
      waitedMinutes: 361,
      message: 'Import j1 is still IN_PROGRESS after 361 minutes of waiting (MAX_WAIT_MINUTES); it was not archived.',
    });
  });

  it('refuse a restore permanently in the restore phase', () => {
    expect(new RestoreRefusedError('no backup', 'j2')).toMatchObject({
      name: 'Permanent.RestoreRefused',
      code: 'RestoreRefused',
      phase: 'restore',
      retryable: false,
      jobId: 'j2',
    });
  });

  it('treat running out of time as retryable, in the phase it happened', () => {
    expect(new TimeBudgetError('late', 'download', 'j3')).toMatchObject({
      name: 'TimeBudgetExhausted',
      code: 'TimeBudgetExhausted',
      phase: 'download',
      retryable: true,
      jobId: 'j3',
    });
  });

  it('place storage failures in the archive phase unless another is named', () => {
    expect(new StorageError('s3 down', { retryable: true })).toMatchObject({
      name: 'Storage',
      code: 'Storage',
      phase: 'archive',
      retryable: true,
    });
    expect(new StorageError('s3 refused', { retryable: false, phase: 'backup', httpStatus: 403 })).toMatchObject({
      name: 'Permanent.Storage',
      phase: 'backup',
      httpStatus: 403,
    });
  });

  it('keep ISC errors in the family', () => {
    const error = new IscError('IscNotFound', '404', { phase: 'status', retryable: false, httpStatus: 404 });
    expect(error).toBeInstanceOf(ArchiverError);
    expect(error.name).toBe('Permanent.IscNotFound');
  });
});

describe('isRetryable', () => {
  it('follows an archiver error’s own answer and retries anything unknown', () => {
    expect(isRetryable(new TimeBudgetError('late', 'archive'))).toBe(true);
    expect(isRetryable(new InvalidInputError('bad'))).toBe(false);
    expect(isRetryable(new Error('ECONNRESET'))).toBe(true);
  });
});
