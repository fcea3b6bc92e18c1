import { describe, expect, it } from 'vitest';
import { requireJobId } from '../../../lambda/contract/job-id.ts';
import { InvalidInputError } from '../../../lambda/core/errors.ts';
import { apiFormatOf, parseEvent } from '../../../lambda/invocation/event-parser.ts';

const HEX = 'ef38f94347e94562b5bb8424a56397d8';
const UUID = '4fb10503-1c49-4603-8f8d-886e1f6aa47b';

describe('job ids', () => {
  it.each([HEX, UUID, HEX.toUpperCase()])('accepts %s and lower-cases it', (id) => {
    expect(requireJobId(id, 'jobId')).toBe(id.toLowerCase());
  });

  it.each([['../x'], [''], ['a'.repeat(10_000)], ['ab%2F..%2Fcd'], [`${HEX}/download`], [`${HEX} `], [42], [null]])('refuses %j', (id) => {
    expect(() => requireJobId(id, 'jobId')).toThrow(InvalidInputError);
  });

  it('does not echo a huge value back in the message', () => {
    expect.assertions(1);
    try {
      requireJobId('x'.repeat(10_000), 'jobId');
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(150);
    }
  });
});

const rest = (method: string, path: string, body?: string) => ({
  httpMethod: method,
  path,
  resource: '/x',
  pathParameters: { jobId: HEX },
  requestContext: { stage: 'prod' },
  body: body ?? null,
});

