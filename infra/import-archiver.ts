import { fileURLToPath } from 'node:url';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ArchiveStorage, type ObjectLockOptions } from './archive-storage.ts';
import { LAMBDA_NODE_OPTIONS, REQUIRE_BANNER } from '../scripts/build-options.ts';

/** How cdk-nag names a bucket's ARN in its findings: the logical id's token, or the literal ARN. */
function nagArn(bucket: s3.IBucket): string {
  const cfn = bucket.node.defaultChild;
  if (cfn instanceof s3.CfnBucket) return `<${Stack.of(bucket).getLogicalId(cfn)}.Arn>`;
  return `arn:<AWS::Partition>:s3:::${bucket.bucketName}`;
}

export const API_VERSIONS = ['beta', 'v2024', 'v2025', 'v2026', 'v1'] as const;
export const IMPORT_EVENT_PATTERN = {
  source: ['sailpoint.sp-config'],
  detailType: ['SP-Config Import Submitted', 'SP-Config Import Completed'],
} as const;

export interface IscImportArchiverProps {
  /** An existing bucket to archive into; default: a new bucket (see ArchiveStorage). */
  readonly bucket?: s3.IBucket;
  /** Key of an existing bucket's SSE-KMS encryption, when it is customer-managed. */
  readonly bucketKey?: kms.IKey;
  /** Key prefix of the archive, empty or ending in `/` (default `sp-config/`). */
  readonly archivePrefix?: string;
  /** An existing secret with the ISC credentials; default: a new secret with placeholder values. */
  readonly secret?: secretsmanager.ISecret;
  /** The existing secret's customer-managed key, if any, so the function may decrypt it. */
  readonly secretKey?: kms.IKey;
  /** ISC API family (default `beta`). */
  readonly iscApiVersion?: (typeof API_VERSIONS)[number];
  /** Archive the pre-import backup too (default true). */
  readonly archiveBackup?: boolean;
  /** Function timeout: long enough to wait for a typical import (default 5 minutes, at most 15). */
  readonly timeout?: Duration;
  /** Function memory in MB (default 512). */
  readonly memorySize?: number;
  /** Concurrent executions reserved and capped (default 5: ISC allows 100 requests per 10 s per client id). */
  readonly reservedConcurrency?: number;
  /** Log retention (default one year). */
  readonly logRetention?: logs.RetentionDays;
  /** Days before archives move to colder storage (default 90; new bucket only). */
  readonly transitionAfterDays?: number;
  /** S3 Object Lock for audit retention (default off; new bucket only). */
  readonly objectLock?: ObjectLockOptions;
  /** Bus the import events arrive on and the archived events go to (default: the account's default bus). */
  readonly eventBus?: events.IEventBus;
  /** Lambda's own retries of a failed asynchronous invocation (default 2). */
  readonly retryAttempts?: number;
  /** How long an event may wait for a successful invocation (default 6 hours). */
  readonly maxEventAge?: Duration;
}

/**
 * The archiver function with what it needs around it: credentials, archive bucket, a queue for
 * failed jobs, and the EventBridge rule. Each grant sits beside the setting that needs it.
 */
