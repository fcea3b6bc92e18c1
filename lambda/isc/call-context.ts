import type { Deadline } from '../core/deadline.ts';
import type { Phase } from '../core/errors.ts';

/** What every ISC call carries: the phase and job its errors name, and the deadline it ends before. */
export interface CallContext {
  readonly phase: Phase;
  readonly jobId?: string | undefined;
  /** Every request of the call, the token request and the secret read included, ends before it. */
  readonly deadline: Deadline;
}
