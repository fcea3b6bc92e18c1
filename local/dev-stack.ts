import { EventBridgeEndpoint } from './eventbridge-endpoint.ts';
import { DEMO_CLIENT, IscDouble, type IscDoubleOptions } from './isc-double.ts';
import { type AsyncInvocation, LambdaInvokeEndpoint } from './lambda-invoke-endpoint.ts';
import { type LocalS3, localS3Environment, startLocalS3 } from './s3-server.ts';
import { SecretsManagerDouble } from './secrets-manager-double.ts';

export const LOCAL_BUCKET = 'isc-import-archive';
export const LOCAL_SECRET_ID = 'isc-import-archiver/credentials';
export const LOCAL_FUNCTION_NAME = 'isc-import-archiver';

export interface DevStackOptions {
  /** Where the embedded S3 keeps its data. */
  readonly directory: string;
  readonly bucket?: string;
  /** Options of the ISC double; `false` uses `credentials` (a real tenant) instead of a double. */
  readonly isc?: IscDoubleOptions | false;
  /** The secret's JSON when there is no double (a real tenant's credentials). */
  readonly credentials?: string;
  readonly onAsyncInvoke?: (invocation: AsyncInvocation) => void;
  /** `false` archives into a real bucket (`bucket`) with the caller's AWS credentials. */
  readonly embeddedS3?: boolean;
  readonly ports?: { readonly s3?: number };
}

export interface DevStack {
  readonly isc: IscDouble | undefined;
  readonly secrets: SecretsManagerDouble;
  readonly s3: LocalS3 | undefined;
  readonly lambda: LambdaInvokeEndpoint;
  readonly events: EventBridgeEndpoint;
  readonly bucket: string;
  /** The contract's environment pointing at these stand-ins (plus the SDK's own endpoint overrides). */
  env(overrides?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

/** Starts what the function talks to, all on 127.0.0.1: ISC double, Secrets Manager, S3, Lambda Invoke. */
export async function startDevStack(options: DevStackOptions): Promise<DevStack> {
  const bucket = options.bucket ?? LOCAL_BUCKET;
  const [isc, secrets, s3, lambda, events] = await Promise.all([
    options.isc === false ? undefined : IscDouble.start(options.isc ?? {}),
    SecretsManagerDouble.start(),
    options.embeddedS3 === false ? undefined : startLocalS3({ directory: options.directory, buckets: [bucket], port: options.ports?.s3 }),
    LambdaInvokeEndpoint.start(options.onAsyncInvoke),
    EventBridgeEndpoint.start(),
  ]);
  // The function reads its credentials from Secrets Manager here exactly as it does in AWS.
  secrets.setSecret(
    LOCAL_SECRET_ID,
    isc
      ? JSON.stringify({ baseUrl: isc.url, tenant: isc.tenant, clientId: DEMO_CLIENT.clientId, clientSecret: DEMO_CLIENT.clientSecret })
      : (options.credentials ?? '{}'),
  );
  return {
    isc,
    secrets,
    s3,
    lambda,
    events,
    bucket,
    env: (overrides = {}) => ({
      ...(s3 ? localS3Environment(s3.url) : { AWS_REGION: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1' }),
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
      AWS_ENDPOINT_URL_LAMBDA: lambda.url,
      AWS_ENDPOINT_URL_EVENTBRIDGE: events.url,
      ARCHIVE_EVENT_BUS: 'default',
      AWS_LAMBDA_FUNCTION_NAME: LOCAL_FUNCTION_NAME,
      ARCHIVE_BUCKET: bucket,
      ISC_SECRET_ID: LOCAL_SECRET_ID,
      ...overrides,
    }),
    async close() {
      await Promise.all([isc?.close(), secrets.close(), s3?.close(), lambda.close(), events.close()]);
    },
  };
}
