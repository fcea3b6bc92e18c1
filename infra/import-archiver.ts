import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type ApiVersion, DEFAULTS, ENV, METRICS_NAMESPACE, PRODUCT } from '../lambda/contract/constants.ts';
import { LAMBDA_NODE_OPTIONS } from '../scripts/build-options.ts';
import { ArchiveDeliveries } from './archive-deliveries.ts';
import { ArchiveStorage, type ObjectLockOptions } from './archive-storage.ts';
import { DEFAULT_MAX_CONCURRENCY, validateArchiverProps } from './archiver-props.ts';
import { KEEP_DATA } from './retention.ts';

/** The directory `npm run build` writes: the bundle every test ran is the one deployed. */
export const BUNDLE_DIR = fileURLToPath(new URL('../dist/lambda', import.meta.url));

/** How cdk-nag names a bucket's ARN in its findings: the logical id's token, or the literal ARN. */
function nagArn(bucket: s3.IBucket): string {
  const cfn = bucket.node.defaultChild;
  if (cfn instanceof s3.CfnBucket) return `<${Stack.of(bucket).getLogicalId(cfn)}.Arn>`;
  return `arn:<AWS::Partition>:s3:::${bucket.bucketName}`;
}

export interface IscImportArchiverProps {
  /** An existing bucket to archive into; default: a new bucket (see ArchiveStorage). */
  readonly bucket?: s3.IBucket;
  /** Key of an existing bucket's SSE-KMS encryption, when it is customer-managed. */
  readonly bucketKey?: kms.IKey;
  /** Key prefix of the archive, empty or ending in `/` (default DEFAULTS.prefix, `sp-config/`). */
  readonly archivePrefix?: string;
  /** An existing secret with the ISC credentials; default: a new secret with placeholder values. */
  readonly secret?: secretsmanager.ISecret;
  /** The existing secret's customer-managed key, if any, so the function may decrypt it. */
  readonly secretKey?: kms.IKey;
  /** ISC API family (default DEFAULTS.apiVersion, `beta`). */
  readonly iscApiVersion?: ApiVersion;
  /** Archive the pre-import backup too (default true). */
  readonly archiveBackup?: boolean;
  /** Export the after-state and record what each import changed (default true). */
  readonly archiveChanges?: boolean;
  /** How long, across invocations, to wait for a running import (default 360 minutes, at most 10080). */
  readonly maxWaitMinutes?: number;
  /** Function timeout, 1 to 15 minutes (default 5); a longer wait continues in a new invocation. */
  readonly timeout?: Duration;
  /** Function memory in MB (default 512). */
  readonly memorySize?: number;
  /** Archivers running at once from the deliveries queue (default 5, 2 to 1000): ISC allows 100 requests per 10 s per client id. */
  readonly maxConcurrency?: number;
  /** Concurrency reserved for the function (default none: no account capacity is set aside). Must exceed maxConcurrency. */
  readonly reservedConcurrency?: number;
  /** Log retention (default one year). */
  readonly logRetention?: logs.RetentionDays;
  /** Days before archives move to colder storage (default 90; new bucket only). */
  readonly transitionAfterDays?: number;
  /** S3 Object Lock for audit retention (default off; new bucket only). */
  readonly objectLock?: ObjectLockOptions;
  /** Bus the import events arrive on and the archived events go to (default: the account's default bus). */
  readonly eventBus?: events.IEventBus;
}

/**
 * The archiver function with what it needs around it: credentials, archive bucket, the deliveries
 * queue with its failed-jobs queue, and the EventBridge rule. Each grant sits beside the setting
 * that needs it.
 */
export class IscImportArchiver extends Construct {
  readonly function: lambda.Function;
  readonly bucket: s3.IBucket;
  readonly secret: secretsmanager.ISecret;
  readonly key: kms.Key;
  readonly deliveries: ArchiveDeliveries;
  readonly archivePrefix: string;
  readonly eventBus: events.IEventBus;

