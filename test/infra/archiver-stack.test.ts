import { readFileSync } from 'node:fs';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { ArchiverStack, settingsFromContext, type ArchiverSettings } from '../../infra/archiver-stack.ts';
import { IscImportArchiver } from '../../infra/import-archiver.ts';

const FLAGS = JSON.parse(readFileSync('cdk.json', 'utf8')).context as Record<string, unknown>;
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:isc/creds-AbCdEf';
const SECRET_KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/9999abcd-12ab-34cd-56ef-1234567890ab';

function synth(settings: ArchiverSettings = {}) {
  // Bundling is skipped here: these tests are about the template, the bundle has its own tests.
  const app = new App({ context: { ...FLAGS, 'aws:cdk:bundling-stacks': [] } });
  const stack = new ArchiverStack(app, 'Test', { settings, env: { account: '111122223333', region: 'us-east-1' } });
  return { stack, template: Template.fromStack(stack) };
}

const fresh = synth();
const existing = synth({ bucketName: 'acme-audit-archive', secretArn: SECRET_ARN, secretKeyArn: SECRET_KEY_ARN, eventBusName: 'identity-events', alarmEmail: 'iam-team@example.com', archivePrefix: 'audit/isc/' });

function statements(template: Template): { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown }[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => (p as any).Properties.PolicyDocument.Statement);
}

describe('the function', () => {
  it('runs Node 24 on arm64 with JSON logs, a 5-minute timeout and bounded concurrency', () => {
    fresh.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 300,
      ReservedConcurrentExecutions: 5,
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
      Environment: {
        Variables: Match.objectLike({
          ARCHIVE_BUCKET: { Ref: Match.stringLikeRegexp('StorageBucket') },
          ARCHIVE_PREFIX: 'sp-config/',
          ISC_SECRET_ID: { Ref: Match.stringLikeRegexp('IscCredentials') },
          ISC_API_VERSION: 'beta',
          ARCHIVE_BACKUP: 'true',
          ARCHIVE_EVENT_BUS: 'default',
          NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=1',
        }),
      },
    });
    fresh.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  it('retries failed asynchronous invocations, then sends them to an encrypted, TLS-only queue', () => {
    const queue = fresh.template.findResources('AWS::SQS::Queue');
    expect(Object.values(queue).every((q: any) => q.Properties.SqsManagedSseEnabled === true)).toBe(true);
    fresh.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('FailedJobs'), 'Arn'] } } },
    });
    fresh.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('may read and write the archive prefix only, list only under it, and read the one secret', () => {
    const all = statements(fresh.template);
    const s3 = all.filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')));
    expect(s3).toEqual([
      expect.objectContaining({ Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/StorageBucket/), 'Arn'] }, '/sp-config/*']] } }),
      expect.objectContaining({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['sp-config/*'] } } }),
    ]);
    const secret = all.find((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'))!;
    expect(secret.Resource).toEqual({ Ref: expect.stringMatching(/IscCredentials/) });
    const invoke = all.find((s) => [s.Action].flat().includes('lambda:InvokeFunction'))!;
    expect(invoke.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/Function/), 'Arn'] });
    const events = all.find((s) => [s.Action].flat().includes('events:PutEvents'))!;
    expect(JSON.stringify(events.Resource)).toContain('event-bus/default');
    expect(all.some((s) => s.Resource === '*')).toBe(false);
  });
});

describe('the archive bucket', () => {
  it('is private, TLS-only, SSE-KMS with a bucket key, versioned, logged, tiered and retained', () => {
    fresh.template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('Key'), 'Arn'] } } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('AccessLogs') }, LogFilePrefix: 'archive-bucket/' },
        LifecycleConfiguration: { Rules: [Match.objectLike({ Status: 'Enabled', Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }] })] },
      }),
    });
    const archive = Object.values(fresh.template.findResources('AWS::S3::Bucket')).find((b: any) => b.Properties.VersioningConfiguration) as any;
    expect(JSON.stringify(archive.Properties.LifecycleConfiguration)).not.toContain('Expiration');
    expect(archive.Properties.ObjectLockEnabled).toBeUndefined();
    fresh.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('StorageBucket') },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    fresh.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('can lock objects for audit retention', () => {
    const { template } = synth({ objectLockMode: 'COMPLIANCE', objectLockDays: 2555, transitionAfterDays: 30 });
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2555 } } },
      LifecycleConfiguration: { Rules: [Match.objectLike({ Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 30 }] })] },
    });
  });
});

