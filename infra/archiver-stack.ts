import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ArchiveApi } from './archive-api.ts';
import { ArchiveMonitoring } from './archive-monitoring.ts';
import type { ArchiverSettings } from './archiver-settings.ts';
import { IscImportArchiver } from './import-archiver.ts';

export type { ArchiverSettings } from './archiver-settings.ts';
export { settingsFromContext } from './archiver-settings.ts';

export interface ArchiverStackProps extends StackProps {
  readonly settings?: ArchiverSettings;
}

/**
 * Output keys scripts read with `describe-stacks`: stable names, never a construct path's hash.
 * Renaming one breaks every script that reads it.
 */
export const OUTPUTS = ['ApiUrl', 'SecretArn', 'BucketName', 'FunctionName', 'FailedJobsQueueUrl'] as const;

/** The ready stack: the archiver, its API and its alarms, configured by context. */
export class ArchiverStack extends Stack {
  readonly archiver: IscImportArchiver;
  readonly api: ArchiveApi;
  readonly monitoring: ArchiveMonitoring;

  constructor(scope: Construct, id: string, props: ArchiverStackProps = {}) {
    super(scope, id, props);
    const s = props.settings ?? {};
    if ((s.objectLockMode === undefined) !== (s.objectLockDays === undefined))
      throw new Error('Set objectLockMode and objectLockDays together.');
    if (s.objectLockMode !== undefined && s.objectLockMode !== 'GOVERNANCE' && s.objectLockMode !== 'COMPLIANCE')
      throw new Error('objectLockMode must be GOVERNANCE or COMPLIANCE.');

    this.archiver = new IscImportArchiver(this, 'Archiver', {
      bucket: s.bucketName ? s3.Bucket.fromBucketName(this, 'ExistingBucket', s.bucketName) : undefined,
      bucketKey: s.bucketKeyArn ? kms.Key.fromKeyArn(this, 'ExistingBucketKey', s.bucketKeyArn) : undefined,
      secret: s.secretArn ? secretsmanager.Secret.fromSecretCompleteArn(this, 'ExistingSecret', s.secretArn) : undefined,
      secretKey: s.secretKeyArn ? kms.Key.fromKeyArn(this, 'ExistingSecretKey', s.secretKeyArn) : undefined,
      eventBus: s.eventBusName ? events.EventBus.fromEventBusName(this, 'Bus', s.eventBusName) : undefined,
      archivePrefix: s.archivePrefix,
      iscApiVersion: s.iscApiVersion,
      archiveBackup: s.archiveBackup,
      archiveChanges: s.archiveChanges,
      maxWaitMinutes: s.maxWaitMinutes,
      timeout: s.timeoutMinutes !== undefined ? Duration.minutes(s.timeoutMinutes) : undefined,
      maxConcurrency: s.maxConcurrency,
      reservedConcurrency: s.reservedConcurrency,
      transitionAfterDays: s.transitionAfterDays,
      objectLock: s.objectLockMode && s.objectLockDays ? { mode: s.objectLockMode, retentionDays: s.objectLockDays } : undefined,
    });
    this.api = new ArchiveApi(this, 'Api', { function: this.archiver.function });
    this.monitoring = new ArchiveMonitoring(this, 'Monitoring', {
      archiver: this.archiver,
      alarmEmail: s.alarmEmail,
      key: this.archiver.key,
    });

    // What an operator needs after deploying: where to call, where to put the credentials, where archives land.
    const outputs: Record<(typeof OUTPUTS)[number], { value: string; description: string }> = {
      ApiUrl: { value: this.api.api.url, description: 'Base URL of the archiver API (SigV4-signed requests with execute-api:Invoke only)' },
      SecretArn: { value: this.archiver.secret.secretArn, description: 'Secret to put the ISC credentials in' },
      BucketName: { value: this.archiver.bucket.bucketName, description: 'Bucket the archives are written to' },
      FunctionName: { value: this.archiver.function.functionName, description: 'The archiver function' },
      FailedJobsQueueUrl: { value: this.archiver.failedJobs.queueUrl, description: 'Jobs that could not be archived after all attempts' },
    };
    for (const [key, output] of Object.entries(outputs)) new CfnOutput(this, key, output);
  }
}
