import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { IscImportArchiver, API_VERSIONS } from './import-archiver.ts';
import { ArchiveApi } from './archive-api.ts';
import { ArchiveMonitoring } from './archive-monitoring.ts';

/** Deployment choices, from CDK context (`-c name=value` or cdk.json); every one is optional. */
export interface ArchiverSettings {
  readonly bucketName?: string;
  readonly bucketKeyArn?: string;
  readonly secretArn?: string;
  readonly secretKeyArn?: string;
  readonly eventBusName?: string;
  readonly archivePrefix?: string;
  readonly iscApiVersion?: (typeof API_VERSIONS)[number];
  readonly archiveBackup?: boolean;
  readonly timeoutMinutes?: number;
  readonly reservedConcurrency?: number;
  readonly transitionAfterDays?: number;
  readonly objectLockMode?: 'GOVERNANCE' | 'COMPLIANCE';
  readonly objectLockDays?: number;
  readonly alarmEmail?: string;
}

export interface ArchiverStackProps extends StackProps {
  readonly settings?: ArchiverSettings;
}

/** The ready stack: the archiver, its API and its alarms, configured by context. */
export class ArchiverStack extends Stack {
  readonly archiver: IscImportArchiver;
  readonly api: ArchiveApi;
  readonly monitoring: ArchiveMonitoring;

  constructor(scope: Construct, id: string, props: ArchiverStackProps = {}) {
    super(scope, id, props);
    const s = props.settings ?? {};
    if ((s.objectLockMode === undefined) !== (s.objectLockDays === undefined)) throw new Error('Set objectLockMode and objectLockDays together.');
    if (s.objectLockMode !== undefined && s.objectLockMode !== 'GOVERNANCE' && s.objectLockMode !== 'COMPLIANCE') throw new Error('objectLockMode must be GOVERNANCE or COMPLIANCE.');

    this.archiver = new IscImportArchiver(this, 'Archiver', {
      bucket: s.bucketName ? s3.Bucket.fromBucketName(this, 'ExistingBucket', s.bucketName) : undefined,
      bucketKey: s.bucketKeyArn ? kms.Key.fromKeyArn(this, 'ExistingBucketKey', s.bucketKeyArn) : undefined,
      secret: s.secretArn ? secretsmanager.Secret.fromSecretCompleteArn(this, 'ExistingSecret', s.secretArn) : undefined,
      secretKey: s.secretKeyArn ? kms.Key.fromKeyArn(this, 'ExistingSecretKey', s.secretKeyArn) : undefined,
      eventBus: s.eventBusName ? events.EventBus.fromEventBusName(this, 'Bus', s.eventBusName) : undefined,
      archivePrefix: s.archivePrefix,
      iscApiVersion: s.iscApiVersion,
      archiveBackup: s.archiveBackup,
      timeout: s.timeoutMinutes ? Duration.minutes(s.timeoutMinutes) : undefined,
      reservedConcurrency: s.reservedConcurrency,
      transitionAfterDays: s.transitionAfterDays,
      objectLock: s.objectLockMode && s.objectLockDays ? { mode: s.objectLockMode, retentionDays: s.objectLockDays } : undefined,
    });
    this.api = new ArchiveApi(this, 'Api', { function: this.archiver.function });
    this.monitoring = new ArchiveMonitoring(this, 'Monitoring', { archiver: this.archiver, alarmEmail: s.alarmEmail, key: this.archiver.key });

    // What an operator needs after deploying: where to put the credentials, where archives land.
    new CfnOutput(this, 'SecretArn', { value: this.archiver.secret.secretArn, description: 'Secret to put the ISC credentials in' });
    new CfnOutput(this, 'ArchiveBucket', { value: this.archiver.bucket.bucketName, description: 'Bucket the archives are written to' });
    new CfnOutput(this, 'FunctionName', { value: this.archiver.function.functionName, description: 'The archiver function' });
    new CfnOutput(this, 'FailedJobsQueueUrl', { value: this.archiver.failedJobs.queueUrl, description: 'Jobs that could not be archived after all retries' });
  }
}

/** Reads the settings from context values (strings on the command line, JSON types in cdk.json). */
export function settingsFromContext(get: (key: string) => unknown): ArchiverSettings {
  const text = (key: string) => {
    const value = get(key);
    return value === undefined || value === '' ? undefined : String(value);
  };
  const number = (key: string) => {
    const value = text(key);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n)) throw new Error(`Context ${key} must be a number, not "${value}".`);
    return n;
  };
  const backup = text('archiveBackup');
  return {
    bucketName: text('bucketName'),
    bucketKeyArn: text('bucketKeyArn'),
    secretArn: text('secretArn'),
    secretKeyArn: text('secretKeyArn'),
    eventBusName: text('eventBusName'),
    archivePrefix: text('archivePrefix'),
    iscApiVersion: text('iscApiVersion') as ArchiverSettings['iscApiVersion'],
    archiveBackup: backup === undefined ? undefined : backup === 'true',
    timeoutMinutes: number('timeoutMinutes'),
    reservedConcurrency: number('reservedConcurrency'),
    transitionAfterDays: number('transitionAfterDays'),
    objectLockMode: text('objectLockMode') as ArchiverSettings['objectLockMode'],
    objectLockDays: number('objectLockDays'),
    alarmEmail: text('alarmEmail'),
  };
}
