import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_JOBS } from '../../local/demo-tenant.ts';
import { LOCAL_BUCKET } from '../../local/dev-stack.ts';
import { IscDouble } from '../../local/isc-double.ts';
import { LOCAL_S3_CREDENTIALS, startLocalS3 } from '../../local/s3-server.ts';

// Runs `npm start` as a user would, as a child process on free ports, and checks what it printed
// against what it stored.

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function npmStart(args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<Run>; output: () => string } {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('SAIL_') && k !== 'ARCHIVE_BUCKET' && k !== 'PORT'),
  );
  const child = spawn('npm', ['start', '--silent', '--', ...args], {
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<Run>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  return { child, done, output: () => stdout };
}

async function storedManifests(dataDir: string) {
  const s3 = await startLocalS3({ directory: join(dataDir, 's3'), buckets: [LOCAL_BUCKET] });
  const client = new S3Client({ endpoint: s3.url, forcePathStyle: true, region: 'us-east-1', credentials: LOCAL_S3_CREDENTIALS });
  try {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: LOCAL_BUCKET }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    const manifests = await Promise.all(
      keys
        .filter((k) => k.endsWith('manifest.json'))
        .map(async (key) =>
          JSON.parse(await (await client.send(new GetObjectCommand({ Bucket: LOCAL_BUCKET, Key: key }))).Body!.transformToString()),
        ),
    );
    return { keys, manifests };
  } finally {
    client.destroy();
    await s3.close();
  }
}

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'archiver-start-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm start -- --once', () => {
  it('archives every demo job, exits 0, and prints what it stored', async () => {
    const run = await npmStart(['--once', '--port', '0', '--data-dir', join(dataDir, 'once')]).done;
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('All demo jobs archived as expected.');
    const { keys, manifests: all } = await storedManifests(join(dataDir, 'once'));
    // The demo jobs, and the restore preview of the COMPLETE one the demo ends with.
    const manifests = all.filter((m) => m.restore === null);
    expect(manifests.map((m) => m.jobId).sort()).toEqual(DEMO_JOBS.map((j) => j.jobId).sort());
    const previews = all.filter((m) => m.restore !== null);
    expect(previews).toEqual([
      expect.objectContaining({ status: 'COMPLETE', restore: expect.objectContaining({ of: DEMO_JOBS[0]!.jobId, preview: true }) }),
    ]);
    expect(run.stdout).toContain('changes  1 changed · 1 created · 1 unchanged · 0 unknown');
    expect(run.stdout).toMatch(/would restore {2}TRANSFORM: Object to be imported: \[[0-9a-f-]+, Lowercase Email\]/);
    expect(run.stdout).toContain('cannot restore SOURCE Active Directory: Not in the pre-import backup');
    expect(run.stdout).toContain(`apply with  npm start -- restore ${DEMO_JOBS[0]!.jobId} --apply ${previews[0].jobId}`);
    for (const manifest of manifests) {
      const expected = DEMO_JOBS.find((j) => j.jobId === manifest.jobId)!.expect;
      expect(manifest).toMatchObject({ status: expected.status, backup: { state: expected.backup } });
      for (const object of manifest.objects) {
        expect(keys).toContain(object.key);
        // The restored import's report was written again, with its restore listed, after it was printed.
        const rewritten = object.role === 'report' && manifest.jobId === DEMO_JOBS[0]!.jobId;
        expect(run.stdout).toContain(rewritten ? object.key : `${object.key} (${object.bytes} bytes)`);
      }
      const t = manifest.summary.totals;
      expect(run.stdout).toContain(
        `totals   infos ${t.infos} · warnings ${t.warnings} · errors ${t.errors} · imported ${t.importedObjects}`,
      );
      expect(manifest.objects.some((o: { role: string }) => o.role === 'report')).toBe(true);
      expect(run.stdout).toMatch(new RegExp(`http://127\\.0\\.0\\.1:\\d+/imports/${manifest.jobId}/report`));
    }
    expect(run.stdout).toContain('error    IDENTITY_PROFILE: Unable to resolve reference [SOURCE, Workday HR] for object [Employees].');
    expect(run.stdout.match(/event {4}SP-Config Import Archived on bus default/g)).toHaveLength(DEMO_JOBS.length);
    expect(run.stderr).toBe('');
  });
});

