import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type ArchiverConfig, loadConfig } from '../contract/config.ts';
import { ARCHIVER } from '../contract/version.ts';
import type { Log } from '../core/log.ts';
import { createIscClient, type IscClient } from '../isc/isc-client.ts';
import { createIscHttp } from '../isc/isc-http.ts';
import { type CredentialSource, environmentSource, secretsManagerSource } from '../isc/secret-source.ts';
import { type ArchiveStore, s3ArchiveStore } from '../storage/archive-store.ts';
import { ArchiveMetrics, asLog, createLogger } from '../telemetry/telemetry.ts';

export interface Runtime {
  readonly config: ArchiverConfig;
  readonly credentials: CredentialSource;
  readonly isc: IscClient;
  readonly store: ArchiveStore;
  readonly lambda: () => LambdaClient;
  readonly events: () => EventBridgeClient;
  readonly sqs: () => SQSClient;
}

export const logger = createLogger();
export const log: Log = asLog(logger);
export const metrics = new ArchiveMetrics();

/**
 * Builds the clients once per container, so warm invocations reuse connections, the token and the
 * secret. Configuration errors are kept and reported by each invocation, where they can be read,
 * instead of crashing the container at init.
 */
export function createRuntime(env: Readonly<Record<string, string | undefined>>): Runtime {
  const config = loadConfig(env);
  const http = createIscHttp(`${ARCHIVER.name}/${ARCHIVER.version} (+aws-lambda; node ${process.versions.node})`);
  const credentials = config.secretId
    ? secretsManagerSource(
        // Secrets Manager answers in milliseconds: a stalled connection fails fast and the SDK retries it.
        new SecretsManagerClient({ requestHandler: { connectionTimeout: 3_000, requestTimeout: 5_000, throwOnRequestTimeout: true } }),
        config.secretId,
      )
    : environmentSource(env);
  // Each request is bounded so a stalled connection fails and is retried (a 5 MiB part goes well
  // within a minute; the idle limit catches a stall); S3 answers bursts with 503 SlowDown, so a few
  // more attempts than the SDK's 3. The deadline bounds each call as a whole (the store's options).
  const s3 = new S3Client({
    forcePathStyle: config.s3EndpointOverridden,
    maxAttempts: 5,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 60_000, throwOnRequestTimeout: true, socketTimeout: 30_000 },
  });
  let lambda: LambdaClient | undefined;
  let events: EventBridgeClient | undefined;
  let sqs: SQSClient | undefined;
  return {
    config,
    credentials,
    isc: createIscClient({ http, credentials, log }),
    store: s3ArchiveStore(s3, config.bucket),
    // Created on first use: most invocations need neither.
    lambda: () => (lambda ??= new LambdaClient({})),
    events: () => (events ??= new EventBridgeClient({})),
    sqs: () => (sqs ??= new SQSClient({})),
  };
}
