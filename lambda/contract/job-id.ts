import { InvalidInputError } from '../core/errors.ts';

// ISC shows both forms: 32 hex characters and dashed UUIDs. Nothing else reaches a URL or a key.
const JOB_ID = /^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

export function isJobId(value: unknown): value is string {
  return typeof value === 'string' && JOB_ID.test(value);
}

/** Returns the job id, or throws naming what is wrong without echoing a huge or hostile value. */
export function requireJobId(value: unknown, where: string): string {
  // One job, one archive: ISC ids are lower case, so an upper-case copy must not start a second one.
  if (isJobId(value)) return value.toLowerCase();
  if (value === undefined || value === null || value === '') {
    throw new InvalidInputError(`Missing job id in ${where}.`);
  }
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : typeof value;
  throw new InvalidInputError(`Invalid job id in ${where}: ${shown} (expected 32 hex characters or a dashed UUID).`);
}
