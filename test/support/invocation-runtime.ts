import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { vi } from 'vitest';
import { loadConfig } from '../../lambda/contract/config.ts';
import type { handler as Handler } from '../../lambda/handler.ts';
import type { Runtime } from '../../lambda/invocation/runtime.ts';
import type { IscClient } from '../../lambda/isc/isc-client.ts';
import { LOCAL_S3_CREDENTIALS } from '../../local/s3-server.ts';
import type { LocalS3Store } from './local-s3-store.ts';

// Shared by the tests of the doors (test/unit/invocation/): a runtime over the real local S3 with
// an in-memory ISC client, and what the module's Powertools logger and metrics print.

export const TENANT_CREDENTIALS = {
  baseUrl: 'https://acme.api.identitynow.com',
  tokenUrl: 'https://acme.api.identitynow.com/oauth/token',
  tenant: 'acme',
  clientId: 'id',
  clientSecret: 's',
} as const;

export function invocationRuntime(s3: LocalS3Store, isc: IscClient, env: Record<string, string> = {}): Runtime {
  return {
    config: loadConfig({ ARCHIVE_BUCKET: s3.bucket, AWS_LAMBDA_FUNCTION_NAME: 'isc-import-archiver', ISC_SECRET_ID: 'x', ...env }),
    credentials: { get: async () => TENANT_CREDENTIALS },
    isc,
    store: s3.store,
    lambda: () => new LambdaClient({ region: 'us-east-1' }),
    events: () => new EventBridgeClient({ region: 'us-east-1' }),
    sqs: () => new SQSClient({ region: 'us-east-1' }),
  };
}

export const lambdaClock = (ms: number) => ({ getRemainingTimeInMillis: () => ms });

/**
 * Captures the JSON lines the module's logger and metrics print (call in `beforeEach`; vitest's
 * `restoreAllMocks` in `afterEach` undoes it). Returns the parsed lines so far.
 */
export function captureOutput(): () => Record<string, any>[] {
  const printed: string[] = [];
  const capture = (chunk: unknown) => (printed.push(String(chunk)), true);
  vi.spyOn(process.stdout, 'write').mockImplementation(capture as never);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture as never);
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, level).mockImplementation((line: unknown) => void printed.push(String(line)));
  }
  return () =>
    printed
      .flatMap((p) => p.split('\n'))
      .filter((l) => l.trim().startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>);
}

const savedEnv = { ...process.env };

/** Puts process.env back as it was when this module was first imported. */
export function restoreProcessEnv(): void {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
}

/**
 * A fresh copy of the handler, which builds its runtime from process.env when it is imported (a
 * cold start): `env` over the saved environment, without the variables that would select a bucket,
 * a secret or a deployed function of their own.
 */
export async function freshHandler(env: Record<string, string>): Promise<typeof Handler> {
  restoreProcessEnv();
  delete process.env.ARCHIVE_BUCKET;
  delete process.env.ISC_SECRET_ID;
  delete process.env.AWS_LAMBDA_FUNCTION_NAME;
  Object.assign(process.env, env);
  vi.resetModules();
  return (await import('../../lambda/handler.ts')).handler;
}

/** The environment that points the function's own S3 client at a local S3 (as `npm start` does). */
export function localS3Env(s3: LocalS3Store, endpoint = s3.url): Record<string, string> {
  return {
    ARCHIVE_BUCKET: s3.bucket,
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
}
