import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lambda/contract/config.ts';
import { matchRoute, prefixProblem, ROUTES, routePath } from '../../../lambda/contract/constants.ts';
import { isJobId, requireJobId } from '../../../lambda/contract/job-id.ts';
import { ConfigurationError, InvalidInputError } from '../../../lambda/core/errors.ts';

const HEX = 'ef38f94347e94562b5bb8424a56397d8';
const UUID = 'be9e116d-08e1-49fc-ab7f-fa585e96c9e4';

describe('prefixProblem', () => {
  it.each(['', 'sp-config/', 'a/b/', "x!_.*'()-/", '..a/', 'a../b/', 'A1/'])('accepts %j', (prefix) => {
    expect(prefixProblem(prefix)).toBeUndefined();
  });

  it.each(['no-slash', '/', '/lead/', 'a//b/', './', '../', 'a/./', 'a/../', 'sp config/', 'a/b', 'ü/', 'a/b/c'])(
    'refuses %j',
    (prefix) => {
      expect(prefixProblem(prefix)).toBe(
        'must be empty or end with "/", with path segments of letters, digits and !_.*\'()- only (no . or .. segments)',
      );
    },
  );
});

describe('routes', () => {
  it.each([
    ['archive', `/imports/${HEX}/archive`],
    ['rearchive', `/imports/${HEX}/rearchive`],
    ['status', `/imports/${HEX}`],
    ['report', `/imports/${HEX}/report`],
    ['restorePreview', `/imports/${HEX}/restore/preview`],
    ['restoreApply', `/imports/${HEX}/restore/apply`],
  ] as const)('routePath(%s) is %s, and matchRoute finds it back', (route, path) => {
    expect(routePath(route, HEX)).toBe(path);
    expect(matchRoute(ROUTES[route].method, path)).toEqual({ route, jobIdSegment: HEX });
  });

  it.each([
    ['POST', `/prod/imports/${HEX}/archive`, 'archive', HEX],
    ['GET', `/imports/${HEX}/`, 'status', HEX],
    ['GET', `/imports/${HEX}/report/`, 'report', HEX],
    ['GET', '/imports/', 'status', ''],
    ['POST', '/imports/not%20an%20id/rearchive', 'rearchive', 'not%20an%20id'],
  ])('%s %s matches %s with segment %j', (method, path, route, segment) => {
    expect(matchRoute(method, path)).toEqual({ route, jobIdSegment: segment });
  });

  it.each([
    ['GET', `/imports/${HEX}/archive`],
    ['POST', `/imports/${HEX}`],
    ['POST', `/imports/${HEX}/restore`],
    ['POST', `/imports/${HEX}/unknown`],
    ['POST', `/imports/${HEX}/Archive`],
    ['POST', `/imports/${HEX}/archive/extra/more`],
    ['POST', `/jobs/${HEX}/archive`],
    ['GET', '/'],
    ['DELETE', `/imports/${HEX}`],
  ])('%s %s matches no route', (method, path) => {
    expect(matchRoute(method, path)).toBeUndefined();
  });
});

describe('job ids', () => {
  it.each([HEX, HEX.toUpperCase(), UUID, UUID.toUpperCase()])('%s is a job id', (id) => {
    expect(isJobId(id)).toBe(true);
  });

  it.each([
    HEX.slice(1),
    `${HEX}0`,
    `x${HEX}`,
    `${HEX}\n`,
    `${HEX.slice(0, 31)}g`,
    UUID.replaceAll('-', '_'),
    `${UUID}-`,
    'be9e116d08e1-49fc-ab7f-fa585e96c9e4',
    32,
    null,
  ])('%j is not a job id', (value) => {
    expect(isJobId(value)).toBe(false);
  });

  it('returns the id in lower case, so one import has one archive', () => {
    expect(requireJobId(HEX.toUpperCase(), 'the path')).toBe(HEX);
    expect(requireJobId(UUID, 'the path')).toBe(UUID);
  });

  it.each([undefined, null, ''])('calls %j missing, naming where', (value) => {
    expect(() => requireJobId(value, 'the event detail')).toThrow(new InvalidInputError('Missing job id in the event detail.'));
  });

  it.each([
    ['a short string', 'abc', '"abc"'],
    ['a 40-character string', 'a'.repeat(40), `"${'a'.repeat(40)}"`],
    ['a long string, cut at 40', 'b'.repeat(41), `"${'b'.repeat(40)}…"`],
    ['a number', 12, 'number'],
    ['an object', { id: HEX }, 'object'],
  ])('refuses %s without echoing more than 40 characters', (_case, value, shown) => {
    let thrown: unknown;
    try {
      requireJobId(value, 'the path');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidInputError);
    expect(thrown).toMatchObject({
      name: 'Permanent.InvalidInput',
      phase: 'input',
      retryable: false,
      message: `Invalid job id in the path: ${shown} (expected 32 hex characters or a dashed UUID).`,
    });
  });
});

