import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { defineArchiverApp } from '../../infra/archiver-app.ts';
import { settingsFromContext } from '../../infra/archiver-stack.ts';
import { IscImportArchiver } from '../../infra/import-archiver.ts';
import { DEFAULT_STACK_NAME } from '../../lambda/contract/constants.ts';
import { actionsOf, BUCKET_KEY_ARN, NO_STAGING, roleStatements, SECRET_ARN, SECRET_KEY_ARN, synth } from './synth.ts';

describe('non-default settings reach the template', () => {
  const { template } = synth({
    iscApiVersion: 'v2025',
    archiveBackup: false,
    archiveChanges: false,
    maxWaitMinutes: 720,
    timeoutMinutes: 10,
    maxConcurrency: 8,
    reservedConcurrency: 20,
    bucketName: 'acme-audit-archive',
    bucketKeyArn: BUCKET_KEY_ARN,
    secretArn: SECRET_ARN,
    secretKeyArn: SECRET_KEY_ARN,
    eventBusName: 'identity-events',
    archivePrefix: 'audit/isc/',
    alarmEmail: 'iam-team@example.com',
  });

  it("as the function's environment, timeout and reservation", () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 600,
      ReservedConcurrentExecutions: 20,
      Environment: {
        Variables: Match.objectLike({
          ISC_API_VERSION: 'v2025',
          ARCHIVE_BACKUP: 'false',
          ARCHIVE_CHANGES: 'false',
          MAX_WAIT_MINUTES: '720',
          ARCHIVE_BUCKET: 'acme-audit-archive',
          ARCHIVE_PREFIX: 'audit/isc/',
          ISC_SECRET_ID: SECRET_ARN,
          ARCHIVE_EVENT_BUS: 'identity-events',
        }),
      },
    });
  });

  it("as the deliveries mapping's cap and a visibility timeout that follows the function timeout", () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 8 } });
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 6 * 600, RedrivePolicy: Match.anyValue() });
  });

  it('as grants on exactly the existing bucket, its key, the secret and its key', () => {
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const all = roleStatements(template);
    const objects = all.find((s) => actionsOf(s).includes('s3:PutObject'));
    expect(objects?.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::acme-audit-archive/audit/isc/*']] });
    const bucketKey = all.find((s) => s.Resource === BUCKET_KEY_ARN);
    expect(actionsOf(bucketKey!)).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']));
    expect(all.find((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))?.Resource).toBe(SECRET_ARN);
    expect(all.find((s) => s.Resource === SECRET_KEY_ARN && actionsOf(s).includes('kms:Decrypt'))).toBeDefined();
    template.hasResourceProperties('AWS::Events::Rule', { EventBusName: 'identity-events' });
  });

  it("as the alarm topic's email subscription", () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'iam-team@example.com' });
  });
});

describe('the app', () => {
  it('names the stack and reads every setting from context, as `cdk deploy -c` passes them', () => {
    const app = new App({
      context: { ...NO_STAGING, stackName: 'AcmeArchiver', maxConcurrency: '7', archiveChanges: 'false', maxWaitMinutes: '90' },
    });
    const stack = defineArchiverApp(app);
    expect(stack.stackName).toBe('AcmeArchiver');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 7 } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ARCHIVE_CHANGES: 'false', MAX_WAIT_MINUTES: '90' }) },
    });
    expect(defineArchiverApp(new App({ context: NO_STAGING })).stackName).toBe(DEFAULT_STACK_NAME);
  });

  it('reads context strings and JSON values alike, and refuses what is neither a number nor a flag', () => {
    const context: Record<string, unknown> = {
      timeoutMinutes: '10',
      archiveBackup: 'false',
      archiveChanges: true,
      maxConcurrency: 12,
      objectLockMode: 'GOVERNANCE',
      objectLockDays: 30,
    };
    expect(settingsFromContext((k) => context[k])).toMatchObject({
      timeoutMinutes: 10,
      archiveBackup: false,
      archiveChanges: true,
      maxConcurrency: 12,
      objectLockMode: 'GOVERNANCE',
      objectLockDays: 30,
    });
    expect(() => settingsFromContext((k) => (k === 'timeoutMinutes' ? 'ten' : undefined))).toThrow(/timeoutMinutes must be a number/);
    expect(() => settingsFromContext((k) => (k === 'archiveBackup' ? 'flase' : undefined))).toThrow(/archiveBackup must be true or false/);
  });
});

describe('invalid props', () => {
  it.each([
    [{ timeout: Duration.minutes(20) }, /timeout must be between 1 and 15 minutes/],
    [{ maxConcurrency: 1 }, /maxConcurrency/],
    [{ maxConcurrency: 1001 }, /maxConcurrency/],
    [{ reservedConcurrency: 5 }, /reservedConcurrency.*above maxConcurrency \(5\)/],
    [{ maxConcurrency: 10, reservedConcurrency: 10 }, /reservedConcurrency/],
    [{ maxWaitMinutes: 0 }, /maxWaitMinutes/],
    [{ maxWaitMinutes: 1.5 }, /maxWaitMinutes/],
    [{ archivePrefix: 'no-slash' }, /archivePrefix/],
    [{ archivePrefix: 'a/../' }, /archivePrefix/],
    [{ iscApiVersion: 'v3' as never }, /iscApiVersion/],
  ])('are refused before anything is built: %j', (props, message) => {
    const stack = new Stack(new App({ context: NO_STAGING }), 'Bad');
    expect(() => new IscImportArchiver(stack, 'Invalid', props)).toThrow(message);
    expect(stack.node.tryFindChild('Invalid')?.node.children ?? []).toEqual([]);
  });

  it('include Object Lock on an existing bucket and half an Object Lock setting', () => {
    expect(() => synth({ bucketName: 'acme-audit-archive', objectLockMode: 'GOVERNANCE', objectLockDays: 30 })).toThrow(/existing bucket/);
    expect(() => synth({ objectLockMode: 'GOVERNANCE' })).toThrow(/together/);
  });

  it("accept a reservation above the queue's cap, leaving API calls room", () => {
    expect(() => synth({ maxConcurrency: 5, reservedConcurrency: 6 })).not.toThrow();
  });
});
