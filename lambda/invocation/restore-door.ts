import type { Deadline, InvocationClock } from '../core/deadline.ts';
import { ArchiverError } from '../core/errors.ts';
import type { ApiResponse } from './api-response.ts';
import type { RestoreApplyAction, RestorePreviewAction } from './requests.ts';
import type { Runtime } from './runtime.ts';

export async function startRestore(work: RestorePreviewAction | RestoreApplyAction, _rt: Runtime, _deadline: Deadline, _requestId: string): Promise<ApiResponse> {
  throw new ArchiverError('NotImplemented', `restore of ${work.jobId}`, { phase: 'input', retryable: false });
}

export async function runRestoreInBackground(work: RestorePreviewAction | RestoreApplyAction, _rt: Runtime, _context: InvocationClock, _requestId: string): Promise<unknown> {
  throw new ArchiverError('NotImplemented', `restore of ${work.jobId}`, { phase: 'input', retryable: false });
}