describe('parseEvent', () => {
  it('reads a direct invoke with force and a continuation time', () => {
    expect(parseEvent({ jobId: HEX, force: true })).toEqual({
      source: 'direct',
      work: { action: 'archive', jobId: HEX, force: true, waitingSince: undefined },
    });
    expect(parseEvent({ jobId: HEX, waitingSince: '2026-11-28T10:00:00Z' })).toEqual({
      source: 'direct',
      work: { action: 'archive', jobId: HEX, force: false, waitingSince: '2026-11-28T10:00:00.000Z' },
    });
  });

  it('reads detail.jobId from an EventBridge envelope, and never forces from an event', () => {
    const event = {
      version: '0',
      id: 'x',
      'detail-type': 'SP-Config Import Completed',
      source: 'sailpoint.sp-config',
      time: '2026-11-28T10:00:00Z',
      detail: { jobId: UUID, force: true },
    };
    const warnings: string[] = [];
    const log = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    expect(parseEvent(event, log)).toEqual({ source: 'eventbridge', work: { action: 'archive', jobId: UUID, force: false } });
    expect(warnings).toEqual(['Ignoring detail.force: events never force a re-archive']);
  });

  it('reads an SQS batch record by record, keeping unreadable bodies as invalid', () => {
    const batch = {
      Records: [
        { messageId: 'm1', eventSource: 'aws:sqs', body: JSON.stringify({ jobId: HEX, waitingSince: '2026-11-28T10:00:00Z' }) },
        {
          messageId: 'm2',
          eventSource: 'aws:sqs',
          body: JSON.stringify({ source: 'sailpoint.sp-config', 'detail-type': 'SP-Config Import Submitted', detail: { jobId: UUID } }),
        },
        { messageId: 'm3', eventSource: 'aws:sqs', body: 'not json' },
      ],
    };
    const parsed = parseEvent(batch);
    expect(parsed.source).toBe('sqs');
    if (parsed.source !== 'sqs') return;
    expect(parsed.records[0]).toEqual({
      messageId: 'm1',
      request: { source: 'direct', work: { action: 'archive', jobId: HEX, force: false, waitingSince: '2026-11-28T10:00:00.000Z' } },
    });
    expect(parsed.records[1]).toEqual({
      messageId: 'm2',
      request: { source: 'eventbridge', work: { action: 'archive', jobId: UUID, force: false } },
    });
    expect(parsed.records[2]!.request).toEqual({ invalid: expect.any(InvalidInputError) });
  });

  it.each([
    ['POST', `/imports/${HEX}/archive`, { action: 'archive', jobId: HEX, force: false }],
    ['POST', `/imports/${HEX}/rearchive`, { action: 'archive', jobId: HEX, force: true }],
    ['GET', `/imports/${HEX}`, { action: 'status', jobId: HEX }],
    ['GET', `/imports/${HEX}/report`, { action: 'report', jobId: HEX }],
    ['POST', `/imports/${HEX}/restore/preview`, { action: 'restore-preview', jobId: HEX, types: undefined }],
  ])('routes REST %s %s', (method, path, work) => {
    const event = rest(method, path);
    expect(apiFormatOf(event)).toBe('rest');
    expect(parseEvent(event)).toEqual({ source: 'api', format: 'rest', work });
  });

  it('reads the restore bodies: types for a preview, previewJobId for an apply', () => {
    expect(parseEvent(rest('POST', `/imports/${HEX}/restore/preview`, '{"types":["TRANSFORM","SOURCE","SOURCE"]}'))).toMatchObject({
      work: { types: ['SOURCE', 'TRANSFORM'] },
    });
    expect(parseEvent(rest('POST', `/imports/${HEX}/restore/apply`, JSON.stringify({ previewJobId: UUID })))).toEqual({
      source: 'api',
      format: 'rest',
      work: { action: 'restore-apply', jobId: HEX, previewJobId: UUID, types: undefined },
    });
  });

  it.each([
    [`/imports/${HEX}/restore/apply`, '', /needs a JSON body/],
    [`/imports/${HEX}/restore/apply`, '{"previewJobId":"../x"}', /Invalid job id in previewJobId/],
    [`/imports/${HEX}/restore/preview`, '{"types":["ACCOUNT"]}', /not a type import supports/],
    [`/imports/${HEX}/restore/preview`, '{"types":[]}', /non-empty list/],
    [`/imports/${HEX}/restore/preview`, '[1]', /must be a JSON object/],
    [`/imports/${HEX}/restore/preview`, '{', /not JSON/],
  ])('refuses a bad restore body for %s: %s', (path, body, message) => {
    expect(() => parseEvent(rest('POST', path, body))).toThrow(message);
  });

  it('never forces from the archive route, whatever the query says', () => {
    const event = {
      version: '2.0',
      rawPath: `/prod/imports/${UUID}/archive`,
      routeKey: 'POST /imports/{jobId}/archive',
      pathParameters: { jobId: UUID },
      queryStringParameters: { force: 'true' },
      requestContext: { http: { method: 'POST' } },
    };
    expect(parseEvent(event)).toEqual({ source: 'api', format: 'http', work: { action: 'archive', jobId: UUID, force: false } });
  });

  it('refuses an encoded traversal in an API path', () => {
    const event = { httpMethod: 'POST', path: '/imports/..%2F..%2Fetc/archive', pathParameters: null, requestContext: {} };
    expect(() => parseEvent(event)).toThrow(/Invalid job id in the path/);
  });

  it.each([
    ['DELETE', `/imports/${HEX}`],
    ['POST', `/imports/${HEX}`],
    ['GET', `/imports/${HEX}/rearchive`],
    ['GET', `/jobs/${HEX}`],
  ])('refuses route %s %s', (method, path) => {
    expect(() => parseEvent({ httpMethod: method, path, requestContext: {} })).toThrow(/No route/);
  });

  it.each([
    [null],
    [[1, 2]],
    ['text'],
    [{}],
    [{ detail: 'x', source: 's' }],
    [{ jobId: HEX, force: 'yes' }],
    [{ jobId: HEX, action: 'delete' }],
    [{ jobId: HEX, waitingSince: 'soon' }],
  ])('refuses malformed event %j', (event) => {
    expect(() => parseEvent(event)).toThrow(InvalidInputError);
  });
});
