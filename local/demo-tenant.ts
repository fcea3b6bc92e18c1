import { generatedEntry } from './export-document.ts';
import { completeResults, failedResults } from './import-results.ts';
import type { ConfigEntry, IscDouble } from './isc-double.ts';

export interface DemoJob {
  readonly jobId: string;
  readonly title: string;
  /** How the demo delivers it, to show each event source. */
  readonly via: 'direct' | 'eventbridge' | 'api';
  readonly expect: { readonly outcome: 'ARCHIVED' | 'CANCELLED'; readonly status: string; readonly backup: string };
}

/** Fixed ids so a second `npm start` finds the first run's archives (and reports ALREADY_ARCHIVED). */
export const DEMO_JOBS: readonly DemoJob[] = [
  {
    jobId: 'ef38f94347e94562b5bb8424a56397d8',
    title: 'COMPLETE import with a pre-import backup',
    via: 'direct',
    expect: { outcome: 'ARCHIVED', status: 'COMPLETE', backup: 'ARCHIVED' },
  },
  {
    jobId: '4fb10503-1c49-4603-8f8d-886e1f6aa47b',
    title: 'FAILED import with errors',
    via: 'eventbridge',
    expect: { outcome: 'ARCHIVED', status: 'FAILED', backup: 'ARCHIVED' },
  },
  {
    jobId: '9a1c3e5f7b9d4f1a8c2e4a6b8d0f2a4c',
    title: 'import still IN_PROGRESS for a few seconds',
    via: 'api',
    expect: { outcome: 'ARCHIVED', status: 'COMPLETE', backup: 'NONE' },
  },
  {
    jobId: 'c0ffee00-1234-4abc-9def-0123456789ab',
    title: 'CANCELLED import',
    via: 'direct',
    expect: { outcome: 'CANCELLED', status: 'CANCELLED', backup: 'NONE' },
  },
];

/** The pre-import backup ISC took for the COMPLETE demo import. */
export const DEMO_BACKUP_JOB_ID = 'be9e116d-08e1-49fc-ab7f-fa585e96c9e4';

/**
 * What the COMPLETE demo import does, as its changes show it: it CHANGES the transform (its input
 * now reads another source's attribute), CREATES the source, and leaves the rule UNCHANGED (the same
 * object, signature included).
 */
export const DEMO_OBJECTS = {
  changed: { type: 'TRANSFORM', id: 'b8d4c2e1-3a5f-4f2e-9d1c-7e6a5b4c3d2e', name: 'Lowercase Email' },
  created: { type: 'SOURCE', id: '2c9180835d2e5168015d32f890ca1581', name: 'Active Directory' },
  unchanged: { type: 'RULE', id: '0f3e5d7c9b1a2c4e6f8a0b2d4f6e8c1a', name: 'Build Account Map' },
} as const;

/** Other objects of the tenant, so the backup is a realistic few hundred KB of every common type. */
const FILLER_OBJECTS = 1_000;

const transform = (sourceName: string, attributeName: string): ConfigEntry => ({
  version: 1,
  self: DEMO_OBJECTS.changed,
  object: {
    id: DEMO_OBJECTS.changed.id,
    name: DEMO_OBJECTS.changed.name,
    type: 'lower',
    internal: false,
    attributes: { input: { type: 'accountAttribute', attributes: { sourceName, attributeName } } },
  },
});

const rule: ConfigEntry = {
  version: 1,
  self: DEMO_OBJECTS.unchanged,
  object: {
    id: DEMO_OBJECTS.unchanged.id,
    name: DEMO_OBJECTS.unchanged.name,
    type: 'BuildMap',
    description: 'Builds the account map from the HR feed.',
    sourceCode: { version: '1.0', script: 'Map map = new HashMap();\nmap.put("email", record.get("mail"));\nreturn map;' },
    attributes: {},
    created: '2026-03-02T10:15:00.000Z',
    modified: '2026-09-14T08:02:11.000Z',
  },
  jwsHeader: 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImRlbW8ifQ',
  jwsSignature: 'mX3v1uQ7bq9Gv2dJ0yH8sZr4Lk6Wn5Tc1Pe0Aa2Bb3Cc4Dd5Ee6Ff7Gg8Hh9Ii0Jj1Kk2Ll3Mm4Nn5Oo6Pp7Q',
};

const source: ConfigEntry = {
  version: 1,
  self: DEMO_OBJECTS.created,
  object: {
    id: DEMO_OBJECTS.created.id,
    name: DEMO_OBJECTS.created.name,
    description: 'Corporate directory',
    connector: 'active-directory',
    owner: { type: 'IDENTITY', id: '2c9180a46faadee4016fb4e018c20639', name: 'Cloud Admin' },
    connectorAttributes: { forestSettings: [{ forestName: 'corp.example.com', gcServer: 'gc.corp.example.com:3268' }] },
    created: '2026-11-18T16:40:00.000Z',
    modified: '2026-11-18T16:40:00.000Z',
  },
};

/**
 * Seeds the double: the tenant's objects, then the COMPLETE demo import, run by the double itself
 * (so its backup is the state before it and the tenant holds the state after it), and the scripted
 * FAILED, running and CANCELLED jobs.
 */
export function seedDemoTenant(isc: IscDouble): void {
  const [complete, failed, running, cancelled] = DEMO_JOBS as [DemoJob, DemoJob, DemoJob, DemoJob];
  for (let i = 0; i < FILLER_OBJECTS; i++) isc.state.put(generatedEntry(i));
  isc.state.put(transform('Workday HR', 'email'));
  isc.state.put(rule);
  // As exported from a sandbox tenant: the transform now reads Active Directory's mail attribute.
  isc.startImport({
    objects: [transform('Active Directory', 'mail'), source, rule],
    jobId: complete.jobId,
    backupJobId: DEMO_BACKUP_JOB_ID,
    delayMs: 0,
  });

  const failedBackup = '2d6f0c8e4a2b4c6d8e0f1a3b5c7d9e1f';
  isc.addJob(failed.jobId, {
    status: 'FAILED',
    results: failedResults(failedBackup),
    backup: { exportJobId: failedBackup, document: { generateExport: 64 * 1024 } },
  });
  isc.addJob(running.jobId, { status: 'COMPLETE', runningForMs: 4_000, results: completeResults() });
  isc.addJob(cancelled.jobId, { status: 'CANCELLED' });
}
