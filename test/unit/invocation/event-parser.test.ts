import { describe, expect, it } from 'vitest';
import { parseEvent, apiFormatOf } from '../../../lambda/invocation/event-parser.ts';
import { requireJobId } from '../../../lambda/contract/job-id.ts';
import { InvalidInputError } from '../../../lambda/core/errors.ts';

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
    try {
      requireJobId('x'.repeat(10_000), 'jobId');
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(150);
    }
  });
});

describe('parseEvent', () => {
  it('reads a direct invoke with force', () => {
    expect(parseEvent({ jobId: HEX, force: true })).toEqual({ source: 'direct', action: 'archive', jobId: HEX, force: true });
  });

  it('reads detail.jobId from an EventBridge envelope', () => {
    const event = { version: '0', id: 'x', 'detail-type': 'SP-Config Import Completed', source: 'sailpoint.sp-config', time: '2026-11-28T10:00:00Z', detail: { jobId: UUID } };
    expect(parseEvent(event)).toEqual({ source: 'eventbridge', action: 'archive', jobId: UUID, force: false });
  });

  it.each([
    ['POST', `/imports/${HEX}/archive`, 'archive'],
    ['GET', `/imports/${HEX}`, 'status'],
    ['GET', `/imports/${HEX}/report`, 'report'],
  ])('routes REST %s %s to %s', (method, path, action) => {
    const event = { httpMethod: method, path, resource: '/x', pathParameters: { jobId: HEX }, requestContext: { stage: 'prod' } };
    expect(apiFormatOf(event)).toBe('rest');
    expect(parseEvent(event)).toEqual({ source: 'api', format: 'rest', action, jobId: HEX, force: false });
  });

  it('routes HTTP API payload 2.0 with a stage prefix and ?force=true', () => {
    const event = { version: '2.0', rawPath: `/prod/imports/${UUID}/archive`, routeKey: 'POST /imports/{jobId}/archive', pathParameters: { jobId: UUID }, queryStringParameters: { force: 'true' }, requestContext: { http: { method: 'POST' } } };
    expect(parseEvent(event)).toEqual({ source: 'api', format: 'http', action: 'archive', jobId: UUID, force: true });
  });

  it('refuses an encoded traversal in an API path', () => {
    const event = { httpMethod: 'POST', path: '/imports/..%2F..%2Fetc/archive', pathParameters: null, requestContext: {} };
    expect(() => parseEvent(event)).toThrow(/Invalid job id in the path/);
  });

  it.each([
    ['DELETE', `/imports/${HEX}`],
    ['POST', `/imports/${HEX}`],
    ['GET', `/jobs/${HEX}`],
  ])('refuses route %s %s', (method, path) => {
    expect(() => parseEvent({ httpMethod: method, path, requestContext: {} })).toThrow(/No route/);
  });

  it.each([[null], [[1, 2]], ['text'], [{}], [{ detail: 'x', source: 's' }], [{ jobId: HEX, force: 'yes' }]])('refuses malformed event %j', (event) => {
    expect(() => parseEvent(event)).toThrow(InvalidInputError);
  });
});
