import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArchiverError } from '../../../lambda/core/errors.ts';
import { parseEvent } from '../../../lambda/invocation/event-parser.ts';

// The event parser takes whatever reaches the function. Whatever the shape, it answers with a
// request or an InvalidInput error (400 / Permanent.), never another exception, and it is pure:
// no network call can happen while it runs (fetch is made to throw if it is touched).

const HEX = 'ef38f94347e94562b5bb8424a56397d8';
const jobIdish = fc.oneof(fc.constant(HEX), fc.uuid(), fc.string({ maxLength: 40 }), fc.constant('../x'), fc.integer(), fc.constant(null));
const anyJson = fc.jsonValue({ maxDepth: 4 });
const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'get', '');
const path = fc.oneof(
  fc
    .constantFrom('/archive', '/rearchive', '/report', '/restore/preview', '/restore/apply', '', '/x', '/restore')
    .chain((tail) => jobIdish.map((id) => `/imports/${String(id)}${tail}`)),
  fc.string({ maxLength: 60 }),
);

const shapes = fc.oneof(
  anyJson,
  fc.record(
    {
      jobId: jobIdish,
      force: fc.oneof(fc.boolean(), anyJson),
      action: fc.oneof(fc.constantFrom('archive', 'restore-preview', 'restore-apply'), anyJson),
      waitingSince: fc.oneof(
        fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString())),
        anyJson,
      ),
      types: anyJson,
      previewJobId: jobIdish,
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      'detail-type': fc.string(),
      source: fc.string(),
      detail: fc.oneof(anyJson, fc.record({ jobId: jobIdish, force: anyJson }, { requiredKeys: [] })),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      httpMethod: method,
      path,
      requestContext: fc.oneof(fc.constant({}), anyJson),
      pathParameters: fc.oneof(fc.constant(null), fc.record({ jobId: jobIdish })),
      body: fc.oneof(
        fc.constant(null),
        fc.string(),
        anyJson.map((v) => JSON.stringify(v)),
      ),
      isBase64Encoded: fc.boolean(),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      version: fc.constant('2.0'),
      rawPath: path,
      requestContext: fc.record({ http: fc.record({ method }) }),
      body: fc.oneof(
        fc.string(),
        anyJson.map((v) => JSON.stringify(v)),
      ),
    },
    { requiredKeys: [] },
  ),
  fc.record({
    Records: fc.oneof(
      anyJson,
      fc.array(
        fc.record(
          {
            messageId: fc.oneof(fc.string(), anyJson),
            body: fc.oneof(
              fc.string(),
              anyJson,
              anyJson.map((v) => JSON.stringify(v)),
            ),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 4 },
      ),
    ),
  }),
);

describe('parseEvent on generated events', () => {
  it('answers a request or an InvalidInput error, never anything else, and touches no network', () => {
    const realFetch = globalThis.fetch;
    globalThis.fetch = () => {
      throw new Error('the event parser made a network call');
    };
    try {
      fc.assert(
        fc.property(shapes, (event) => {
          try {
            const request = parseEvent(event);
            if (request.source === 'sqs') {
              for (const record of request.records) {
                if ('invalid' in record.request) expect(record.request.invalid).toBeInstanceOf(ArchiverError);
              }
            } else {
              expect(request.work.jobId).toMatch(/^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/);
            }
          } catch (error) {
            expect(error).toBeInstanceOf(ArchiverError);
            expect((error as ArchiverError).name).toBe('Permanent.InvalidInput');
          }
        }),
        { numRuns: 2_000 },
      );
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it('never forces from an EventBridge event or the archive route', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constant(true), anyJson), (force) => {
        const fromEvent = parseEvent({
          'detail-type': 'SP-Config Import Completed',
          source: 'sailpoint.sp-config',
          detail: { jobId: HEX, force },
        });
        const fromRoute = parseEvent({
          httpMethod: 'POST',
          path: `/imports/${HEX}/archive`,
          requestContext: {},
          queryStringParameters: { force: JSON.stringify(force) ?? 'true' },
        });
        expect(fromEvent.source !== 'sqs' && fromEvent.work.action === 'archive' && fromEvent.work.force).toBe(false);
        expect(fromRoute.source !== 'sqs' && fromRoute.work.action === 'archive' && fromRoute.work.force).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
