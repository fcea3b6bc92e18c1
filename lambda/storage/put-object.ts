import { createHash } from 'node:crypto';
import { PutObjectCommand, type PutObjectCommandInput } from '@aws-sdk/client-s3';

export function sha256Hex(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * A PutObject carrying the body's SHA-256, which the archiver computes anyway for the manifest.
 * S3 checks the bytes it stores against it (x-amz-checksum-sha256), so the manifest's hash is the
 * one S3 verified; and the signer takes it as the payload hash instead of reading the body again.
 */
export function putObjectCommand(input: PutObjectCommandInput, sha256: string): PutObjectCommand {
  const command = new PutObjectCommand({ ...input, ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64') });
  command.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers['x-amz-content-sha256'] = sha256;
      return next(args);
    },
    { step: 'build', name: 'payloadSha256Middleware' },
  );
  return command;
}
