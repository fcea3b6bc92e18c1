// What an event asks for, whatever door it came through (docs/contract.md, "Events it accepts").

export type ApiFormat = 'rest' | 'http';
export type Source = 'direct' | 'eventbridge' | 'sqs' | 'api';

export interface ArchiveAction {
  readonly action: 'archive';
  readonly jobId: string;
  /** Only a direct invoke or the rearchive route forces. */
  readonly force: boolean;
  /** Set on a continuation: when the wait for this running import began (ISO-8601). */
  readonly waitingSince?: string | undefined;
}

export interface RestorePreviewAction {
  readonly action: 'restore-preview';
  readonly jobId: string;
  /** Narrow the restore to these object types (default: every touched type the backup holds). */
  readonly types?: readonly string[] | undefined;
}

export interface RestoreApplyAction {
  readonly action: 'restore-apply';
  readonly jobId: string;
  readonly previewJobId: string;
  readonly types?: readonly string[] | undefined;
}

export interface ReadAction {
  readonly action: 'status' | 'report';
  readonly jobId: string;
}

export type Action = ArchiveAction | RestorePreviewAction | RestoreApplyAction;

/** One request from a direct invoke, an EventBridge event or an SQS record body. */
export interface AsyncRequest {
  readonly source: 'direct' | 'eventbridge';
  readonly work: Action;
}

export interface ApiRequest {
  readonly source: 'api';
  readonly format: ApiFormat;
  readonly work: Action | ReadAction;
}

export interface SqsRecord {
  readonly messageId: string;
  /** The record's request, or why its body could not be read (never retried: it cannot get better). */
  readonly request: AsyncRequest | { readonly invalid: Error };
}

export interface SqsBatch {
  readonly source: 'sqs';
  readonly records: readonly SqsRecord[];
}

export type ArchiverRequest = AsyncRequest | ApiRequest | SqsBatch;
