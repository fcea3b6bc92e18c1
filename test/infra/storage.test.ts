import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CLAIM_TAG } from '../../lambda/contract/constants.ts';
import { resources, synth } from './synth.ts';

const fresh = synth();
const archiveBucket = () => {
  const bucket = resources(fresh.template, 'AWS::S3::Bucket').find((b) => b.Properties.VersioningConfiguration);
  if (!bucket) throw new Error('no versioned bucket');
  return bucket;
};
const rules = () => archiveBucket().Properties.LifecycleConfiguration.Rules as Record<string, any>[];

describe('the archive bucket', () => {
  it('is private, TLS-only, SSE-KMS with a bucket key, versioned, logged and tiered', () => {
    fresh.template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('Key'), 'Arn'] },
            },
          },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('AccessLogs') }, LogFilePrefix: 'archive-bucket/' },
      LifecycleConfiguration: Match.objectLike({
        Rules: Match.arrayWith([
          Match.objectLike({ Status: 'Enabled', Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }] }),
        ]),
        TransitionDefaultMinimumObjectSize: 'all_storage_classes_128K',
      }),
    });
    expect(archiveBucket().Properties.ObjectLockEnabled).toBeUndefined();
    fresh.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('StorageBucket') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    fresh.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('never expires an archived object, only claims tagged for it and delete markers with nothing behind them', () => {
    const untagged = rules().filter((r) => !r.TagFilters);
    for (const rule of untagged) {
      expect(rule).not.toHaveProperty('ExpirationInDays');
      expect(rule).not.toHaveProperty('ExpirationDate');
      expect(rule).not.toHaveProperty('NoncurrentVersionExpiration');
    }
    expect(rules()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Status: 'Enabled',
          TagFilters: [{ Key: CLAIM_TAG.key, Value: CLAIM_TAG.value }],
          NoncurrentVersionExpiration: { NoncurrentDays: expect.toSatisfy((d: number) => d >= 1 && d <= 3) },
          ExpirationInDays: expect.toSatisfy((d: number) => d >= 1 && d <= 3),
        }),
        expect.objectContaining({ Status: 'Enabled', ExpiredObjectDeleteMarker: true }),
      ]),
    );
    const markers = rules().find((r) => r.ExpiredObjectDeleteMarker);
    expect(markers).not.toHaveProperty('TagFilters');
    expect(markers).not.toHaveProperty('ExpirationInDays');
  });

  it('can lock objects for audit retention', () => {
    const { template } = synth({ objectLockMode: 'COMPLIANCE', objectLockDays: 2555, transitionAfterDays: 30 });
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2555 } } },
      LifecycleConfiguration: Match.objectLike({
        Rules: Match.arrayWith([Match.objectLike({ Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 30 }] })]),
      }),
    });
  });
});

describe('what a failed first deploy leaves behind', () => {
  it('nothing: data is retained on update and delete, but removed when the creation rolls back', () => {
    const kept = [
      ...resources(fresh.template, 'AWS::S3::Bucket'),
      ...resources(fresh.template, 'AWS::KMS::Key'),
      ...resources(fresh.template, 'AWS::Logs::LogGroup'),
      ...resources(fresh.template, 'AWS::IAM::Role').filter((r) => JSON.stringify(r.Properties).includes('apigateway.amazonaws.com')),
    ];
    // Two buckets, the key, three log groups (function, API access, API execution), the API Gateway logging role.
    expect(kept).toHaveLength(7);
    for (const resource of kept) {
      expect(resource.DeletionPolicy).toBe('RetainExceptOnCreate');
      expect(resource.UpdateReplacePolicy).toBe('Retain');
    }
    const plainRetain = Object.values(fresh.template.toJSON().Resources as Record<string, { DeletionPolicy?: string }>).filter(
      (r) => r.DeletionPolicy === 'Retain',
    );
    expect(plainRetain).toEqual([]);
  });
});