  constructor(scope: Construct, id: string, props: IscImportArchiverProps = {}) {
    super(scope, id);
    validateArchiverProps(props);
    const prefix = props.archivePrefix ?? DEFAULTS.prefix;
    this.archivePrefix = prefix;
    if (!existsSync(`${BUNDLE_DIR}/handler.mjs`))
      throw new Error(`${BUNDLE_DIR}/handler.mjs is missing: run \`npm run build\` first (cdk.json's app does).`);

    this.key = new kms.Key(this, 'Key', {
      enableKeyRotation: true,
      description: `${PRODUCT}: archive bucket, alarm topic and deliveries queue`,
      removalPolicy: KEEP_DATA,
    });
    this.bucket =
      props.bucket ??
      new ArchiveStorage(this, 'Storage', { key: this.key, transitionAfterDays: props.transitionAfterDays, objectLock: props.objectLock })
        .bucket;
    this.secret = props.secret ?? this.placeholderSecret();
    this.eventBus = props.eventBus ?? events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: KEEP_DATA,
    });
    this.function = new lambda.Function(this, 'Function', {
      code: lambda.Code.fromAsset(BUNDLE_DIR),
      handler: 'handler.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.minutes(5),
      // No reservation unless asked: the deliveries queue's maximum concurrency bounds background work.
      reservedConcurrentExecutions: props.reservedConcurrency,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup,
      description: 'Archives SailPoint ISC sp-config import results and backups to S3',
      environment: {
        [ENV.prefix]: prefix,
        [ENV.apiVersion]: props.iscApiVersion ?? DEFAULTS.apiVersion,
        [ENV.backup]: String(props.archiveBackup ?? DEFAULTS.archiveBackup),
        [ENV.changes]: String(props.archiveChanges ?? DEFAULTS.archiveChanges),
        [ENV.maxWaitMinutes]: String(props.maxWaitMinutes ?? DEFAULTS.maxWaitMinutes),
        NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
        POWERTOOLS_SERVICE_NAME: PRODUCT,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'AWSLambdaBasicExecutionRole only lets the function write its own logs, which is what it needs.',
    });

    this.archiveTo(this.bucket, prefix, props.bucketKey);
    this.readCredentialsFrom(this.secret, props.secretKey);
    this.publishArchivedEventsTo(this.eventBus);
    this.deliveries = new ArchiveDeliveries(this, 'Deliveries', {
      function: this.function,
      key: this.key,
      eventBus: this.eventBus,
      maxConcurrency: props.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
    });
  }

  get failedJobs(): sqs.Queue {
    return this.deliveries.failedJobs;
  }

  get undeliveredEvents(): sqs.Queue {
    return this.deliveries.undeliveredEvents;
  }

  get rule(): events.Rule {
    return this.deliveries.rule;
  }

  /** Sets ARCHIVE_BUCKET and grants read/write of the archive prefix only. */
  archiveTo(bucket: s3.IBucket, prefix: string, key?: kms.IKey): void {
    this.function.addEnvironment(ENV.bucket, bucket.bucketName);
    const objects = bucket.arnForObjects(`${prefix}*`);
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ArchivePrefixObjects',
        // PutObjectTagging: the claim object is written with its lifecycle tag (CLAIM_TAG).
        // GetObjectVersion: the report and the backup are read as the version the manifest names.
        actions: [
          's3:GetObject',
          's3:GetObjectVersion',
          's3:PutObject',
          's3:PutObjectTagging',
          's3:DeleteObject',
          's3:AbortMultipartUpload',
        ],
        resources: [objects],
      }),
    );
    // Without ListBucket a missing manifest reads as 403 instead of 404; it also lists a job's restores.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ArchivePrefixList',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
      }),
    );
    Validations.of(this.function).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArn(bucket)}/${prefix}*]`,
      reason: `Object access is limited to the archive prefix (${prefix}*) of the one bucket; job ids are only known at run time.`,
    });
    (key ?? bucket.encryptionKey)?.grantEncryptDecrypt(this.function);
  }

  /** Sets ISC_SECRET_ID and grants read of that one secret (and decrypt of its key when customer-managed). */
  readCredentialsFrom(secret: secretsmanager.ISecret, key?: kms.IKey): void {
    this.function.addEnvironment(ENV.secretId, secret.secretArn);
    secret.grantRead(this.function);
    key?.grantDecrypt(this.function);
  }

  /** Sets ARCHIVE_EVENT_BUS and grants PutEvents on that bus only. */
  private publishArchivedEventsTo(bus: events.IEventBus): void {
    this.function.addEnvironment(ENV.eventBus, bus.eventBusName);
    bus.grantPutEventsTo(this.function);
  }

  private placeholderSecret(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'IscCredentials', {
      description: `ISC credentials for ${PRODUCT}: {"baseUrl","clientId","clientSecret"}; set the real values after deploying.`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ baseUrl: 'https://your-tenant.api.identitynow.com', clientId: 'replace-with-client-id' }),
        generateStringKey: 'clientSecret',
        excludePunctuation: true,
      },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The value is an ISC personal access token, issued and rotated in ISC; operators put the new value with one command (see README).',
    });
    return secret;
  }
}
