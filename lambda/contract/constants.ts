// The outside contract's constants, defined once (docs/contract.md). The function, the CDK app and
// the local stack all import them from here, so a default or a route cannot drift between them.

/** Product name: the archiver field of the manifest, the Powertools service, the event source. */
export const PRODUCT = 'isc-import-archiver';
/** CloudWatch namespace of the function's metrics. */
export const METRICS_NAMESPACE = 'IscImportArchiver';
/** Default CloudFormation stack name of the ready-made stack. */
export const DEFAULT_STACK_NAME = 'IscImportArchiver';

/** ISC API families the archiver can talk to (docs/isc-api.md). */
export const API_VERSIONS = ['beta', 'v2024', 'v2025', 'v2026', 'v1'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

/** Environment variables of the artifact and their defaults. */
export const ENV = {
  bucket: 'ARCHIVE_BUCKET',
  prefix: 'ARCHIVE_PREFIX',
  secretId: 'ISC_SECRET_ID',
  apiVersion: 'ISC_API_VERSION',
  backup: 'ARCHIVE_BACKUP',
  changes: 'ARCHIVE_CHANGES',
  maxWaitMinutes: 'MAX_WAIT_MINUTES',
  queueUrl: 'ARCHIVE_QUEUE_URL',
  eventBus: 'ARCHIVE_EVENT_BUS',
} as const;

export const DEFAULTS = {
  prefix: 'sp-config/',
  apiVersion: 'beta' as ApiVersion,
  archiveBackup: true,
  archiveChanges: true,
  maxWaitMinutes: 360,
} as const;

/**
 * The prefix rule: empty, or path segments of S3-safe characters each ending in `/`, never `.` or
 * `..` (a key must not climb out of the prefix in tools that treat keys as paths).
 */
export function prefixProblem(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  const segments = /^(?:[A-Za-z0-9!_.*'()-]+\/)+$/.test(prefix) ? prefix.slice(0, -1).split('/') : undefined;
  if (!segments || segments.some((s) => s === '.' || s === '..')) {
    return 'must be empty or end with "/", with path segments of letters, digits and !_.*\'()- only (no . or .. segments)';
  }
  return undefined;
}

/** The API routes, as API Gateway resources under `/imports/{jobId}`. */
export const ROUTES = {
  archive: { method: 'POST', path: '/archive' },
  rearchive: { method: 'POST', path: '/rearchive' },
  status: { method: 'GET', path: '' },
  report: { method: 'GET', path: '/report' },
  restorePreview: { method: 'POST', path: '/restore/preview' },
  restoreApply: { method: 'POST', path: '/restore/apply' },
} as const;
export type RouteName = keyof typeof ROUTES;

/** The path of a route for one job, as callers write it. */
export function routePath(route: RouteName, jobId: string): string {
  return `/imports/${jobId}${ROUTES[route].path}`;
}

/** Finds the route of a method and path (`/imports/{jobId}...`), with the raw job id segment. */
export function matchRoute(method: string, path: string): { route: RouteName; jobIdSegment: string } | undefined {
  const match = /\/imports\/([^/]*)((?:\/[a-z]+)*)\/?$/.exec(path);
  if (!match) return undefined;
  const rest = match[2] ?? '';
  for (const [name, route] of Object.entries(ROUTES) as [RouteName, (typeof ROUTES)[RouteName]][]) {
    if (route.method === method && route.path === rest) return { route: name, jobIdSegment: match[1] ?? '' };
  }
  return undefined;
}

/** EventBridge: what the default rule matches, and the event the archiver publishes. */
export const IMPORT_EVENT_PATTERN = {
  source: ['sailpoint.sp-config'],
  detailType: ['SP-Config Import Submitted', 'SP-Config Import Completed'],
} as const;
export const ARCHIVED_EVENT = { source: PRODUCT, detailType: 'SP-Config Import Archived' } as const;

/** API Gateway gives up at 29 s; the function answers well before that and hands work off. */
export const API_BUDGET_MS = 25_000;

/** Every object type sp-config knows (the spec's SelfImportExportDto enum); export takes all of them. */
export const SP_CONFIG_OBJECT_TYPES = [
  'ACCESS_PROFILE',
  'ACCESS_REQUEST_CONFIG',
  'ATTR_SYNC_SOURCE_CONFIG',
  'AUTH_ORG',
  'CAMPAIGN_FILTER',
  'CONNECTOR_RULE',
  'FORM_DEFINITION',
  'GOVERNANCE_GROUP',
  'IDENTITY_OBJECT_CONFIG',
  'IDENTITY_PROFILE',
  'LIFECYCLE_STATE',
  'NOTIFICATION_TEMPLATE',
  'PASSWORD_POLICY',
  'PASSWORD_SYNC_GROUP',
  'PUBLIC_IDENTITIES_CONFIG',
  'ROLE',
  'RULE',
  'SEGMENT',
  'SERVICE_DESK_INTEGRATION',
  'SOD_POLICY',
  'SOURCE',
  'TAG',
  'TRANSFORM',
  'TRIGGER_SUBSCRIPTION',
  'WORKFLOW',
] as const;

/** Object types an sp-config import supports (docs/isc-api.md): what restore can bring back. */
export const IMPORTABLE_TYPES = [
  'CONNECTOR_RULE',
  'IDENTITY_OBJECT_CONFIG',
  'IDENTITY_PROFILE',
  'RULE',
  'SOURCE',
  'TRANSFORM',
  'TRIGGER_SUBSCRIPTION',
] as const;

export const CONTENT_TYPES = { json: 'application/json', html: 'text/html; charset=utf-8' } as const;

/**
 * Tag the function puts on every claim object (`{jobId}/.archiving`). S3 lifecycle rules filter by
 * prefix or tag, never by suffix, so the bucket's rule that expires old claim versions matches this.
 */
export const CLAIM_TAG = { key: 'archiver-claim', value: 'true' } as const;
