import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

export interface ArchivedImport {
  readonly jobId: string;
  readonly status: string;
  readonly archivedAt: string;
  readonly errors: number;
  readonly warnings: number;
  readonly manifestKey: string;
}

/** Lists archived jobs under `{prefix}{tenant}/imports/` from their manifests, newest first. */
export async function listArchivedImports(
  s3: S3Client,
  bucket: string,
  prefix: string,
  tenant: string,
  limit = 500,
): Promise<ArchivedImport[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}${tenant}/imports/`, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) if (object.Key?.endsWith('/manifest.json')) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token && keys.length < limit);

  const imports = await Promise.all(
    keys.slice(0, limit).map(async (key) => {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const manifest = JSON.parse(await out.Body!.transformToString()) as {
        jobId: string;
        status: string;
        archivedAt: string;
        summary?: { totals?: { errors?: number; warnings?: number } };
      };
      return {
        jobId: manifest.jobId,
        status: manifest.status,
        archivedAt: manifest.archivedAt,
        errors: manifest.summary?.totals?.errors ?? 0,
        warnings: manifest.summary?.totals?.warnings ?? 0,
        manifestKey: key,
      };
    }),
  );
  return imports.sort((a, b) => b.archivedAt.localeCompare(a.archivedAt));
}
