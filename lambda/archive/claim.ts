import { CLAIM_TAG, CONTENT_TYPES } from '../contract/constants.ts';
import { bestEffort } from '../core/background.ts';
import { ArchiverError } from '../core/errors.ts';
import type { Log } from '../core/log.ts';
import type { ArchiveStore, ConditionalWrite } from '../storage/archive-store.ts';
import { parseManifest } from './manifest.ts';

/** Who holds a job's claim: the Lambda request id, and when that invocation ends at the latest. */
export interface ClaimHolder {
  readonly requestId: string;
  /** ISO-8601: past this, the holder is dead (Lambda stopped it) and anyone may take the claim. */
  readonly deadline: string;
  /** ISO-8601: when it took the claim; a manifest archived after it means the holder finished. */
  readonly claimedAt?: string;
}

/** Whether the job's current manifest was archived at or after this time (its holder finished). */
export type ArchivedSince = (claimedAt: string) => Promise<boolean>;

/** ArchivedSince read from the job's manifest in S3. */
export function manifestArchivedSince(store: ArchiveStore, manifestKey: string, signal?: AbortSignal): ArchivedSince {
  return async (claimedAt) => {
    const current = await store.get(manifestKey, { signal });
    return current !== undefined && parseManifest(current.body, manifestKey).archivedAt >= claimedAt;
  };
}

/**
 * One delivery at a time writes a job's objects, so racing deliveries never mix theirs. The claim
 * is a small object beside the manifest, created with If-None-Match. It names its holder and the
 * holder's deadline, so a crash never blocks the job for longer than the crashed invocation could
 * have run: Lambda's retry of the same request takes the claim back at once, and any delivery
 * takes over a claim whose holder's deadline has passed (If-Match on the claim's ETag, so two
 * takers cannot both win). A delivery that wrote its manifest leaves its claim in place rather
 * than spend a round trip removing it: the manifest, archived after the claim was taken, says the
 * holder finished, so the next writer (a forced run) takes it over at once; a lifecycle rule
 * expires it (CLAIM_TAG). One that gives up without a manifest removes it.
 */
export class ArchiveClaim {
  readonly #store: ArchiveStore;
  readonly #key: string;
  readonly #me: ClaimHolder;
  readonly #log: Log;
  /** The ETag of the claim as we wrote it: released only while it is still ours. */
  #etag: string | undefined;
  #ours = false;

  readonly #signal: AbortSignal | undefined;

  private constructor(store: ArchiveStore, key: string, me: ClaimHolder, log: Log, signal: AbortSignal | undefined) {
    this.#signal = signal;
    this.#store = store;
    this.#key = key;
    this.#me = me;
    this.#log = log;
  }

  /** Tries to take the claim; resolves to the claim when ours, or to the live holder's name. */
  static async take(
    store: ArchiveStore,
    key: string,
    me: ClaimHolder,
    now: () => number,
    log: Log,
    signal?: AbortSignal,
    archivedSince?: ArchivedSince,
  ): Promise<ArchiveClaim | ClaimHolder> {
    const claim = new ArchiveClaim(store, key, { ...me, claimedAt: new Date(now()).toISOString() }, log, signal);
    const holder = await claim.#acquire(now, archivedSince);
    return holder ?? claim;
  }

  /** Whether this claim is held (it is, until released). */
  held(): boolean {
    return this.#ours;
  }

  /** Removes the claim: the delivery gives up without writing a manifest. */
  async release(): Promise<void> {
    if (!this.#ours) return;
    this.#ours = false;
    // If-Match: a claim taken over by another delivery (we outlived our deadline) is theirs to remove.
    await bestEffort(
      () => this.#store.delete(this.#key, { ifMatch: this.#etag, signal: this.#signal }),
      this.#log,
      'Removing the archive claim',
      { key: this.#key },
    );
  }

  async #acquire(now: () => number, archivedSince: ArchivedSince | undefined): Promise<ClaimHolder | undefined> {
    const body = Buffer.from(JSON.stringify(this.#me));
    const tags = { [CLAIM_TAG.key]: CLAIM_TAG.value };
    const put = (condition: ConditionalWrite) =>
      this.#store.putConditional(this.#key, body, CONTENT_TYPES.json, condition, { tags, signal: this.#signal });
    for (let attempt = 0; attempt < 2; attempt++) {
      const created = await put({ ifNoneMatch: '*' });
      if (created) return this.#won(created.etag);
      const current = await this.#store.get(this.#key, { signal: this.#signal });
      // Removed between our write and our read: the job is free again, try once more.
      if (!current) continue;
      const holder = readHolder(current.body);
      const mine = holder?.requestId === this.#me.requestId;
      const expired = holder === undefined || Date.parse(holder.deadline) <= now();
      const finished = !mine && !expired && holder.claimedAt !== undefined && (await archivedSince?.(holder.claimedAt)) === true;
      if (!mine && !expired && !finished) return holder;
      const why = mine ? 'a retry of this request' : finished ? 'its holder finished' : 'its holder has run out of time';
      this.#log.info(`Taking over the claim: ${why}`, {
        key: this.#key,
        holder: holder?.requestId,
        holderDeadline: holder?.deadline,
      });
      const condition = current.etag === undefined ? ({ ifNoneMatch: '*' } as const) : { ifMatch: current.etag };
      const taken = await put(condition);
      if (taken) return this.#won(taken.etag);
      // Someone else took it over first; report them if they are alive.
      const winner = await this.#store.get(this.#key, { signal: this.#signal });
      const winnerHolder = winner ? readHolder(winner.body) : undefined;
      if (winnerHolder && Date.parse(winnerHolder.deadline) > now()) return winnerHolder;
    }
    return { requestId: 'unknown', deadline: new Date(now() + 1_000).toISOString() };
  }

  #won(etag: string | undefined): undefined {
    this.#ours = true;
    this.#etag = etag;
    return undefined;
  }
}

function readHolder(body: Buffer): ClaimHolder | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Partial<ClaimHolder>;
    if (typeof parsed.requestId === 'string' && typeof parsed.deadline === 'string' && !Number.isNaN(Date.parse(parsed.deadline))) {
      const claimedAt = typeof parsed.claimedAt === 'string' && !Number.isNaN(Date.parse(parsed.claimedAt)) ? parsed.claimedAt : undefined;
      return { requestId: parsed.requestId, deadline: parsed.deadline, ...(claimedAt ? { claimedAt } : {}) };
    }
  } catch {
    // Unreadable (an older format or a torn write): treated as expired by the caller.
  }
  return undefined;
}

/**
 * Another live delivery holds the job's claim. It stops this delivery's download before anything
 * is written (not retryable there: downloading again would not free the claim) and never leaves
 * the archive flow, which reports the job as being archived.
 */
export class ClaimBusyError extends ArchiverError {
  readonly holder: ClaimHolder;
  constructor(jobId: string, holder: ClaimHolder) {
    super('ClaimBusy', `Another delivery (${holder.requestId}) is archiving ${jobId} until ${holder.deadline}.`, {
      phase: 'archive',
      retryable: false,
      jobId,
    });
    this.holder = holder;
  }
}

/** A delivery finished the job between this one's first look for a manifest and its claim. */
export class ArchivedMeanwhileError extends ArchiverError {
  readonly manifestBody: Buffer;
  constructor(jobId: string, manifestBody: Buffer) {
    super('ArchivedMeanwhile', `Another delivery archived ${jobId} first.`, { phase: 'archive', retryable: false, jobId });
    this.manifestBody = manifestBody;
  }
}
