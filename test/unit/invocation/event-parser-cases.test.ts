import { describe, expect, it } from 'vitest';
import { IMPORTABLE_TYPES } from '../../../lambda/contract/constants.ts';
import { apiFormatOf, parseEvent } from '../../../lambda/invocation/event-parser.ts';
import { recordingLog } from '../../support/archive-fakes.ts';

// The event parser's finer rules, each as a caller meets it: the restore actions by direct invoke,
// the exact refusals (what they say is what a caller reads), API Gateway's encodings and limits.

const HEX = 'ef38f94347e94562b5bb8424a56397d8';
const UUID = '4fb10503-1c49-4603-8f8d-886e1f6aa47b';
const refusal = (event: unknown) => {
  try {
    parseEvent(event);
  } catch (error) {
    return error as Error & { jobId?: string };
  }
  throw new Error('expected a refusal');
};
const preview = (body: string | null, extra: Record<string, unknown> = {}) => ({
  httpMethod: 'POST',
  path: `/imports/${HEX}/restore/preview`,
  pathParameters: { jobId: HEX },
  requestContext: {},
  body,
  ...extra,
});

describe('direct invokes', () => {
  it('read a restore preview with its types, sorted and without repeats', () => {
    expect(parseEvent({ jobId: HEX, action: 'restore-preview', types: ['TRANSFORM', 'SOURCE', 'TRANSFORM'] })).toEqual({
      source: 'direct',
      work: { action: 'restore-preview', jobId: HEX, types: ['SOURCE', 'TRANSFORM'] },
    });
  });

  it('read a restore apply with the preview that allows it, lower-cased', () => {
    expect(parseEvent({ jobId: HEX, action: 'restore-apply', previewJobId: UUID.toUpperCase(), types: null })).toEqual({
      source: 'direct',
      work: { action: 'restore-apply', jobId: HEX, previewJobId: UUID, types: undefined },
    });
  });

  it('treat null force and waitingSince as not given', () => {
    expect(parseEvent({ jobId: HEX, action: 'archive', force: null, waitingSince: null })).toEqual({
      source: 'direct',
      work: { action: 'archive', jobId: HEX, force: false, waitingSince: undefined },
    });
  });

  it.each([
    [{ jobId: HEX, action: 'delete' }, 'action must be "archive", "restore-preview" or "restore-apply".'],
    [{ jobId: HEX, force: 'yes' }, 'force must be true or false.'],
    [{ jobId: HEX, waitingSince: 'soon' }, 'waitingSince must be an ISO-8601 time.'],
    [{ jobId: HEX, waitingSince: `2026-11-28T10:00:00.000000000000000000000Z` }, 'waitingSince must be an ISO-8601 time.'],
    [{ jobId: HEX, waitingSince: 1_700_000_000_000 }, 'waitingSince must be an ISO-8601 time.'],
    [{ jobId: HEX, action: 'restore-preview', types: 'SOURCE' }, 'types must be a non-empty list of object types.'],
    [{ jobId: HEX, action: 'restore-preview', types: [] }, 'types must be a non-empty list of object types.'],
    [
      { jobId: HEX, action: 'restore-preview', types: Array.from({ length: 1_001 }, () => 'SOURCE') },
      'types must be a non-empty list of object types.',
    ],
    [
      { jobId: HEX, action: 'restore-preview', types: [7] },
      `types names number, which is not a type import supports (${IMPORTABLE_TYPES.join(', ')}).`,
    ],
    [
      { jobId: HEX, action: 'restore-preview', types: [`ACCOUNT${'X'.repeat(100)}`] },
      `types names ${JSON.stringify(`ACCOUNT${'X'.repeat(33)}`)}, which is not a type import supports (${IMPORTABLE_TYPES.join(', ')}).`,
    ],
    ['text', 'The event must be a JSON object.'],
    [[1], 'The event must be a JSON object.'],
  ])('refuse %j saying exactly what is wrong', (event, message) => {
    const error = refusal(event);
    expect(error.name).toBe('Permanent.InvalidInput');
    expect(error.message).toBe(message);
  });

  it('accept every importable type at once', () => {
    expect(parseEvent({ jobId: HEX, action: 'restore-preview', types: [...IMPORTABLE_TYPES] })).toMatchObject({
      work: { types: [...IMPORTABLE_TYPES].sort() },
    });
  });

  it('name the job in an unknown action’s refusal', () => {
    expect(refusal({ jobId: HEX, action: 'delete' }).jobId).toBe(HEX);
  });

  it('name what they expected when the event is nothing they know', () => {
    expect(refusal({ hello: 'world' }).message).toBe(
      'Unrecognised event: expected {"jobId": "..."}, an EventBridge event with detail.jobId, an SQS batch, or an API Gateway request to /imports/{jobId}.',
    );
  });
});

describe('EventBridge events', () => {
  it('are known by detail and source even without a detail-type', () => {
    expect(parseEvent({ source: 'sailpoint.sp-config', detail: { jobId: HEX } })).toEqual({
      source: 'eventbridge',
      work: { action: 'archive', jobId: HEX, force: false },
    });
  });

  it('need a detail object', () => {
    expect(refusal({ 'detail-type': 'x', detail: [HEX] }).message).toBe('The EventBridge event has no detail object.');
  });

  it('warn only when the event tries to force', () => {
    const log = recordingLog();
    parseEvent({ 'detail-type': 'x', source: 's', detail: { jobId: HEX } }, log);
    expect(log.lines).toEqual([]);
    parseEvent({ 'detail-type': 'x', source: 's', detail: { jobId: HEX, force: false } }, log);
    expect(log.lines).toEqual([
      { level: 'warn', message: 'Ignoring detail.force: events never force a re-archive', extra: { jobId: HEX } },
    ]);
  });
});