describe('credentials, triggers and the API', () => {
  it('creates a secret of the contract\'s shape with a generated placeholder secret value', () => {
    fresh.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { SecretStringTemplate: JSON.stringify({ baseUrl: 'https://your-tenant.api.identitynow.com', clientId: 'replace-with-client-id' }), GenerateStringKey: 'clientSecret', ExcludePunctuation: true },
    });
  });

  it('routes import events to the function with retries and a dead-letter queue', () => {
    fresh.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['sailpoint.sp-config'], 'detail-type': ['SP-Config Import Submitted', 'SP-Config Import Completed'] },
      Targets: [Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Function'), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('UndeliveredEvents'), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 },
      })],
    });
  });

  it('serves the three routes with IAM authorisation, path validation, access logs and throttling', () => {
    const methods = Object.values(fresh.template.findResources('AWS::ApiGateway::Method')) as any[];
    expect(methods.map((m) => m.Properties.HttpMethod).sort()).toEqual(['GET', 'GET', 'POST']);
    for (const m of methods) {
      expect(m.Properties).toMatchObject({ AuthorizationType: 'AWS_IAM', RequestParameters: { 'method.request.path.jobId': true }, RequestValidatorId: { Ref: expect.stringMatching(/PathValidator/) } });
    }
    fresh.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      AccessLogSetting: Match.objectLike({ DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AccessLogs'), 'Arn'] } }),
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10, LoggingLevel: 'ERROR' })],
    });
    const outputs = fresh.template.findOutputs('*');
    expect(Object.keys(outputs).some((k) => k.startsWith('ApiUrl'))).toBe(true);
    expect(outputs.SecretArn!.Value).toEqual({ Ref: expect.stringMatching(/IscCredentials/) });
    expect(outputs.ArchiveBucket!.Value).toEqual({ Ref: expect.stringMatching(/StorageBucket/) });
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['FunctionName', 'FailedJobsQueueUrl']));
  });
});

describe('telling operators', () => {
  it('alarms on function errors, failed jobs, undelivered events and imports with errors', () => {
    const alarms = Object.values(fresh.template.findResources('AWS::CloudWatch::Alarm')) as any[];
    const metrics = alarms.map((a) => a.Properties.MetricName).sort();
    expect(metrics).toEqual(['ApproximateNumberOfMessagesVisible', 'ApproximateNumberOfMessagesVisible', 'Errors', 'ImportsWithErrors']);
    fresh.template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ImportsWithErrors', Namespace: 'IscImportArchiver', Dimensions: [{ Name: 'service', Value: 'isc-import-archiver' }], Threshold: 1 });
    expect(alarms.every((a) => a.Properties.AlarmActions === undefined)).toBe(true);
    fresh.template.resourceCountIs('AWS::SNS::Topic', 0);
    fresh.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('sends alarms to an encrypted topic with an email subscription when an email is given', () => {
    existing.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('Key'), 'Arn'] } });
    existing.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'iam-team@example.com' });
    const alarms = Object.values(existing.template.findResources('AWS::CloudWatch::Alarm')) as any[];
    expect(alarms.every((a) => a.Properties.AlarmActions?.length === 1)).toBe(true);
  });
});

describe('with an existing bucket, secret and bus', () => {
  it('grants exactly those, under the configured prefix', () => {
    existing.template.resourceCountIs('AWS::S3::Bucket', 0);
    existing.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const all = statements(existing.template);
    const objects = all.find((s) => [s.Action].flat().includes('s3:PutObject'))!;
    expect(objects.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::acme-audit-archive/audit/isc/*']] });
    const secret = all.find((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'))!;
    expect(secret.Resource).toBe(SECRET_ARN);
    const decrypt = all.find((s) => [s.Action].flat().includes('kms:Decrypt'))!;
    expect(decrypt.Resource).toBe(SECRET_KEY_ARN);
    existing.template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ ARCHIVE_BUCKET: 'acme-audit-archive', ISC_SECRET_ID: SECRET_ARN, ARCHIVE_PREFIX: 'audit/isc/', ARCHIVE_EVENT_BUS: 'identity-events' }) } });
    existing.template.hasResourceProperties('AWS::Events::Rule', { EventBusName: 'identity-events' });
  });
});

describe('cdk-nag AwsSolutions checks', () => {
  it.each([['the default stack', fresh], ['the existing-resources stack', existing]])('find nothing unacknowledged in %s', (_name, { stack }) => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`)).toEqual([]);
  });


  it('does report a finding that nobody acknowledged', () => {
    const stack = new Stack(new App(), 'Plain');
    new s3.Bucket(stack, 'Unreviewed');
    const rules = new AwsSolutionsChecks().validateScope(stack).violations.map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });
});

describe('configuration', () => {
  it('reads context strings and JSON values alike', () => {
    const context: Record<string, unknown> = { timeoutMinutes: '10', archiveBackup: 'false', objectLockMode: 'GOVERNANCE', objectLockDays: 30 };
    expect(settingsFromContext((k) => context[k])).toMatchObject({ timeoutMinutes: 10, archiveBackup: false, objectLockMode: 'GOVERNANCE', objectLockDays: 30 });
    expect(() => settingsFromContext((k) => (k === 'timeoutMinutes' ? 'ten' : undefined))).toThrow(/timeoutMinutes must be a number/);
  });

  it.each([
    [{ timeout: Duration.minutes(20) }, /timeout must be between 1 and 15 minutes/],
    [{ reservedConcurrency: 0 }, /reservedConcurrency/],
    [{ archivePrefix: 'no-slash' }, /archivePrefix/],
    [{ iscApiVersion: 'v3' as never }, /iscApiVersion/],
  ])('refuses invalid props before building anything: %j', (props, message) => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Bad');
    expect(() => new IscImportArchiver(stack, 'Invalid', props)).toThrow(message);
  });

  it('refuses Object Lock on an existing bucket and half an Object Lock setting', () => {
    expect(() => synth({ bucketName: 'acme-audit-archive', objectLockMode: 'GOVERNANCE', objectLockDays: 30 })).toThrow(/existing bucket/);
    expect(() => synth({ objectLockMode: 'GOVERNANCE' })).toThrow(/together/);
  });
});
