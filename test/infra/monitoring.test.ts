import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { METRICS_NAMESPACE, PRODUCT } from '../../lambda/contract/constants.ts';
import { resources, synth } from './synth.ts';

const quiet = synth();
const paging = synth({ alarmEmail: 'iam-team@example.com' });

describe('alarms', () => {
  it('watch for a broken function, failed jobs, undelivered events and imports with errors, and stay silent without an email', () => {
    const alarms = resources(quiet.template, 'AWS::CloudWatch::Alarm');
    expect(alarms.map((a) => a.Properties.MetricName).sort()).toEqual([
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesVisible',
      'Errors',
      'ImportsWithErrors',
    ]);
    quiet.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ImportsWithErrors',
      Namespace: METRICS_NAMESPACE,
      Dimensions: [{ Name: 'service', Value: PRODUCT }],
      Threshold: 1,
    });
    expect(alarms.every((a) => a.Properties.AlarmActions === undefined)).toBe(true);
    quiet.template.resourceCountIs('AWS::SNS::Topic', 0);
  });

  it('reach an encrypted topic with an email subscription when an email is given', () => {
    paging.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('Key'), 'Arn'] } });
    paging.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'iam-team@example.com' });
    const alarms = resources(paging.template, 'AWS::CloudWatch::Alarm');
    expect(alarms.every((a) => a.Properties.AlarmActions?.length === 1)).toBe(true);
  });

  it('may be published by CloudWatch alarms of this account: the topic policy allows it beside the TLS deny', () => {
    // Any topic policy replaces SNS's default one; with only the TLS Deny, no alarm email is ever sent.
    paging.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111122223333' },
              ArnLike: {
                'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:us-east-1:111122223333:alarm:*']] },
              },
            },
          }),
        ]),
      },
    });
  });

  it("may use the topic's key for this account only", () => {
    const [key] = resources(paging.template, 'AWS::KMS::Key');
    const forCloudWatch = key!.Properties.KeyPolicy.Statement.filter(
      (s: { Principal: { Service?: string } }) => s.Principal.Service === 'cloudwatch.amazonaws.com',
    );
    expect(forCloudWatch).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
      }),
    ]);
  });
});

describe('the dashboard', () => {
  const body = () => JSON.stringify(resources(quiet.template, 'AWS::CloudWatch::Dashboard')[0]!.Properties.DashboardBody);

  it('shows what imports changed, jobs waiting, and the deliveries backlog', () => {
    for (const name of [
      'ObjectsChanged',
      'ObjectsCreated',
      'ContinuedWaiting',
      'JobsArchived',
      'Failures',
      'ApproximateAgeOfOldestMessage',
      'ConcurrentExecutions',
    ]) {
      expect(body()).toContain(name);
    }
  });
});
