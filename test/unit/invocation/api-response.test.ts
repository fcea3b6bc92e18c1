import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  ImportStillRunningError,
  InvalidInputError,
  IscError,
  RestoreRefusedError,
  StorageError,
  TimeBudgetError,
} from '../../../lambda/core/errors.ts';
import { errorResponse, errorToResponse, htmlResponse, jsonResponse, statusFor } from '../../../lambda/invocation/api-response.ts';

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
  it('maps a refused restore to 409 Conflict', () => {
    const response = errorToResponse(new RestoreRefusedError('The preview had errors.', 'j'), 'r-1');
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body)).toEqual({
      detailCode: '409 Conflict',
      trackingId: 'r1',
      messages: [{ locale: 'en-US', localeOrigin: 'DEFAULT', text: 'The preview had errors.' }],
    });
  });

  it.each([
    [400, '400.1 Bad Request Content'],
    [404, '404 Not found'],
    [409, '409 Conflict'],
    [500, '500.0 Internal Fault'],
    [502, '502 Bad Gateway'],
    [504, '504 Gateway Timeout'],
    [418, '418'],
  ])('names status %i as ISC does (%s)', (status, detailCode) => {
    const response = errorResponse(status, 'text', 't');
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body).detailCode).toBe(detailCode);
  });

  it('tells an archiver error’s own message, tracked by the request id when ISC gave none', () => {
    const response = errorToResponse(new TimeBudgetError('Not enough time left to download', 'download'), 'a-b');
    expect(response.statusCode).toBe(504);
    expect(JSON.parse(response.body)).toMatchObject({
      detailCode: '504 Gateway Timeout',
      trackingId: 'ab',
      messages: [{ text: 'Not enough time left to download' }],
    });
  });

  it('answers JSON that is never cached nor sniffed, and not base64-encoded', () => {
    expect(jsonResponse(201, { a: 1 })).toEqual({
      statusCode: 201,
      headers: { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-type': 'application/json' },
      body: '{"a":1}',
      isBase64Encoded: false,
    });
  });

  it('serves HTML uncached, with the full CSP, the body as given', () => {
    expect(htmlResponse('<p>x</p>')).toEqual({
      statusCode: 200,
      headers: {
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
      },
      body: '<p>x</p>',
      isBase64Encoded: false,
    });
  });
});
