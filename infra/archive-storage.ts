import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface ObjectLockOptions {
  /** GOVERNANCE lets privileged users lift the lock; COMPLIANCE lets nobody, not even root. */
  readonly mode: 'GOVERNANCE' | 'COMPLIANCE';
  /** Days each archived object version is locked. */
  readonly retentionDays: number;
}

export interface ArchiveStorageProps {
  /** Key for the bucket (SSE-KMS with a bucket key). */
  readonly key: kms.IKey;
  /** Days before archived objects move to Glacier Instant Retrieval (default 90). No expiry. */
  readonly transitionAfterDays?: number;
  /** Optional S3 Object Lock for audit retention (default off; it can only be chosen at creation). */
  readonly objectLock?: ObjectLockOptions;
}

/** The archive bucket as an auditor expects it: private, TLS only, encrypted, versioned, logged, retained. */
export class ArchiveStorage extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: ArchiveStorageProps) {
    super(scope, id);
    const transition = props.transitionAfterDays ?? 90;
    if (!Number.isInteger(transition) || transition < 1) throw new Error('transitionAfterDays must be a whole number of days, 1 or more.');
    if (props.objectLock && (!Number.isInteger(props.objectLock.retentionDays) || props.objectLock.retentionDays < 1)) {
      throw new Error('objectLock.retentionDays must be a whole number of days, 1 or more.');
    }

    // Server access log delivery only writes to SSE-S3 buckets.
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the archive bucket; logging it into itself would loop.',
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'archive-bucket/',
      lifecycleRules: [
        {
          id: 'colder-storage',
          transitions: [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(transition) }],
          noncurrentVersionTransitions: [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(transition) }],
          abortIncompleteMultipartUploadAfter: Duration.days(2),
        },
      ],
      ...(props.objectLock
        ? {
            objectLockEnabled: true,
            objectLockDefaultRetention:
              props.objectLock.mode === 'COMPLIANCE'
                ? s3.ObjectLockRetention.compliance(Duration.days(props.objectLock.retentionDays))
                : s3.ObjectLockRetention.governance(Duration.days(props.objectLock.retentionDays)),
          }
        : {}),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
