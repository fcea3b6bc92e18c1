import { ArchiverError, ImportStillRunningError, IscError, TimeBudgetError } from '../core/errors.ts';

export interface ApiResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly isBase64Encoded: false;
}

const COMMON = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

export function jsonResponse(statusCode: number, body: unknown): ApiResponse {
  return { statusCode, headers: { ...COMMON, 'content-type': 'application/json' }, body: JSON.stringify(body), isBase64Encoded: false };
}

export function htmlResponse(body: string): ApiResponse {
  return {
    statusCode: 200,
    headers: {
      ...COMMON,
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    },
    body,
    isBase64Encoded: false,
  };
}

const DETAIL: Record<number, string> = {
  400: '400.1 Bad Request Content',
  404: '404 Not found',
  409: '409 Conflict',
  500: '500.0 Internal Fault',
  502: '502 Bad Gateway',
  504: '504 Gateway Timeout',
};

/** ISC's own error envelope, so callers handle the archiver's errors like ISC's. */
export function errorResponse(statusCode: number, text: string, trackingId: string): ApiResponse {
  return jsonResponse(statusCode, {
    detailCode: DETAIL[statusCode] ?? `${statusCode}`,
    trackingId,
    messages: [{ locale: 'en-US', localeOrigin: 'DEFAULT', text }],
  });
}

/** The HTTP status an error deserves: the caller's fault, not there, upstream failed, or out of time. */
export function statusFor(error: unknown): number {
  if (!(error instanceof ArchiverError)) return 500;
  if (error.code === 'InvalidInput') return 400;
  if (error.code === 'RestoreRefused') return 409;
  if (error instanceof IscError && error.httpStatus === 404) return 404;
  if (error instanceof TimeBudgetError || error instanceof ImportStillRunningError) return 504;
  return 502;
}

export function errorToResponse(error: unknown, requestId: string): ApiResponse {
  const status = statusFor(error);
  const text = error instanceof ArchiverError ? error.message : 'The archiver failed unexpectedly; see its logs.';
  const trackingId = (error instanceof ArchiverError && error.trackingId) || requestId.replace(/-/g, '');
  return errorResponse(status, text, trackingId);
}
