// changes-200mb: what recording the changes costs on a large backup, in time and in memory.
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { archiveKeys } from '../lambda/contract/archive-keys.ts';
import type { DevStack } from '../local/dev-stack.ts';
import { LOCAL_S3_CREDENTIALS } from '../local/s3-server.ts';
import { jobWithTouchedObjectsAtTheEnd } from './jobs.ts';
import { worker } from './processes.ts';
import { median, round, type Scorecard } from './scorecard.ts';

export interface ChangesPlan {
  readonly backupBytes: number;
  /** Rounds of one fresh process per variant each, the order alternating. */
  readonly rounds: number;
  /** Median peak RSS of a fresh process archiving the 1 MB job (memory-growth's baseline), in KB. */
  readonly smallRssKb: number;
  /** The memory-growth budget, in MB. */
  readonly budgetMb: number;
}

type Variant = 'on' | 'off';

/**
 * One job, its backup of `backupBytes` holding the touched objects at its very end, archived with
 * ARCHIVE_CHANGES=true and with ARCHIVE_CHANGES=false, each run in a fresh process under its own
 * prefix (so the same job is archived anew each time, without `force`). Time is on / off; memory is
 * the peak RSS with changes on, less the 1 MB job's, against the memory-growth budget.
 */
export async function changesCase(stack: DevStack, card: Scorecard, plan: ChangesPlan): Promise<void> {
  const job = await jobWithTouchedObjectsAtTheEnd(stack.isc!, plan.backupBytes);
  const times: Record<Variant, number[]> = { on: [], off: [] };
  const rss: number[] = [];
  const states: Record<Variant, Set<string>> = { on: new Set(), off: new Set() };
  for (let r = 0; r < plan.rounds; r++) {
    for (const variant of (r % 2 ? ['on', 'off'] : ['off', 'on']) as Variant[]) {
      const prefix = `bench-changes-${variant}-${r}/`;
      const run = await worker('handler', [job], stack, {
        env: { ARCHIVE_CHANGES: variant === 'on' ? 'true' : 'false', ARCHIVE_PREFIX: prefix },
      });
      if (run.failures) throw new Error(`changes: archiving with changes ${variant} failed: ${run.errors.join('; ')}`);
      times[variant].push(run.times[0]!);
      if (variant === 'on') rss.push(run.maxRssKb);
      states[variant].add(await changesState(stack, prefix, job.jobId));
    }
  }
  const mb = plan.backupBytes / (1024 * 1024);
  // Until the changes land both variants do the same work; the manifest's changes.state shows which.
  const shown = (v: Variant) => [...states[v]].join('/');
  const spread = (v: Variant) => `${round(Math.min(...times[v]))}-${round(Math.max(...times[v]))} ms`;
  card.record(`changes-${mb}mb`, 'ms', median(times.on), median(times.off), 1.15, {
    note: `ARCHIVE_CHANGES=true / false on the same job, ${plan.rounds} fresh processes each (${spread('on')} / ${spread('off')}); changes.state ${shown('on')} / ${shown('off')}`,
  });
  card.record('changes-memory-growth', 'MB', (median(rss) - plan.smallRssKb) / 1024, plan.budgetMb, 1.0, {
    note: `peak RSS with changes on ${round(median(rss) / 1024)} MB vs ${round(plan.smallRssKb / 1024)} MB for the 1 MB job`,
  });
}

/** The manifest's `changes.state` (or `absent`), read back from the local S3. */
async function changesState(stack: DevStack, prefix: string, jobId: string): Promise<string> {
  const s3 = new S3Client({ endpoint: stack.s3!.url, region: 'us-east-1', credentials: LOCAL_S3_CREDENTIALS, forcePathStyle: true });
  try {
    const answer = await s3.send(
      new GetObjectCommand({ Bucket: stack.bucket, Key: archiveKeys(prefix, stack.isc!.tenant, jobId).manifest }),
    );
    const manifest = JSON.parse(await answer.Body!.transformToString()) as { changes?: { state?: string } };
    return manifest.changes?.state ?? 'absent';
  } finally {
    s3.destroy();
  }
}
