import type { ArchiverConfig } from '../contract/config.ts';
import type { Log } from '../core/log.ts';
import type { Manifest } from '../domain/manifest.ts';
import type { IscClient } from '../isc/isc-client.ts';
import type { ImportStatus } from '../isc/job-status.ts';
import type { CredentialSource } from '../isc/secret-source.ts';
import type { ArchiveStore } from '../storage/archive-store.ts';
import type { ClaimHolder } from './claim.ts';

/** What the archive flow works with; the runtime builds it once per container, tests pass fakes. */
export interface ArchiveDeps {
  readonly config: ArchiverConfig;
  readonly credentials: CredentialSource;
  readonly isc: IscClient;
  readonly store: ArchiveStore;
  readonly log: Log;
  readonly now?: () => Date;
}

export interface ArchiveRequest {
  readonly jobId: string;
  /** Archive again over an existing archive (direct invoke or the rearchive route only). */
  readonly force: boolean;
  /** Wait for a running job (asynchronous deliveries); the API reports a running job at once. */
  readonly wait: boolean;
  /** Names this delivery in the claim: Lambda's request id, the same on Lambda's own retries. */
  readonly requestId: string;
}

export interface Archived {
  readonly outcome: 'ARCHIVED' | 'ALREADY_ARCHIVED' | 'CANCELLED';
  readonly manifest: Manifest;
  readonly manifestKey: string;
  readonly bucket: string;
}

/** Still running when this invocation's time ran low: the caller hands the wait on. */
export interface StillRunning {
  readonly outcome: 'RUNNING';
  readonly job: ImportStatus;
}

/** Another live delivery holds the claim and is archiving the job now. */
export interface BeingArchived {
  readonly outcome: 'BUSY';
  readonly holder: ClaimHolder;
}

export type ArchiveResult = Archived | StillRunning | BeingArchived;
