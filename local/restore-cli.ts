// `npm start -- restore <jobId> [--types A,B] [--apply <previewJobId>]`, and the demo's last step:
// a restore previewed (or applied) through the real handler, waited for, and shown.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ResultsScanner } from '../lambda/results/results-scanner.ts';
import { LOCAL_FUNCTION_NAME } from './dev-stack.ts';
import { type Handler, lambdaContext } from './handler-host.ts';

export interface RestoreCliDeps {
  readonly handler: Handler;
  readonly apiUrl: string;
  readonly s3: S3Client;
  readonly bucket: string;
  /** Waits until the background invocations (the restore job's archive) have finished. */
  readonly settle: () => Promise<void>;
  readonly say: (line: string) => void;
}

interface Started {
  jobId: string;
  restoreOf: string;
  preview: boolean;
  selection: { includeTypes: string[]; objectOptions: Record<string, { includedIds: string[] }> };
  notRestorable: { type: string; id: string; name: string; reason: string }[];
}

/** Previews (or, with `previewJobId`, applies) a restore of `jobId`; returns the restore job's id. */
export async function restoreImport(
  deps: RestoreCliDeps,
  jobId: string,
  options: { types?: string[]; previewJobId?: string },
): Promise<{ ok: boolean; restoreJobId?: string }> {
  const { say } = deps;
  const apply = options.previewJobId !== undefined;
  say(
    `${apply ? 'Applying' : 'Previewing'} a restore of ${jobId} from its archived backup${options.types ? ` (types ${options.types.join(', ')})` : ''}…`,
  );
  let started: Started;
  try {
    const event = apply
      ? { action: 'restore-apply', jobId, previewJobId: options.previewJobId, types: options.types }
      : { action: 'restore-preview', jobId, types: options.types };
    started = (await deps.handler(event, lambdaContext(LOCAL_FUNCTION_NAME))) as Started;
  } catch (error) {
    say(`✗ ${(error as Error).message}`);
    return { ok: false };
  }
  say(`  submitted   ${apply ? 'restore' : 'preview'} job ${started.jobId} (${started.selection.includeTypes.length} types)`);
  say('  waiting     for ISC to run it and for its archive…');
  await deps.settle();
  const res = await fetch(`${deps.apiUrl}/imports/${started.jobId}`);
  if (res.status !== 200) {
    say(
      `✗ the ${apply ? 'restore' : 'preview'} job ${started.jobId} is not archived yet; check GET ${deps.apiUrl}/imports/${started.jobId}`,
    );
    return { ok: false, restoreJobId: started.jobId };
  }
  const manifest = (await res.json()) as {
    status: string;
    objects: { role: string; key: string }[];
    summary: { totals: { errors: number } };
    changes: { state: string; counts: Record<string, number> };
  };
  const samples = await samplesOf(deps, manifest);
  say(`  ${apply ? 'restore' : 'preview'}     ${manifest.status}, ${manifest.summary.totals.errors} errors`);
  if (!apply) {
    for (const info of samples.infos.filter((i) => i.key === 'IMPORT_PREVIEW')) say(`  would restore  ${info.type}: ${info.text}`);
  } else {
    const c = manifest.changes.counts;
    say(
      `  changes     ${manifest.changes.state}: ${c.changed ?? 0} changed · ${c.created ?? 0} created · ${c.unchanged ?? 0} unchanged · ${c.unknown ?? 0} unknown`,
    );
  }
  for (const object of started.notRestorable) say(`  cannot restore ${object.type} ${object.name || object.id}: ${object.reason}`);
  for (const error of samples.errors) say(`  error       ${error.type}: ${error.text}`);
  say(`  report      ${deps.apiUrl}/imports/${started.jobId}/report`);
  if (!apply && manifest.summary.totals.errors === 0) say(`  apply with  npm start -- restore ${jobId} --apply ${started.jobId}`);
  return { ok: manifest.status === 'COMPLETE' && manifest.summary.totals.errors === 0, restoreJobId: started.jobId };
}

async function samplesOf(deps: RestoreCliDeps, manifest: { objects: { role: string; key: string }[] }) {
  const results = manifest.objects.find((o) => o.role === 'results');
  const scanner = new ResultsScanner();
  if (!results) return scanner.finish().samples;
  const out = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: results.key }));
  for await (const chunk of out.Body as AsyncIterable<Uint8Array>) scanner.write(chunk);
  return scanner.finish().samples;
}
