import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { BUCKET_KEY_ARN, SECRET_ARN, SECRET_KEY_ARN, synth } from './synth.ts';

const stacks = [
  ['the default stack', synth()],
  [
    'the existing-resources stack with alarms and a reservation',
    synth({
      bucketName: 'acme-audit-archive',
      bucketKeyArn: BUCKET_KEY_ARN,
      secretArn: SECRET_ARN,
      secretKeyArn: SECRET_KEY_ARN,
      eventBusName: 'identity-events',
      archivePrefix: 'audit/isc/',
      alarmEmail: 'iam-team@example.com',
      reservedConcurrency: 10,
    }),
  ],
] as const;

describe('cdk-nag AwsSolutions checks', () => {
  it.each(stacks)('find nothing unacknowledged in %s', (_name, { stack }) => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`)).toEqual([]);
  });

  it('do report a finding that nobody acknowledged', () => {
    const stack = new Stack(new App(), 'Plain');
    new s3.Bucket(stack, 'Unreviewed');
    const rules = new AwsSolutionsChecks().validateScope(stack).violations.map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });
});
