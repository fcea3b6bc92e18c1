import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  ImportStillRunningError,
  InvalidInputError,
  IscError,
  StorageError,
  TimeBudgetError,
} from '../../../lambda/core/errors.ts';
import { errorToResponse, htmlResponse, statusFor } from '../../../lambda/invocation/api-response.ts';

const isc = (status: number) =>
  new IscError('X', 'x', { phase: 'status', retryable: status >= 500, httpStatus: status, trackingId: 'abc123' });

describe('API error responses', () => {
  it.each([
    [new InvalidInputError('bad id'), 400],
    [isc(404), 404],
    [isc(403), 502],
    [isc(503), 502],
    [new StorageError('s3', { retryable: true }), 502],
    [new ConfigurationError('no secret'), 502],
    [new TimeBudgetError('late', 'download'), 504],
    [new ImportStillRunningError('j', 'IN_PROGRESS', 361), 504],
    [new Error('surprise'), 500],
  ])('maps %s to %i', (error, status) => {
    expect(statusFor(error)).toBe(status);
  });

  it("uses ISC's envelope, with ISC's trackingId when there is one, else the request id", () => {
    const withTracking = JSON.parse(errorToResponse(isc(404), 'req-1').body);
    expect(withTracking).toEqual({
      detailCode: '404 Not found',
      trackingId: 'abc123',
      messages: [{ locale: 'en-US', localeOrigin: 'DEFAULT', text: 'x' }],
    });
    const unexpected = errorToResponse(new Error('stack details here'), '6f1c-9a2b');
    expect(unexpected.statusCode).toBe(500);
    expect(JSON.parse(unexpected.body)).toMatchObject({
      trackingId: '6f1c9a2b',
      messages: [{ text: 'The archiver failed unexpectedly; see its logs.' }],
    });
  });

  it('serves the report with a CSP forbidding scripts', () => {
    expect(htmlResponse('<p>x</p>').headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': expect.stringContaining("default-src 'none'"),
    });
  });
});
