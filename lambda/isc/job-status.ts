import { IscError } from '../core/errors.ts';

export const RUNNING_STATUSES = ['NOT_STARTED', 'IN_PROGRESS'] as const;
export const TERMINAL_STATUSES = ['COMPLETE', 'FAILED', 'CANCELLED'] as const;
export type ImportStatusValue = (typeof RUNNING_STATUSES)[number] | (typeof TERMINAL_STATUSES)[number];

/** The fields of ISC's job status object the archiver keeps; `expiration` is optional since 2026. */
export interface ImportStatus {
  readonly jobId: string;
  readonly status: ImportStatusValue;
  readonly type: string | null;
  readonly message: string | null;
  readonly created: string | null;
  readonly modified: string | null;
  readonly completed: string | null;
  readonly expiration: string | null;
}

const KNOWN = new Set<string>([...RUNNING_STATUSES, ...TERMINAL_STATUSES]);

/**
 * What of the status object's text is kept: it goes into the manifest and every answer about the
 * job, which Lambda caps at 6 MB. A message is shortened (ending in …); a date or a type longer than
 * any real one is not one, and is dropped.
 */
export const STATUS_TEXT_LIMITS = { message: 4_000, other: 64 } as const;

export function isRunning(status: ImportStatusValue): boolean {
  return (RUNNING_STATUSES as readonly string[]).includes(status);
}

export function parseImportStatus(body: unknown, jobId: string): ImportStatus {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const status = record.status;
  if (typeof status !== 'string' || !KNOWN.has(status)) {
    throw new IscError(
      'IscUnexpectedStatus',
      `ISC reported import ${jobId} with status ${typeof status === 'string' ? JSON.stringify(status.slice(0, 40)) : 'missing'}.`,
      {
        phase: 'status',
        retryable: true,
        jobId,
      },
    );
  }
  const text = (name: string) => {
    const value = record[name];
    return typeof value === 'string' && value.length <= STATUS_TEXT_LIMITS.other ? value : null;
  };
  const message = typeof record.message === 'string' ? record.message : null;
  return {
    jobId,
    status: status as ImportStatusValue,
    type: text('type'),
    message:
      message !== null && message.length > STATUS_TEXT_LIMITS.message ? `${message.slice(0, STATUS_TEXT_LIMITS.message - 1)}…` : message,
    created: text('created'),
    modified: text('modified'),
    completed: text('completed'),
    expiration: text('expiration'),
  };
}
