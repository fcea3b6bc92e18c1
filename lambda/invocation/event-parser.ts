import { InvalidInputError } from '../core/errors.ts';
import { requireJobId } from '../contract/job-id.ts';

export type ApiFormat = 'rest' | 'http';
export type ApiAction = 'archive' | 'status' | 'report';

/** What an event asks for, whatever its source. */
export type ArchiverRequest =
  | { readonly source: 'direct' | 'eventbridge'; readonly action: 'archive'; readonly jobId: string; readonly force: boolean }
  | { readonly source: 'api'; readonly format: ApiFormat; readonly action: ApiAction; readonly jobId: string; readonly force: boolean };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** API Gateway events are answered with HTTP responses, everything else with results or throws. */
export function apiFormatOf(event: unknown): ApiFormat | undefined {
  if (!isObject(event) || !isObject(event.requestContext)) return undefined;
  if (event.version === '2.0' && typeof event.rawPath === 'string') return 'http';
  if (typeof event.httpMethod === 'string' && typeof event.path === 'string') return 'rest';
  return undefined;
}

const ROUTE = /\/imports\/([^/]*)(\/archive|\/report)?\/?$/;

/** Turns any supported event into a request, or throws an InvalidInputError saying what is wrong. */
export function parseEvent(event: unknown): ArchiverRequest {
  if (!isObject(event)) throw new InvalidInputError('The event must be a JSON object.');
  const format = apiFormatOf(event);
  if (format) return parseApi(event, format);
  if ('detail-type' in event || ('detail' in event && 'source' in event)) {
    if (!isObject(event.detail)) throw new InvalidInputError('The EventBridge event has no detail object.');
    return { source: 'eventbridge', action: 'archive', jobId: requireJobId(event.detail.jobId, 'detail.jobId'), force: force(event.detail.force, 'detail.force') };
  }
  if ('jobId' in event) {
    return { source: 'direct', action: 'archive', jobId: requireJobId(event.jobId, 'jobId'), force: force(event.force, 'force') };
  }
  throw new InvalidInputError(
    'Unrecognised event: expected {"jobId": "..."}, an EventBridge event with detail.jobId, or an API Gateway request to /imports/{jobId}.',
  );
}

function parseApi(event: Json, format: ApiFormat): ArchiverRequest {
  const http = isObject(event.requestContext) && isObject(event.requestContext.http) ? event.requestContext.http : {};
  const method = String(format === 'http' ? http.method : event.httpMethod).toUpperCase();
  const path = String(format === 'http' ? event.rawPath : event.path);
  const match = ROUTE.exec(path);
  if (!match) throw new InvalidInputError(`No route for ${method} ${path.slice(0, 100)}.`);
  const action: ApiAction | undefined =
    method === 'POST' && match[2] === '/archive' ? 'archive'
    : method === 'GET' && match[2] === undefined ? 'status'
    : method === 'GET' && match[2] === '/report' ? 'report'
    : undefined;
  if (!action) throw new InvalidInputError(`No route for ${method} ${path.slice(0, 100)}.`);
  // The path parameter is what API Gateway matched; a raw path may still be URL-encoded.
  const params = isObject(event.pathParameters) ? event.pathParameters : {};
  const jobId = requireJobId(params.jobId ?? safeDecode(match[1]!), 'the path');
  const query = isObject(event.queryStringParameters) ? event.queryStringParameters : {};
  return { source: 'api', format, action, jobId, force: action === 'archive' && query.force === 'true' };
}

function force(value: unknown, where: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new InvalidInputError(`${where} must be true or false.`);
  return value;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