describe('loadConfig, field by field', () => {
  const base = { ARCHIVE_BUCKET: 'b-1', ISC_SECRET_ID: 's' };

  it('reads every variable, trimmed', () => {
    expect(
      loadConfig({
        ARCHIVE_BUCKET: ' my.bucket-1 ',
        ARCHIVE_PREFIX: 'p/',
        ISC_SECRET_ID: ' isc/creds ',
        ISC_API_VERSION: ' v2025 ',
        ARCHIVE_BACKUP: ' FALSE ',
        ARCHIVE_CHANGES: 'False',
        MAX_WAIT_MINUTES: ' 90 ',
        ARCHIVE_QUEUE_URL: ' https://sqs.eu-west-1.amazonaws.com/1/q ',
        AWS_LAMBDA_FUNCTION_NAME: ' fn ',
        ARCHIVE_EVENT_BUS: ' bus ',
        AWS_ENDPOINT_URL_S3: 'http://localhost:4566',
      }),
    ).toEqual({
      bucket: 'my.bucket-1',
      prefix: 'p/',
      secretId: 'isc/creds',
      apiVersion: 'v2025',
      archiveBackup: false,
      archiveChanges: false,
      maxWaitMinutes: 90,
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/q',
      functionName: 'fn',
      eventBus: 'bus',
      s3EndpointOverridden: true,
    });
  });

  it('defaults what is unset or blank', () => {
    expect(
      loadConfig({
        ARCHIVE_BUCKET: 'b-1',
        ISC_SECRET_ID: '  ',
        ISC_API_VERSION: ' ',
        ARCHIVE_BACKUP: ' ',
        MAX_WAIT_MINUTES: '',
        ARCHIVE_QUEUE_URL: ' ',
        ARCHIVE_EVENT_BUS: '',
      }),
    ).toEqual({
      bucket: 'b-1',
      prefix: 'sp-config/',
      secretId: undefined,
      apiVersion: 'beta',
      archiveBackup: true,
      archiveChanges: true,
      maxWaitMinutes: 360,
      queueUrl: undefined,
      functionName: undefined,
      eventBus: undefined,
      s3EndpointOverridden: false,
    });
  });

  it.each(['abc', `a${'b'.repeat(62)}`])('accepts the bucket name %s (3 to 63 characters)', (bucket) => {
    expect(loadConfig({ ...base, ARCHIVE_BUCKET: bucket }).bucket).toBe(bucket);
  });

  it('treats AWS_ENDPOINT_URL as an S3 endpoint override too', () => {
    expect(loadConfig({ ...base, AWS_ENDPOINT_URL: 'http://localhost:4566' }).s3EndpointOverridden).toBe(true);
  });

  it('lets SAIL_BASE_URL stand in for the secret inside Lambda', () => {
    expect(loadConfig({ ARCHIVE_BUCKET: 'b-1', AWS_LAMBDA_FUNCTION_NAME: 'f', SAIL_BASE_URL: 'https://a' }).secretId).toBeUndefined();
  });

  it.each(['1', '10080', '00360'])('accepts MAX_WAIT_MINUTES=%s', (value) => {
    expect(loadConfig({ ...base, MAX_WAIT_MINUTES: value }).maxWaitMinutes).toBe(Number(value));
  });

  type Env = Readonly<Record<string, string | undefined>>;
  it.each<[Env, string]>([
    [{ ARCHIVE_BUCKET: '   ' }, 'ARCHIVE_BUCKET is not set: name the bucket to archive to.'],
    [{ ARCHIVE_BUCKET: 'ab' }, 'ARCHIVE_BUCKET is not a valid S3 bucket name.'],
    [{ ARCHIVE_BUCKET: `a${'b'.repeat(63)}` }, 'ARCHIVE_BUCKET is not a valid S3 bucket name.'],
    [{ ARCHIVE_BUCKET: '-abc' }, 'ARCHIVE_BUCKET is not a valid S3 bucket name.'],
    [{ ARCHIVE_BUCKET: 'abc-' }, 'ARCHIVE_BUCKET is not a valid S3 bucket name.'],
    [{ ARCHIVE_BUCKET: 'x abc' }, 'ARCHIVE_BUCKET is not a valid S3 bucket name.'],
    [
      { ...base, ARCHIVE_PREFIX: 'x' },
      'ARCHIVE_PREFIX must be empty or end with "/", with path segments of letters, digits and !_.*\'()- only (no . or .. segments).',
    ],
    [{ ...base, ISC_API_VERSION: 'BETA' }, 'ISC_API_VERSION must be one of beta, v2024, v2025, v2026, v1.'],
    [{ ...base, ARCHIVE_BACKUP: '1' }, 'ARCHIVE_BACKUP must be "true" or "false".'],
    [{ ...base, ARCHIVE_CHANGES: 'no' }, 'ARCHIVE_CHANGES must be "true" or "false".'],
    ...['0', '10081', '-5', '1.5', 'ten', '123456'].map((value): [Env, string] => [
      { ...base, MAX_WAIT_MINUTES: value },
      'MAX_WAIT_MINUTES must be a whole number of minutes from 1 to 10080 (a week).',
    ]),
    [{ ...base, ARCHIVE_QUEUE_URL: 'sqs://queue' }, 'ARCHIVE_QUEUE_URL must be an SQS queue URL.'],
    [{ ...base, ARCHIVE_QUEUE_URL: 'https://a b' }, 'ARCHIVE_QUEUE_URL must be an SQS queue URL.'],
    [
      { ARCHIVE_BUCKET: 'b-1', ISC_SECRET_ID: ' ', AWS_LAMBDA_FUNCTION_NAME: 'f' },
      'ISC_SECRET_ID is not set: name the Secrets Manager secret with the ISC credentials.',
    ],
  ])('refuses %j with a permanent configuration error', (env, message) => {
    let thrown: unknown;
    try {
      loadConfig(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect(thrown).toMatchObject({ name: 'Permanent.Configuration', phase: 'config', retryable: false, message });
  });

  it('accepts http queue URLs (local stacks)', () => {
    expect(loadConfig({ ...base, ARCHIVE_QUEUE_URL: 'http://localhost:9324/q' }).queueUrl).toBe('http://localhost:9324/q');
  });
});
