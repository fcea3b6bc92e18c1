import { Duration, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CLAIM_TAG } from '../lambda/contract/constants.ts';
import { KEEP_DATA } from './retention.ts';

/** A claim lives for one invocation (15 minutes at most); one older than this is certainly abandoned. */
const STALE_CLAIM_DAYS = 2;

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

/**
 * The archive bucket as an auditor expects it: private, TLS only, encrypted, versioned, logged,
 * retained; its lifecycle moves archives to colder storage and never expires them, and clears
 * away the claim objects' old versions and the delete markers they leave.
 */
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
      removalPolicy: KEEP_DATA,
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
          noncurrentVersionTransitions: [
            { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(transition) },
          ],
          abortIncompleteMultipartUploadAfter: Duration.days(2),
        },
        {
          // Claims cannot be matched by their `.archiving` suffix: S3 filters by prefix or tag.
          id: 'claims',
          tagFilters: { [CLAIM_TAG.key]: CLAIM_TAG.value },
          expiration: Duration.days(STALE_CLAIM_DAYS),
          noncurrentVersionExpiration: Duration.days(1),
        },
        {
          // S3 refuses ExpiredObjectDeleteMarker beside a tag filter, so this rule covers the bucket.
          // It only removes delete markers with no version behind them (a released claim's, once
          // the rule above expired its versions): an archived object's history is never touched.
          id: 'expired-delete-markers',
          expiredObjectDeleteMarker: true,
        },
      ],
      // Explicit, as S3 does by default: objects under 128 KB stay in S3 Standard (see the README).
      transitionDefaultMinimumObjectSize: s3.TransitionDefaultMinimumObjectSize.ALL_STORAGE_CLASSES_128_K,
      ...(props.objectLock
        ? {
            objectLockEnabled: true,
            objectLockDefaultRetention:
              props.objectLock.mode === 'COMPLIANCE'
                ? s3.ObjectLockRetention.compliance(Duration.days(props.objectLock.retentionDays))
                : s3.ObjectLockRetention.governance(Duration.days(props.objectLock.retentionDays)),
          }
        : {}),
      removalPolicy: KEEP_DATA,
    });
  }
}