describe('SQS records', () => {
  it('keep why a record is unreadable, named by its message id or its place', () => {
    const parsed = parseEvent({
      Records: [{ body: 'not json' }, { messageId: 'm2' }, { messageId: 'm3', body: '[1]' }, 'junk', { messageId: 7, body: '{}' }],
    });
    if (parsed.source !== 'sqs') throw new Error('expected a batch');
    expect(parsed.records.map((r) => [r.messageId, 'invalid' in r.request ? r.request.invalid.message : 'ok'])).toEqual([
      ['record-0', 'An SQS record body is not JSON.'],
      ['m2', 'An SQS record has no body.'],
      ['m3', 'An SQS record body must be a JSON object.'],
      ['record-3', 'An SQS record has no body.'],
      ['record-4', expect.stringMatching(/^Unrecognised event/)],
    ]);
  });
});

describe('API Gateway requests', () => {
  it.each([
    [{ version: '2.0', rawPath: '/imports/x', requestContext: {} }, 'http'],
    [{ version: '2.0', requestContext: {}, httpMethod: 'GET', path: '/imports/x' }, 'rest'],
    [{ version: '1.0', rawPath: '/imports/x', requestContext: {} }, undefined],
    [{ version: '2.0', rawPath: 5, requestContext: {} }, undefined],
    [{ httpMethod: 'GET', path: '/imports/x' }, undefined],
    [{ httpMethod: 'GET', path: '/imports/x', requestContext: null }, undefined],
    [{ httpMethod: 'GET', requestContext: {} }, undefined],
    [{ path: '/imports/x', requestContext: {} }, undefined],
    [null, undefined],
  ])('tell %j apart as %s', (event, format) => {
    expect(apiFormatOf(event)).toBe(format);
  });

  it('read the method in any case and prefer the path parameter API Gateway matched', () => {
    expect(
      parseEvent({
        version: '2.0',
        rawPath: `/imports/${HEX}`,
        pathParameters: { jobId: UUID },
        requestContext: { http: { method: 'get' } },
      }),
    ).toEqual({ source: 'api', format: 'http', work: { action: 'status', jobId: UUID } });
  });

  it('decode a URL-encoded job id in the raw path', () => {
    expect(parseEvent({ httpMethod: 'GET', path: `/imports/%65f38f94347e94562b5bb8424a56397d8`, requestContext: {} })).toMatchObject({
      work: { jobId: HEX },
    });
  });

  it('refuse an unknown route naming the method and at most 100 characters of the path', () => {
    const path = `/jobs/${'x'.repeat(300)}`;
    expect(refusal({ httpMethod: 'get', path, requestContext: {} }).message).toBe(`No route for GET ${path.slice(0, 100)}.`);
  });

  it('read a base64-encoded body', () => {
    const body = Buffer.from(JSON.stringify({ types: ['SOURCE'] })).toString('base64');
    expect(parseEvent(preview(body, { isBase64Encoded: true }))).toMatchObject({ work: { types: ['SOURCE'] } });
    expect(refusal(preview(body, { isBase64Encoded: 'true' })).message).toBe('The request body is not JSON.');
  });

  it('let a preview go without a body, and refuse a body over 64 KB', () => {
    expect(parseEvent(preview(null))).toMatchObject({ work: { action: 'restore-preview', types: undefined } });
    expect(parseEvent(preview('   '))).toMatchObject({ work: { types: undefined } });
    const padded = JSON.stringify({ types: ['SOURCE'], pad: 'x'.repeat(64 * 1024) });
    expect(refusal(preview(padded)).message).toBe('The request body is larger than 64 KB.');
    const justFits = `{"types":["SOURCE"]}${' '.repeat(64 * 1024 - 20)}`;
    expect(justFits.length).toBe(64 * 1024);
    expect(parseEvent(preview(justFits))).toMatchObject({ work: { types: ['SOURCE'] } });
  });

  it('need a body for an apply', () => {
    expect(
      refusal({ httpMethod: 'POST', path: `/imports/${HEX}/restore/apply`, pathParameters: { jobId: HEX }, requestContext: {}, body: ' ' })
        .message,
    ).toBe('The request needs a JSON body.');
  });
});

describe('edges of the restore and continuation fields', () => {
  it('drops repeated types, however many', () => {
    const request = parseEvent({
      jobId: 'ef38f94347e94562b5bb8424a56397d8',
      action: 'restore-preview',
      types: Array.from({ length: 12 }, () => 'RULE'),
    });
    expect(request).toMatchObject({ work: { types: ['RULE'] } });
  });

  it('refuses a continuation whose wait began in the future (it would never reach MAX_WAIT_MINUTES)', () => {
    const later = new Date(Date.now() + 10 * 60_000).toISOString();
    expect(() => parseEvent({ jobId: 'ef38f94347e94562b5bb8424a56397d8', waitingSince: later })).toThrow(
      /waitingSince must not be in the future/,
    );
  });
});
