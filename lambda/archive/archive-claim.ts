import type { ArchiveStore } from '../storage/archive-store.ts';
import { ArchiverError } from '../core/errors.ts';

/** Longer than Lambda's 15-minute maximum: a claim older than this belongs to a dead invocation. */
export const LEASE_MS = 16 * 60_000;

export type LeaseResult =
  | { readonly acquired: true; release(): Promise<void> }
  | { readonly acquired: false; readonly owner: string; readonly claimedAt: string };

/**
 * One delivery at a time writes a job's objects. Without this, two racing deliveries could
 * interleave their results/report writes and leave a manifest whose hashes match the other's
 * bytes. The claim is a small object next to the manifest, created with If-None-Match and taken
 * over (If-Match) only once stale; it is deleted after the manifest is written.
 */
export async function acquireLease(store: ArchiveStore, key: string, owner: string, now: () => Date): Promise<LeaseResult> {
  const body = () => Buffer.from(JSON.stringify({ owner, claimedAt: now().toISOString() }));
  const acquired = { acquired: true, release: () => store.remove(key) } as const;
  if (await store.putConditional(key, body(), 'application/json', { ifNoneMatch: '*' })) return acquired;

  const current = await store.get(key);
  if (!current) {
    // Released between our write and our read: try once more.
    return (await store.putConditional(key, body(), 'application/json', { ifNoneMatch: '*' })) ? acquired : held('unknown', now());
  }
  const claim = readClaim(current.body);
  if (now().getTime() - Date.parse(claim.claimedAt) < LEASE_MS) return { acquired: false, ...claim };
  const took = current.etag !== undefined && (await store.putConditional(key, body(), 'application/json', { ifMatch: current.etag }));
  return took ? acquired : { acquired: false, ...claim };
}

function readClaim(body: Buffer): { owner: string; claimedAt: string } {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { owner?: unknown; claimedAt?: unknown };
    if (typeof parsed.owner === 'string' && typeof parsed.claimedAt === 'string' && !Number.isNaN(Date.parse(parsed.claimedAt))) {
      return { owner: parsed.owner, claimedAt: parsed.claimedAt };
    }
  } catch {
    // An unreadable claim is treated as stale below.
  }
  return { owner: 'unknown', claimedAt: new Date(0).toISOString() };
}

function held(owner: string, at: Date): LeaseResult {
  return { acquired: false, owner, claimedAt: at.toISOString() };
}

/**
 * The claim went to another delivery (or one finished first) while this one was downloading.
 * It stops the download before anything is written and never leaves archiveJob.
 */
export class ClaimLostError extends ArchiverError {
  constructor(jobId: string) {
    super('ClaimLost', `Another delivery has the claim on ${jobId}.`, { phase: 'archive', retryable: false, jobId });
  }
}
