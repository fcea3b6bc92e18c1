import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DELIVERY_RETRY_POLICY } from '../../infra/archive-deliveries.ts';
import { IMPORT_EVENT_PATTERN } from '../../lambda/contract/constants.ts';
import { resources, synth } from './synth.ts';

const { template } = synth();
const deliveries = () => {
  const queue = resources(template, 'AWS::SQS::Queue').find((q) => q.Properties.RedrivePolicy);
  if (!queue) throw new Error('no queue with a redrive policy');
  return queue.Properties;
};

describe('deliveries', () => {
  it('go through one KMS-encrypted queue whose mapping caps concurrent archivers at 5, one job per invocation', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeliveriesQueue'), 'Arn'] },
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 5 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(deliveries().KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/ArchiverKey/), 'Arn'] });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: Match.stringLikeRegexp('DeliveriesQueue') }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it("hide a message for six function timeouts and move it to the failed-jobs queue after the policy's attempts", () => {
    const [fn] = resources(template, 'AWS::Lambda::Function');
    expect(deliveries().VisibilityTimeout).toBe(6 * fn!.Properties.Timeout);
    expect(deliveries().RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/FailedJobs/), 'Arn'] },
      maxReceiveCount: DELIVERY_RETRY_POLICY.attempts,
    });
    // A moved message keeps its first enqueue time: the failed-jobs queue must keep it longer.
    const failed = resources(template, 'AWS::SQS::Queue').filter((q) => !q.Properties.RedrivePolicy);
    for (const q of failed) expect(q.Properties.MessageRetentionPeriod).toBeGreaterThan(deliveries().MessageRetentionPeriod);
  });

  it('give direct asynchronous invocations the same attempts, then the failed-jobs queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: DELIVERY_RETRY_POLICY.attempts - 1,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('FailedJobs'), 'Arn'] } } },
    });
    const queues = resources(template, 'AWS::SQS::Queue');
    expect(queues.every((q) => q.Properties.SqsManagedSseEnabled === true || q.Properties.KmsMasterKeyId)).toBe(true);
  });
});

describe('import events', () => {
  it('of this account only are put on the deliveries queue, with retries and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        account: ['111122223333'],
        source: [...IMPORT_EVENT_PATTERN.source],
        'detail-type': [...IMPORT_EVENT_PATTERN.detailType],
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeliveriesQueue'), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('UndeliveredEvents'), 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 },
        }),
      ],
    });
  });

  it('reach the encrypted queue through grants limited to this account', () => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: Match.stringLikeRegexp('DeliveriesQueue') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: Match.arrayWith(['sqs:SendMessage']),
            Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
          }),
        ]),
      },
    });
    const [key] = resources(template, 'AWS::KMS::Key');
    const forEvents = key!.Properties.KeyPolicy.Statement.filter(
      (s: { Principal: { Service?: string } }) => s.Principal.Service === 'events.amazonaws.com',
    );
    expect(forEvents).toEqual([expect.objectContaining({ Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } } })]);
  });
});
