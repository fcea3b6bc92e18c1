// archive-1mb-latency: a warm archive of a 1 MB job when each request costs what it does in AWS.
import { type DevStack, LOCAL_SECRET_ID } from '../local/dev-stack.ts';
import { DEMO_CLIENT } from '../local/isc-double.ts';
import { oneMegabyteResults, register } from './jobs.ts';
import { type LatencyProxy, startLatencyProxy } from './latency-proxy.ts';
import { type WorkerMode, worker } from './processes.ts';
import { median, round, type Scorecard } from './scorecard.ts';

/** Added before each request: a Lambda to an ISC tenant's API, and to S3 in its own region. */
export const ISC_DELAY_MS = 100;
export const S3_DELAY_MS = 20;

export interface LatencyPlan {
  /** Rounds of one fresh process per mode each, the order rotating, so drift falls on all alike. */
  readonly rounds: number;
  /** Jobs per process archived first and not timed (the first also reads the secret and a token). */
  readonly warmup: number;
  /** Jobs per process timed. */
  readonly timed: number;
}

const MODES: readonly WorkerMode[] = ['handler', 'floor', 'contract'];

/**
 * The handler against the floor (bench/worker.ts: status, results streamed into one PutObject,
 * manifest PutObject), both through the same latency proxies; the contract floor is shown beside.
 * The handler runs with ARCHIVE_CHANGES=false: the after-export is ISC round trips the four-request
 * floor does not make, and changes-200mb judges what it costs.
 */
export async function archiveLatencyCase(stack: DevStack, card: Scorecard, plan: LatencyPlan): Promise<void> {
  const proxies: LatencyProxy[] = [];
  try {
    const isc = await startLatencyProxy({ target: stack.isc!.url, delayMs: ISC_DELAY_MS });
    proxies.push(isc);
    const s3 = await startLatencyProxy({ target: stack.s3!.url, delayMs: S3_DELAY_MS });
    proxies.push(s3);
    // The function finds ISC where its secret says, so this run gets a secret naming the proxy.
    const secretId = `${LOCAL_SECRET_ID}-latency`;
    stack.secrets.setSecret(
      secretId,
      JSON.stringify({
        baseUrl: isc.url,
        tenant: stack.isc!.tenant,
        clientId: DEMO_CLIENT.clientId,
        clientSecret: DEMO_CLIENT.clientSecret,
      }),
    );
    const env = { AWS_ENDPOINT_URL_S3: s3.url, ISC_SECRET_ID: secretId, ARCHIVE_CHANGES: 'false' };

    const results = oneMegabyteResults();
    const times = new Map<WorkerMode, number[]>(MODES.map((m) => [m, []]));
    const counted = new Map<WorkerMode, { jobs: number; isc: number; s3: number }>(MODES.map((m) => [m, { jobs: 0, isc: 0, s3: 0 }]));
    for (let r = 0; r < plan.rounds; r++) {
      for (const mode of [...MODES.slice(r % MODES.length), ...MODES.slice(0, r % MODES.length)]) {
        const jobs = Array.from({ length: plan.warmup + plan.timed }, () => register(stack.isc!, { results }));
        const [iscBefore, s3Before] = [isc.requests.length, s3.requests.length];
        const run = await worker(mode, jobs, stack, { warmup: plan.warmup, env, iscUrl: isc.url });
        if (run.failures) throw new Error(`archive-1mb-latency: ${run.failures} ${mode} archives failed: ${run.errors.join('; ')}`);
        times.get(mode)!.push(...run.times);
        // Requests per job, the token left out (one per process).
        const count = counted.get(mode)!;
        count.jobs += jobs.length;
        count.isc += isc.requests.slice(iscBefore).filter((q) => q.path !== '/oauth/token').length;
        count.s3 += s3.requests.length - s3Before;
      }
    }

    const floor = median(times.get('floor')!);
    const perJob = (m: WorkerMode) => ({ isc: counted.get(m)!.isc / counted.get(m)!.jobs, s3: counted.get(m)!.s3 / counted.get(m)!.jobs });
    const floorRequests = perJob('floor');
    // The floor must be what the README says it is, and the proxies must really delay.
    if (floorRequests.isc !== 2 || floorRequests.s3 !== 2)
      throw new Error(`archive-1mb-latency: the floor made ${JSON.stringify(floorRequests)} requests a job, not 2 to ISC and 2 to S3`);
    if (floor < 2 * ISC_DELAY_MS + 2 * S3_DELAY_MS)
      throw new Error(`archive-1mb-latency: the floor took ${round(floor)} ms, less than its requests' added latency`);
    const ours = median(times.get('handler')!);
    const contract = median(times.get('contract')!);
    const requests = (m: WorkerMode) => `${round(perJob(m).isc, 2)}+${round(perJob(m).s3, 2)}`;
    const note = `ISC+S3 requests per job: ours ${requests('handler')}, floor ${requests('floor')}, contract floor ${requests('contract')} at ${round(contract)} ms (${round(contract / floor, 3)} of the floor; ours ${round(ours / contract, 3)} of the contract floor); ${times.get('handler')!.length} jobs each`;
    card.record('archive-1mb-latency', 'ms', ours, floor, 1.1, { note });
  } finally {
    await Promise.all(proxies.map((p) => p.close()));
  }
}
