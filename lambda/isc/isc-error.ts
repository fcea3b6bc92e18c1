import { RequestError } from 'got';
import { ArchiverError, IscError, type Phase, TimeBudgetError } from '../core/errors.ts';
import { answerLimitPassed } from './isc-http.ts';

export interface IscFailure {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly body: Buffer;
  readonly phase: Phase;
  readonly jobId?: string | undefined;
  readonly attempts?: number | undefined;
}

interface Envelope {
  detailCode?: string;
  trackingId?: string;
  message?: string;
}

/** Reads ISC's error envelope (or the 429 and 401 shapes) without trusting it to be JSON. */
export function readEnvelope(body: Buffer): Envelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.subarray(0, 64 * 1024).toString('utf8'));
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const record = parsed as Record<string, unknown>;
  const first = Array.isArray(record.messages) ? (record.messages[0] as Record<string, unknown> | undefined) : undefined;
  const text = [first?.text, record.message, record.error, record.error_description].find((v) => typeof v === 'string');
  return {
    detailCode: typeof record.detailCode === 'string' ? record.detailCode : undefined,
    trackingId: typeof record.trackingId === 'string' ? record.trackingId : undefined,
    message: typeof text === 'string' ? text.trim().slice(0, 300) : undefined,
  };
}

const HINTS: Record<number, string> = {
  401: 'ISC rejected the access token even after a fresh one was issued; check the client id and secret.',
  403: 'the token lacks access: sp-config imports need scope sp:config:manage and an ORG_ADMIN user (a personal access token of an ORG_ADMIN).',
  404: 'ISC does not know this job (wrong tenant, or it expired: ISC keeps import artifacts for about a week).',
};

const CODES: Record<number, string> = {
  400: 'IscBadRequest',
  401: 'IscUnauthorized',
  403: 'IscForbidden',
  404: 'IscNotFound',
  429: 'IscRateLimited',
};

/** Turns an ISC error response into a typed error carrying what ISC support asks for. */
export function iscErrorFrom(failure: IscFailure): IscError {
  const envelope = readEnvelope(failure.body);
  const retryable = failure.status === 429 || failure.status >= 500 || failure.status === 408;
  const code = CODES[failure.status] ?? (failure.status >= 500 ? 'IscServerError' : 'IscClientError');
  const parts = [`ISC answered ${failure.status} to ${failure.method} ${failure.path}`];
  if (envelope.message) parts.push(`"${envelope.message}"`);
  if (envelope.trackingId) parts.push(`(trackingId ${envelope.trackingId})`);
  const hint = HINTS[failure.status];
  return new IscError(code, hint ? `${parts.join(' ')}: ${hint}` : parts.join(' '), {
    phase: failure.phase,
    retryable,
    jobId: failure.jobId,
    httpStatus: failure.status,
    trackingId: envelope.trackingId,
    detailCode: envelope.detailCode,
    attempts: failure.attempts,
  });
}

/**
 * A failure that never got an answer from ISC: out of time (not worth retrying now), or unreachable.
 * `deadline` is the signal the request was sent with: got reports its abort as a timeout, just like
 * its own per-request timeouts, so only the signal tells the two apart.
 */
export function networkError(
  error: unknown,
  phase: Phase,
  jobId: string | undefined,
  attempts: number,
  deadline?: AbortSignal,
): ArchiverError {
  if (error instanceof ArchiverError) return error;
  const limit = answerLimitPassed(error);
  if (limit !== undefined) {
    return new IscError('IscInvalidBody', `ISC answered with more than ${limit} bytes where a small JSON document was expected.`, {
      phase,
      retryable: false,
      jobId,
      attempts,
    });
  }
  const name = (error as Error | undefined)?.name;
  if (deadline?.aborted || name === 'AbortError') {
    return new TimeBudgetError('The invocation ran out of time while talking to ISC.', phase, jobId);
  }
  const code = error instanceof RequestError ? error.code : (error as { code?: string } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return new IscError('IscUnreachable', `ISC could not be reached or its answer was cut short (${code ?? name ?? 'error'}: ${message}).`, {
    phase,
    retryable: true,
    jobId,
    attempts,
    cause: error,
  });
}

/** got hands bodies over as Uint8Array; read them as a Buffer without copying. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A redirect the archiver will not follow: it would carry the client secret or the token away, or
 * downgrade to plain http. Permanent: asking again gets the same redirect. Only the target's
 * origin is named; its path and query may carry anything.
 */
export function redirectRefused(
  method: string,
  from: string,
  status: number,
  location: string | undefined,
  phase: Phase,
  jobId: string | undefined,
  why: string,
): IscError {
  let target = 'no Location';
  if (location !== undefined) {
    try {
      target = new URL(location, from).origin;
    } catch {
      target = 'an unreadable Location';
    }
  }
  return new IscError(
    'IscRedirectRefused',
    `ISC answered ${status} to ${method} ${new URL(from).pathname}, redirecting to ${target}; not followed: ${why}.`,
    {
      phase,
      retryable: false,
      jobId,
      httpStatus: status,
    },
  );
}

/**
 * A success status other than 200 on a GET (204 No Content, 206 Partial Content without a Range
 * request, ...): there is no document to read. Retryable like a body cut short: the archiver never
 * asks for a range, so this is ISC or a proxy misbehaving for a moment, and the retries are bounded.
 */
export function unexpectedSuccess(status: number, method: string, path: string, phase: Phase, jobId: string | undefined): IscError {
  return new IscError('IscUnexpectedHttpStatus', `ISC answered ${status} to ${method} ${path}, where a 200 with a document was expected.`, {
    phase,
    retryable: true,
    jobId,
    httpStatus: status,
  });
}

export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
