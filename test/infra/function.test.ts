import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, METRICS_NAMESPACE, PRODUCT } from '../../lambda/contract/constants.ts';
import { actionsOf, resources, roleStatements, synth } from './synth.ts';

const fresh = synth();

describe('the function', () => {
  it('runs the built bundle on Node 24, arm64, with JSON logs, a 5-minute timeout and the contract defaults', () => {
    fresh.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'handler.handler',
      Timeout: 300,
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
      Environment: {
        Variables: Match.objectLike({
          ARCHIVE_BUCKET: { Ref: Match.stringLikeRegexp('StorageBucket') },
          ARCHIVE_PREFIX: DEFAULTS.prefix,
          ISC_SECRET_ID: { Ref: Match.stringLikeRegexp('IscCredentials') },
          ISC_API_VERSION: DEFAULTS.apiVersion,
          ARCHIVE_BACKUP: 'true',
          ARCHIVE_CHANGES: 'true',
          MAX_WAIT_MINUTES: String(DEFAULTS.maxWaitMinutes),
          ARCHIVE_QUEUE_URL: { Ref: Match.stringLikeRegexp('DeliveriesQueue') },
          ARCHIVE_EVENT_BUS: 'default',
          POWERTOOLS_SERVICE_NAME: PRODUCT,
          POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
          NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=1',
        }),
      },
    });
    fresh.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  it("reserves none of the account's concurrency by default, so a first deploy fits a small quota", () => {
    const [fn] = resources(fresh.template, 'AWS::Lambda::Function');
    expect(fn!.Properties).not.toHaveProperty('ReservedConcurrentExecutions');
  });

  it('may read and write the archive prefix only, list only under it, and read the one secret', () => {
    const all = roleStatements(fresh.template);
    const s3 = all.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3).toEqual([
      expect.objectContaining({
        Action: [
          's3:GetObject',
          's3:GetObjectVersion',
          's3:PutObject',
          's3:PutObjectTagging',
          's3:DeleteObject',
          's3:AbortMultipartUpload',
        ],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/StorageBucket/), 'Arn'] }, '/sp-config/*']] },
      }),
      expect.objectContaining({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['sp-config/*'] } } }),
    ]);
    const secret = all.find((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));
    expect(secret?.Resource).toEqual({ Ref: expect.stringMatching(/IscCredentials/) });
    const events = all.find((s) => actionsOf(s).includes('events:PutEvents'));
    expect(JSON.stringify(events?.Resource)).toContain('event-bus/default');
    expect(all.some((s) => s.Resource === '*')).toBe(false);
  });

  it('hands work on through the deliveries queue, not by invoking itself', () => {
    const all = roleStatements(fresh.template);
    expect(all.flatMap(actionsOf)).not.toContain('lambda:InvokeFunction');
    const send = all.filter((s) => actionsOf(s).includes('sqs:SendMessage')).map((s) => JSON.stringify(s.Resource));
    expect(send).toEqual(expect.arrayContaining([expect.stringMatching(/DeliveriesQueue/)]));
  });
});
