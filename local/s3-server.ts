import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { startConditionalProxy } from './conditional-s3-proxy.ts';

/** s3rver's built-in account; the SDK signs with these and s3rver checks the signature. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface LocalS3 {
  readonly url: string;
  close(): Promise<void>;
}

/** An embedded S3 on 127.0.0.1 keeping its data under `directory`, with `buckets` created and conditional writes enforced. */
export async function startLocalS3(options: { directory: string; buckets: readonly string[]; port?: number }): Promise<LocalS3> {
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    directory: options.directory,
    silent: true,
    configureBuckets: options.buckets.map((name) => ({ name, configs: [] })),
  });
  const address = (await server.run()) as AddressInfo;
  // The store throws for a missing key; its ETag is the quoted MD5, as S3 sends it.
  const etagOf = (bucket: string, key: string) =>
    server.store.getMetadata(bucket, key).then(
      (m) => m.etag,
      () => undefined,
    );
  const proxy = await startConditionalProxy(`http://127.0.0.1:${address.port}`, etagOf, options.port ?? 0);
  return {
    url: proxy.url,
    async close() {
      await proxy.close();
      await server.close();
    },
  };
}

/**
 * Environment for an AWS SDK client talking to the embedded S3. The checksum settings are the SDK's
 * own: s3rver stores streamed bodies with the SDK's chunk framing unless checksums are only sent
 * when an operation requires them.
 */
export function localS3Environment(url: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: url,
    AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
}