describe('the running local front', () => {
  let front: string;
  let server: ReturnType<typeof npmStart>;

  beforeAll(async () => {
    server = npmStart(['--port', '0', '--data-dir', join(dataDir, 'serve')]);
    const deadline = Date.now() + 60_000;
    while (!server.output().includes('Serving until Ctrl-C') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    front = /API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(server.output())![1]!;
  });

  afterAll(async () => {
    // Ctrl-C reaches the whole process group (npm, its shell, node), as in a terminal.
    process.kill(-server.child.pid!, 'SIGINT');
    const run = await server.done;
    expect(run.stderr).toBe('');
  });

  it('archives via POST, reads via GET, lists, and takes an EventBridge envelope', async () => {
    const [complete, failed] = DEMO_JOBS;
    const post = await fetch(`${front}/imports/${complete!.jobId}/archive`, { method: 'POST' });
    expect(post.status).toBe(200);
    expect(await post.json()).toMatchObject({ outcome: 'ALREADY_ARCHIVED', jobId: complete!.jobId });

    const get = await fetch(`${front}/imports/${failed!.jobId}`);
    expect(get.status).toBe(200);
    expect(await get.json()).toMatchObject({ schemaVersion: 1, jobId: failed!.jobId, status: 'FAILED' });

    const list = (await (await fetch(`${front}/imports`)).json()) as { imports: { jobId: string; errors: number }[] };
    // The demo jobs, and the restore preview the demo ends with.
    expect(list.imports).toHaveLength(DEMO_JOBS.length + 1);
    expect(list.imports.map((i) => i.jobId)).toEqual(expect.arrayContaining(DEMO_JOBS.map((j) => j.jobId)));
    expect(list.imports.find((i) => i.jobId === failed!.jobId)).toMatchObject({ errors: 2, warnings: 1, status: 'FAILED' });

    // Events never force; the rearchive route does.
    const event = {
      version: '0',
      id: 'e1',
      'detail-type': 'SP-Config Import Completed',
      source: 'sailpoint.sp-config',
      time: new Date().toISOString(),
      detail: { jobId: failed!.jobId, force: true },
    };
    const delivered = await fetch(`${front}/events`, { method: 'POST', body: JSON.stringify(event) });
    expect(await delivered.json()).toMatchObject({ outcome: 'ALREADY_ARCHIVED', status: 'FAILED' });
    const archived = await fetch(`${front}/imports/${failed!.jobId}/rearchive`, { method: 'POST' });
    expect(await archived.json()).toMatchObject({ outcome: 'ARCHIVED', status: 'FAILED' });

    const published = (await (await fetch(`${front}/events`)).json()) as {
      published: { detailType: string; detail: { jobId: string; status: string } }[];
    };
    expect(published.published).toContainEqual(
      expect.objectContaining({
        detailType: 'SP-Config Import Archived',
        detail: expect.objectContaining({ jobId: failed!.jobId, status: 'FAILED' }),
      }),
    );

    const report = await fetch(`${front}/imports/${failed!.jobId}/report`);
    expect(report.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await report.text()).toContain('Workday HR');
  });

  it('answers a bad job id and an unknown job with ISC-style error envelopes', async () => {
    const bad = await fetch(`${front}/imports/..%2F..%2Fetc/archive`, { method: 'POST' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      detailCode: '400.1 Bad Request Content',
      messages: [{ locale: 'en-US', text: expect.stringContaining('Invalid job id') }],
    });
    const unknown = await fetch(`${front}/imports/${randomBytes(16).toString('hex')}/archive`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ detailCode: '404 Not found', trackingId: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });
});

describe('clear failures', () => {
  it('names the port that is in use and exits non-zero', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = await npmStart(['--once', '--port', String(port), '--data-dir', join(dataDir, 'busy')]).done;
      expect(run.code).not.toBe(0);
      expect(run.stderr.trim()).toBe(
        `Port ${port} is already in use: stop what listens there, or pick another with --port <n> (or PORT=<n>).`,
      );
    } finally {
      blocker.close();
    }
  });

  it.each([
    ['an unreachable tenant', 'http://127.0.0.1:9', 'id', 'secret', 'ISC could not be reached: check SAIL_BASE_URL and your network.'],
    [
      'rejected credentials',
      'DOUBLE',
      'demo-client-0b9c6e',
      'wrong-secret',
      'ISC refused the client credentials: check SAIL_CLIENT_ID and SAIL_CLIENT_SECRET.',
    ],
    ['a missing scope', 'DOUBLE', 'read-only-client', 'read-only-secret', 'sp:config:manage and an ORG_ADMIN user'],
  ])('says what to fix for %s', async (_what, baseUrl, clientId, clientSecret, message) => {
    const isc = await IscDouble.start({
      clients: [
        { clientId: 'demo-client-0b9c6e', clientSecret: 'right', scopes: ['sp:config:manage'] },
        { clientId: 'read-only-client', clientSecret: 'read-only-secret', scopes: ['sp:config:read'] },
      ],
    });
    try {
      const jobId = randomBytes(16).toString('hex');
      const env = { SAIL_BASE_URL: baseUrl === 'DOUBLE' ? isc.url : baseUrl, SAIL_CLIENT_ID: clientId, SAIL_CLIENT_SECRET: clientSecret };
      const run = await npmStart(['archive', jobId, '--port', '0', '--data-dir', join(dataDir, 'tenant')], env).done;
      expect(run.code).toBe(1);
      const line = run.stdout.split('\n').find((l) => l.startsWith(`✗ ${jobId}: `));
      expect(line).toContain(message);
      expect(run.stdout + run.stderr).not.toContain(clientSecret);
    } finally {
      await isc.close();
    }
  });
});
