import { RequestError } from 'got';
import { describe, expect, it } from 'vitest';
import { ArchiverError, IscError, TimeBudgetError } from '../../../lambda/core/errors.ts';
import {
  asBuffer,
  firstHeader,
  iscErrorFrom,
  networkError,
  readEnvelope,
  redirectRefused,
  unexpectedSuccess,
} from '../../../lambda/isc/isc-error.ts';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const failure = (status: number, body: Buffer = Buffer.alloc(0)) =>
  ({ status, method: 'GET', path: '/beta/sp-config/import/j', body, phase: 'status', jobId: 'j', attempts: 3 }) as const;

describe('readEnvelope', () => {
  it('reads detailCode, trackingId and the first message text of the ISC envelope', () => {
    expect(
      readEnvelope(
        json({
          detailCode: '400.1 Bad request',
          trackingId: 't-1',
          messages: [{ text: '  bad id  ' }, { text: 'second' }],
          message: 'other',
        }),
      ),
    ).toEqual({ detailCode: '400.1 Bad request', trackingId: 't-1', message: 'bad id' });
  });

  it.each([
    ['message', { message: 'rate limit' }, 'rate limit'],
    ['error (401 shape)', { error: 'invalid_token' }, 'invalid_token'],
    ['error_description', { error_description: 'expired' }, 'expired'],
    ['message before error', { message: 'first', error: 'second' }, 'first'],
    ['messages[0].text before message', { messages: [{ text: 'a' }], message: 'b' }, 'a'],
    ['a non-string text falls through', { messages: [{ text: 5 }], error: 'fallback' }, 'fallback'],
    ['messages not an array', { messages: 'x', message: 'm' }, 'm'],
    ['empty messages array', { messages: [], message: 'm' }, 'm'],
  ])('takes the text from %s', (_case, body, message) => {
    expect(readEnvelope(json(body)).message).toBe(message);
  });

  it('caps the message at 300 characters', () => {
    expect(readEnvelope(json({ message: 'x'.repeat(500) })).message).toBe('x'.repeat(300));
  });

  it('ignores fields that are not strings', () => {
    expect(readEnvelope(json({ detailCode: 400, trackingId: { id: 1 }, message: 7 }))).toEqual({
      detailCode: undefined,
      trackingId: undefined,
      message: undefined,
    });
  });

  it.each([
    ['not JSON', Buffer.from('<html>502</html>')],
    ['a JSON string', json('text')],
    ['JSON null', Buffer.from('null')],
    ['a number', Buffer.from('42')],
    ['empty', Buffer.alloc(0)],
  ])('returns nothing for %s', (_case, body) => {
    expect(readEnvelope(body)).toEqual({});
  });

  it('reads only the first 64 KiB (a huge body is not parsed whole)', () => {
    const body = Buffer.concat([json({ message: 'm', pad: 'p'.repeat(64 * 1024) })]);
    expect(readEnvelope(body)).toEqual({});
  });
});

describe('iscErrorFrom', () => {
  it.each([
    [400, 'IscBadRequest', false],
    [401, 'IscUnauthorized', false],
    [403, 'IscForbidden', false],
    [404, 'IscNotFound', false],
    [408, 'IscClientError', true],
    [409, 'IscClientError', false],
    [429, 'IscRateLimited', true],
    [499, 'IscClientError', false],
    [500, 'IscServerError', true],
    [503, 'IscServerError', true],
  ])('%i is %s, retryable %s', (status, code, retryable) => {
    const error = iscErrorFrom(failure(status));
    expect(error).toBeInstanceOf(IscError);
    expect(error).toMatchObject({
      code,
      name: retryable ? code : `Permanent.${code}`,
      retryable,
      httpStatus: status,
      phase: 'status',
      jobId: 'j',
      attempts: 3,
    });
  });

  it('names the status, method and path, and quotes the message and trackingId', () => {
    const error = iscErrorFrom(failure(500, json({ messages: [{ text: 'boom' }], trackingId: 'trk-9', detailCode: '500.0' })));
    expect(error.message).toBe('ISC answered 500 to GET /beta/sp-config/import/j "boom" (trackingId trk-9)');
    expect(error).toMatchObject({ trackingId: 'trk-9', detailCode: '500.0' });
  });

  it('says only the status line when the body has nothing to add', () => {
    expect(iscErrorFrom(failure(502, Buffer.from('bad gateway'))).message).toBe('ISC answered 502 to GET /beta/sp-config/import/j');
  });

  it.each([
    [401, 'check the client id and secret'],
    [403, 'sp:config:manage and an ORG_ADMIN'],
    [404, 'about a week'],
  ])('adds the operator hint to a %i', (status, hint) => {
    const error = iscErrorFrom(failure(status, json({ message: 'nope' })));
    expect(error.message).toMatch(/^ISC answered \d+ to GET \/beta\/sp-config\/import\/j "nope": /);
    expect(error.message).toContain(hint);
  });
});

