import { API_VERSIONS, prefixProblem } from '../lambda/contract/constants.ts';
import type { IscImportArchiverProps } from './import-archiver.ts';

/** Five archivers at once stay well inside ISC's 100 requests per 10 s per client id. */
export const DEFAULT_MAX_CONCURRENCY = 5;
/** The event source mapping's own range for maximum concurrency. */
const MAX_CONCURRENCY_RANGE = [2, 1000] as const;
/** ISC keeps an import's results for about a week; waiting longer cannot archive anything. */
const MAX_WAIT_LIMIT_MINUTES = 7 * 24 * 60;

const whole = (value: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER) =>
  value === undefined || (Number.isInteger(value) && value >= min && value <= max);

/** Refuses invalid props with a message naming the setting, before anything is built. */
export function validateArchiverProps(props: IscImportArchiverProps): void {
  const problem = prefixProblem(props.archivePrefix ?? '');
  if (problem) throw new Error(`archivePrefix ${problem}.`);
  if (props.timeout && (props.timeout.toSeconds() < 60 || props.timeout.toSeconds() > 900))
    throw new Error('timeout must be between 1 and 15 minutes.');
  if (props.iscApiVersion !== undefined && !API_VERSIONS.includes(props.iscApiVersion))
    throw new Error(`iscApiVersion must be one of ${API_VERSIONS.join(', ')}.`);
  if (!whole(props.maxWaitMinutes, 1, MAX_WAIT_LIMIT_MINUTES))
    throw new Error(`maxWaitMinutes must be a whole number from 1 to ${MAX_WAIT_LIMIT_MINUTES}.`);
  const [low, high] = MAX_CONCURRENCY_RANGE;
  if (!whole(props.maxConcurrency, low, high)) throw new Error(`maxConcurrency must be a whole number from ${low} to ${high}.`);
  const maxConcurrency = props.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
  if (props.reservedConcurrency !== undefined && !whole(props.reservedConcurrency, maxConcurrency + 1)) {
    // At or below the queue's cap, queued deliveries are throttled back (each throttle counts as a
    // receive toward the failed-jobs queue) and API calls find no room.
    throw new Error(
      `reservedConcurrency, when set, must be a whole number above maxConcurrency (${maxConcurrency}), so API calls keep room beside background archives.`,
    );
  }
  if (props.bucket && (props.objectLock || props.transitionAfterDays !== undefined)) {
    throw new Error('objectLock and transitionAfterDays configure a new bucket; set them on the existing bucket instead.');
  }
}
