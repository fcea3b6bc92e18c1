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
  const text = (name: string) => (typeof record[name] === 'string' ? (record[name] as string) : null);
  return {
    jobId,
    status: status as ImportStatusValue,
    type: text('type'),
    message: text('message'),
    created: text('created'),
    modified: text('modified'),
    completed: text('completed'),
    expiration: text('expiration'),
  };
}