describe('networkError', () => {
  it('passes an archiver error through unchanged', () => {
    const original = new IscError('IscNotFound', 'gone', { phase: 'status', retryable: false });
    expect(networkError(original, 'download', 'j', 2)).toBe(original);
  });

  it('is a time-budget error when the deadline signal aborted, whatever got called it', () => {
    const controller = new AbortController();
    controller.abort();
    const error = networkError(
      Object.assign(new Error('Timeout awaiting'), { name: 'TimeoutError' }),
      'download',
      'j',
      2,
      controller.signal,
    );
    expect(error).toBeInstanceOf(TimeBudgetError);
    expect(error).toMatchObject({ phase: 'download', jobId: 'j', message: 'The invocation ran out of time while talking to ISC.' });
  });

  it('is a time-budget error for an AbortError', () => {
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(networkError(abort, 'status', undefined, 1)).toBeInstanceOf(TimeBudgetError);
  });

  it('is a retryable IscUnreachable naming the code and message of the failure otherwise', () => {
    const controller = new AbortController();
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const error = networkError(reset, 'download', 'j', 4, controller.signal);
    expect(error).toBeInstanceOf(IscError);
    expect(error).not.toBeInstanceOf(TimeBudgetError);
    expect(error).toMatchObject({
      code: 'IscUnreachable',
      name: 'IscUnreachable',
      retryable: true,
      phase: 'download',
      jobId: 'j',
      attempts: 4,
      message: 'ISC could not be reached or its answer was cut short (ECONNRESET: socket hang up).',
    });
    expect((error.cause as Error).message).toBe('ECONNRESET: socket hang up');
  });

  it('takes the code of a got RequestError', () => {
    const error = new RequestError('connect refused', { code: 'ECONNREFUSED' }, {} as never);
    expect(networkError(error, 'token', undefined, 1).message).toBe(
      'ISC could not be reached or its answer was cut short (ECONNREFUSED: connect refused).',
    );
  });

  it('falls back to the error name, then to "error"', () => {
    expect(networkError(new TypeError('bad'), 'status', 'j', 1).message).toBe(
      'ISC could not be reached or its answer was cut short (TypeError: bad).',
    );
    expect(networkError('plain text', 'status', 'j', 1).message).toBe(
      'ISC could not be reached or its answer was cut short (error: plain text).',
    );
    expect(networkError(undefined, 'status', 'j', 1)).toBeInstanceOf(ArchiverError);
  });
});

describe('redirectRefused', () => {
  it('names only the target origin and the reason, and is permanent', () => {
    const error = redirectRefused(
      'POST',
      'https://acme.api.identitynow.com/oauth/token?x=1',
      302,
      'https://evil.example:8443/steal?secret=s',
      'token',
      undefined,
      'it leaves the ISC host',
    );
    expect(error).toMatchObject({
      name: 'Permanent.IscRedirectRefused',
      code: 'IscRedirectRefused',
      retryable: false,
      httpStatus: 302,
      phase: 'token',
    });
    expect(error.message).toBe(
      'ISC answered 302 to POST /oauth/token, redirecting to https://evil.example:8443; not followed: it leaves the ISC host.',
    );
  });

  it('resolves a relative Location against the request URL', () => {
    expect(redirectRefused('GET', 'https://a.example/x', 301, '/y?t=1', 'status', 'j', 'why').message).toContain(
      'redirecting to https://a.example;',
    );
  });

  it.each([
    [undefined, 'no Location'],
    ['http://[bad', 'an unreadable Location'],
  ])('says %s when there is no usable Location', (location, shown) => {
    const error = redirectRefused('GET', 'https://a.example/x', 307, location, 'download', 'j', 'why');
    expect(error.message).toBe(`ISC answered 307 to GET /x, redirecting to ${shown}; not followed: why.`);
    expect(error.jobId).toBe('j');
  });
});

describe('unexpectedSuccess', () => {
  it('is a retryable IscUnexpectedHttpStatus naming the status and request', () => {
    expect(unexpectedSuccess(204, 'GET', '/p', 'download', 'j')).toMatchObject({
      name: 'IscUnexpectedHttpStatus',
      retryable: true,
      httpStatus: 204,
      phase: 'download',
      jobId: 'j',
      message: 'ISC answered 204 to GET /p, where a 200 with a document was expected.',
    });
  });
});

describe('small helpers', () => {
  it('firstHeader takes the first of repeated headers', () => {
    expect(firstHeader(['a', 'b'])).toBe('a');
    expect(firstHeader('c')).toBe('c');
    expect(firstHeader(undefined)).toBeUndefined();
  });

  it('asBuffer views exactly the bytes of the slice', () => {
    const bytes = new Uint8Array([1, 2, 3, 4, 5]).subarray(1, 4);
    expect([...asBuffer(bytes)]).toEqual([2, 3, 4]);
  });
});