export class IscImportArchiver extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly bucket: s3.IBucket;
  readonly secret: secretsmanager.ISecret;
  readonly key: kms.Key;
  readonly failedJobs: sqs.Queue;
  readonly undeliveredEvents: sqs.Queue;
  readonly rule: events.Rule;
  readonly archivePrefix: string;
  readonly eventBus: events.IEventBus;

  constructor(scope: Construct, id: string, props: IscImportArchiverProps = {}) {
    super(scope, id);
    const prefix = props.archivePrefix ?? 'sp-config/';
    if (prefix !== '' && !/^(?:[A-Za-z0-9!_.*'()-]+\/)+$/.test(prefix)) throw new Error('archivePrefix must be empty or end with "/".');
    const timeout = props.timeout ?? Duration.minutes(5);
    if (timeout.toSeconds() < 60 || timeout.toSeconds() > 900) throw new Error('timeout must be between 1 and 15 minutes.');
    const concurrency = props.reservedConcurrency ?? 5;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 50) throw new Error('reservedConcurrency must be between 1 and 50.');
    if (props.bucket && (props.objectLock || props.transitionAfterDays !== undefined)) {
      throw new Error('objectLock and transitionAfterDays configure a new bucket; set them on the existing bucket instead.');
    }
    const apiVersion = props.iscApiVersion ?? 'beta';
    if (!API_VERSIONS.includes(apiVersion)) throw new Error(`iscApiVersion must be one of ${API_VERSIONS.join(', ')}.`);
    this.archivePrefix = prefix;

    this.key = new kms.Key(this, 'Key', { enableKeyRotation: true, description: 'isc-import-archiver: archive bucket, logs and queues' });
    this.bucket = props.bucket ?? new ArchiveStorage(this, 'Storage', { key: this.key, transitionAfterDays: props.transitionAfterDays, objectLock: props.objectLock }).bucket;
    this.secret = props.secret ?? this.placeholderSecret();
    this.eventBus = props.eventBus ?? events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');

    this.failedJobs = this.queue('FailedJobs', 'Invocations that failed after Lambda\'s retries; each message names the job.');
    this.undeliveredEvents = this.queue('UndeliveredEvents', 'Import events EventBridge could not deliver to the function.');

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR });
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: fileURLToPath(new URL('../lambda/handler.ts', import.meta.url)),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout,
      reservedConcurrentExecutions: concurrency,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup,
      description: 'Archives SailPoint ISC sp-config import results and backups to S3',
      environment: {
        ARCHIVE_PREFIX: prefix,
        ISC_API_VERSION: apiVersion,
        ARCHIVE_BACKUP: String(props.archiveBackup ?? true),
        NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
        POWERTOOLS_SERVICE_NAME: 'isc-import-archiver',
        POWERTOOLS_METRICS_NAMESPACE: 'IscImportArchiver',
      },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        banner: REQUIRE_BANNER,
        // Ship the SDK versions the tests ran against, not whatever the runtime carries.
        bundleAwsSDK: true,
      },
      retryAttempts: props.retryAttempts ?? 2,
      maxEventAge: props.maxEventAge ?? Duration.hours(6),
      onFailure: new destinations.SqsDestination(this.failedJobs),
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'AWSLambdaBasicExecutionRole only lets the function write its own logs, which is what it needs.',
    });

    this.archiveTo(this.bucket, prefix, props.bucketKey);
    this.readCredentialsFrom(this.secret, props.secretKey);
    this.allowHandOff();
    this.publishArchivedEventsTo(this.eventBus);

    this.rule = new events.Rule(this, 'ImportEvents', {
      eventBus: this.eventBus,
      description: 'sp-config imports to archive',
      eventPattern: { source: [...IMPORT_EVENT_PATTERN.source], detailType: [...IMPORT_EVENT_PATTERN.detailType] },
      targets: [
        new targets.LambdaFunction(this.function, {
          deadLetterQueue: this.undeliveredEvents,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
  }

  /** Sets ARCHIVE_BUCKET and grants read/write of the archive prefix only. */
  archiveTo(bucket: s3.IBucket, prefix: string, key?: kms.IKey): void {
    this.function.addEnvironment('ARCHIVE_BUCKET', bucket.bucketName);
    const objects = bucket.arnForObjects(`${prefix}*`);
    this.function.addToRolePolicy(new iam.PolicyStatement({
      sid: 'ArchivePrefixObjects',
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      resources: [objects],
    }));
    // Without ListBucket a missing manifest reads as 403 instead of 404.
    this.function.addToRolePolicy(new iam.PolicyStatement({
      sid: 'ArchivePrefixList',
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
    }));
    Validations.of(this.function).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArn(bucket)}/${prefix}*]`,
      reason: `Object access is limited to the archive prefix (${prefix}*) of the one bucket; job ids are only known at run time.`,
    });
    const encryptionKey = key ?? bucket.encryptionKey;
    if (encryptionKey) {
      encryptionKey.grantEncryptDecrypt(this.function);
      for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
        Validations.of(this.function).acknowledge({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason: 'The standard encrypt/decrypt grant on the one archive key; S3 needs data keys to write SSE-KMS objects.',
        });
      }
    }
  }

  /** Sets ISC_SECRET_ID and grants read of that one secret (and decrypt of its key when customer-managed). */
  readCredentialsFrom(secret: secretsmanager.ISecret, key?: kms.IKey): void {
    this.function.addEnvironment('ISC_SECRET_ID', secret.secretArn);
    secret.grantRead(this.function);
    key?.grantDecrypt(this.function);
  }

  /** Lets the API's 202 path hand a running job to an asynchronous invocation of this function. */
  private allowHandOff(): void {
    // A separate policy: the function's default policy naming the function's own ARN would be a cycle.
    new iam.Policy(this, 'HandOffPolicy', {
      roles: [this.function.role!],
      statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] })],
    });
  }

  /** Sets ARCHIVE_EVENT_BUS and grants PutEvents on that bus only. */
  private publishArchivedEventsTo(bus: events.IEventBus): void {
    this.function.addEnvironment('ARCHIVE_EVENT_BUS', bus.eventBusName);
    bus.grantPutEventsTo(this.function);
  }

  private placeholderSecret(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'IscCredentials', {
      description: 'ISC credentials for isc-import-archiver: {"baseUrl","clientId","clientSecret"}; set the real values after deploying.',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ baseUrl: 'https://your-tenant.api.identitynow.com', clientId: 'replace-with-client-id' }),
        generateStringKey: 'clientSecret',
        excludePunctuation: true,
      },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The value is an ISC personal access token, issued and rotated in ISC; operators put the new value with one command (see README).',
    });
    return secret;
  }

  private queue(id: string, description: string): sqs.Queue {
    const queue = new sqs.Queue(this, id, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: `${description} It is itself the dead-letter destination.` });
    return queue;
  }
}
