import { randomUUID } from 'node:crypto';
import { IMPORT_EVENT_PATTERN, matchRoute, ROUTES, type RouteName, routePath } from '../../lambda/contract/constants.ts';

// The events the function is invoked with, shaped as AWS sends them (docs/contract.md, "Events it accepts").

/** An EventBridge event as the default rule delivers it. */
export function eventBridgeEvent(detail: Record<string, unknown>) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': IMPORT_EVENT_PATTERN.detailType[0],
    source: IMPORT_EVENT_PATTERN.source[0],
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

/** An SQS event source mapping batch; each body is sent as the queue holds it (a JSON string). */
export function sqsEvent(records: readonly { readonly messageId: string; readonly body: unknown }[]) {
  return {
    Records: records.map(({ messageId, body }) => ({
      messageId,
      receiptHandle: `handle-${messageId}`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()) },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:isc-import-archiver-deliveries',
      awsRegion: 'us-east-1',
    })),
  };
}

/** API Gateway REST (payload 1.0). `jobId` undefined: no path parameters (API Gateway matched none). */
export function restEvent(method: string, path: string, jobId: string | undefined, query: Record<string, string> | null = null) {
  const route = matchRoute(method, path)?.route;
  return {
    resource: route ? `/imports/{jobId}${ROUTES[route].path}` : path,
    path,
    httpMethod: method,
    headers: {},
    queryStringParameters: query,
    pathParameters: jobId === undefined ? null : { jobId },
    requestContext: { requestId: randomUUID(), stage: 'prod', httpMethod: method },
    body: null,
    isBase64Encoded: false,
  };
}

/** API Gateway HTTP API (payload 2.0). */
export function httpEvent(method: string, path: string, jobId: string, rawQueryString = '') {
  return {
    version: '2.0',
    routeKey: `${method} ${path.replace(jobId, '{jobId}')}`,
    rawPath: path,
    rawQueryString,
    headers: {},
    pathParameters: { jobId },
    requestContext: { requestId: randomUUID(), http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' } },
    isBase64Encoded: false,
  };
}

/** A REST request to one of the contract's routes for a job. */
export function routeEvent(route: RouteName, jobId: string, query: Record<string, string> | null = null) {
  return restEvent(ROUTES[route].method, routePath(route, jobId), jobId, query);
}
