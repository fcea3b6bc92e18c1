import { IMPORTABLE_TYPES, matchRoute } from '../contract/constants.ts';
import { requireJobId } from '../contract/job-id.ts';
import { InvalidInputError } from '../core/errors.ts';
import type { Log } from '../core/log.ts';
import type { Action, ApiFormat, ApiRequest, ArchiverRequest, AsyncRequest, SqsRecord } from './requests.ts';

export type { ApiFormat, ArchiverRequest } from './requests.ts';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** API Gateway events are answered with HTTP responses, everything else with results or throws. */
export function apiFormatOf(event: unknown): ApiFormat | undefined {
  if (!isObject(event) || !isObject(event.requestContext)) return undefined;
  if (event.version === '2.0' && typeof event.rawPath === 'string') return 'http';
  if (typeof event.httpMethod === 'string' && typeof event.path === 'string') return 'rest';
  return undefined;
}

/**
 * Turns any supported event into a request, or throws an InvalidInputError saying what is wrong.
 * Pure: no network call happens before an event is known to be valid.
 */
export function parseEvent(event: unknown, log?: Log): ArchiverRequest {
  if (!isObject(event)) throw new InvalidInputError('The event must be a JSON object.');
  const format = apiFormatOf(event);
  if (format) return parseApi(event, format);
  if (Array.isArray(event.Records)) return { source: 'sqs', records: event.Records.map((record, i) => parseRecord(record, i, log)) };
  return parseAsync(event, log);
}

/** A direct invoke or an EventBridge event (also the body of an SQS record). */
function parseAsync(event: Json, log: Log | undefined): AsyncRequest {
  if ('detail-type' in event || ('detail' in event && 'source' in event)) {
    if (!isObject(event.detail)) throw new InvalidInputError('The EventBridge event has no detail object.');
    // Anyone who may put events on the bus could force: events never do (docs/contract.md).
    if (event.detail.force !== undefined)
      log?.warn('Ignoring detail.force: events never force a re-archive', { jobId: event.detail.jobId });
    return { source: 'eventbridge', work: { action: 'archive', jobId: requireJobId(event.detail.jobId, 'detail.jobId'), force: false } };
  }
  if ('jobId' in event) return { source: 'direct', work: directAction(event) };
  throw new InvalidInputError(
    'Unrecognised event: expected {"jobId": "..."}, an EventBridge event with detail.jobId, an SQS batch, or an API Gateway request to /imports/{jobId}.',
  );
}

function directAction(event: Json): Action {
  const jobId = requireJobId(event.jobId, 'jobId');
  const action = event.action ?? 'archive';
  if (action === 'archive')
    return { action, jobId, force: flag(event.force, 'force'), waitingSince: instant(event.waitingSince, 'waitingSince') };
  if (action === 'restore-preview') return { action, jobId, types: types(event.types, 'types') };
  if (action === 'restore-apply')
    return { action, jobId, previewJobId: requireJobId(event.previewJobId, 'previewJobId'), types: types(event.types, 'types') };
  throw new InvalidInputError('action must be "archive", "restore-preview" or "restore-apply".', jobId);
}

function parseRecord(record: unknown, index: number, log: Log | undefined): SqsRecord {
  const messageId = isObject(record) && typeof record.messageId === 'string' ? record.messageId : `record-${index}`;
  try {
    if (!isObject(record) || typeof record.body !== 'string') throw new InvalidInputError('An SQS record has no body.');
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      throw new InvalidInputError('An SQS record body is not JSON.');
    }
    if (!isObject(body)) throw new InvalidInputError('An SQS record body must be a JSON object.');
    return { messageId, request: parseAsync(body, log) };
  } catch (error) {
    return { messageId, request: { invalid: error as Error } };
  }
}

function parseApi(event: Json, format: ApiFormat): ApiRequest {
  const http = isObject(event.requestContext) && isObject(event.requestContext.http) ? event.requestContext.http : {};
  const method = String(format === 'http' ? http.method : event.httpMethod).toUpperCase();
  const path = String(format === 'http' ? event.rawPath : event.path);
  const found = matchRoute(method, path);
  if (!found) throw new InvalidInputError(`No route for ${method} ${path.slice(0, 100)}.`);
  // The path parameter is what API Gateway matched; a raw path may still be URL-encoded.
  const params = isObject(event.pathParameters) ? event.pathParameters : {};
  const jobId = requireJobId(params.jobId ?? safeDecode(found.jobIdSegment), 'the path');
  switch (found.route) {
    case 'archive':
      // POST .../archive never forces, whatever the query says: force has its own route for IAM.
      return { source: 'api', format, work: { action: 'archive', jobId, force: false } };
    case 'rearchive':
      return { source: 'api', format, work: { action: 'archive', jobId, force: true } };
    case 'status':
    case 'report':
      return { source: 'api', format, work: { action: found.route, jobId } };
    case 'restorePreview': {
      const body = jsonBody(event, false);
      return { source: 'api', format, work: { action: 'restore-preview', jobId, types: types(body.types, 'types') } };
    }
    case 'restoreApply': {
      const body = jsonBody(event, true);
      return {
        source: 'api',
        format,
        work: {
          action: 'restore-apply',
          jobId,
          previewJobId: requireJobId(body.previewJobId, 'previewJobId'),
          types: types(body.types, 'types'),
        },
      };
    }
  }
}

/** The request body as a JSON object (API Gateway may base64-encode it). */
function jsonBody(event: Json, required: boolean): Json {
  const raw =
    typeof event.body === 'string'
      ? event.isBase64Encoded === true
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body
      : '';
  if (raw.trim() === '') {
    if (required) throw new InvalidInputError('The request needs a JSON body.');
    return {};
  }
  if (raw.length > 64 * 1024) throw new InvalidInputError('The request body is larger than 64 KB.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidInputError('The request body is not JSON.');
  }
  if (!isObject(parsed)) throw new InvalidInputError('The request body must be a JSON object.');
  return parsed;
}

function types(value: unknown, where: string): readonly string[] | undefined {
  if (value === undefined || value === null) return undefined;
  // A bound before the loop (a body holds at most 64 KB); repeats are allowed and dropped below.
  if (!Array.isArray(value) || value.length === 0 || value.length > 1_000) {
    throw new InvalidInputError(`${where} must be a non-empty list of object types.`);
  }
  for (const type of value) {
    if (typeof type !== 'string' || !(IMPORTABLE_TYPES as readonly string[]).includes(type)) {
      const shown = typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : typeof type;
      throw new InvalidInputError(`${where} names ${shown}, which is not a type import supports (${IMPORTABLE_TYPES.join(', ')}).`);
    }
  }
  return [...new Set(value as string[])].sort();
}

function flag(value: unknown, where: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new InvalidInputError(`${where} must be true or false.`);
  return value;
}

function instant(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > 40 || Number.isNaN(Date.parse(value)))
    throw new InvalidInputError(`${where} must be an ISO-8601 time.`);
  // A wait that began in the future would never reach MAX_WAIT_MINUTES (clocks may differ a little).
  if (Date.parse(value) > Date.now() + 5 * 60_000) throw new InvalidInputError(`${where} must not be in the future.`);
  return new Date(value).toISOString();
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
