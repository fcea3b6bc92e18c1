import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { EVENTS_TARGET_QUEUE_SAME_ACCOUNT } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { ENV, IMPORT_EVENT_PATTERN } from '../lambda/contract/constants.ts';

/**
 * How often one delivery is tried before it lands in the failed-jobs queue: once and two retries,
 * as Lambda itself does for asynchronous invocations. Both paths take it from here.
 */
export const DELIVERY_RETRY_POLICY = { attempts: 3 } as const;

/** Lambda holds a queued message invisible for six function timeouts, as AWS advises for SQS sources. */
const VISIBILITY_PER_TIMEOUT = 6;

export interface ArchiveDeliveriesProps {
  readonly function: lambda.Function;
  /** The stack's key: the deliveries queue carries job ids and tenant names, so it is KMS-encrypted. */
  readonly key: kms.IKey;
  /** Bus the import events arrive on. */
  readonly eventBus: events.IEventBus;
  /** Concurrent archivers fed from the queue (2 to 1000, the event source mapping's range). */
  readonly maxConcurrency: number;
}

/**
 * Every asynchronous delivery (EventBridge events, the API's hand-offs, continuations of a long
 * wait) goes through one queue, and the event source mapping caps how many archivers run at once.
 * That bounds the load on ISC (100 requests per 10 s per client id) without reserving any of the
 * account's concurrency, so a first deploy works on accounts with a small quota.
 */
export class ArchiveDeliveries extends Construct {
  readonly queue: sqs.Queue;
  readonly failedJobs: sqs.Queue;
  readonly undeliveredEvents: sqs.Queue;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ArchiveDeliveriesProps) {
    super(scope, id);
    // EventBridge's grant on an encrypted queue then carries aws:SourceAccount (key and queue policy).
    this.node.setContext(EVENTS_TARGET_QUEUE_SAME_ACCOUNT, true);
    const fn = props.function;
    const timeout = fn.timeout ?? Duration.seconds(3);

    this.failedJobs = this.deadLetterQueue(
      'FailedJobs',
      'Deliveries and invocations that failed every attempt; each message names the job.',
    );
    this.undeliveredEvents = this.deadLetterQueue('UndeliveredEvents', 'Import events EventBridge could not put on the deliveries queue.');
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * VISIBILITY_PER_TIMEOUT),
      // Shorter than the failed-jobs queue's 14 days: a moved message keeps its first enqueue time.
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.failedJobs, maxReceiveCount: DELIVERY_RETRY_POLICY.attempts },
    });

    fn.addEventSource(
      new sources.SqsEventSource(this.queue, { batchSize: 1, maxConcurrency: props.maxConcurrency, reportBatchItemFailures: true }),
    );
    this.handOffThrough(fn, this.queue);
    // A direct asynchronous invoke (an operator's `aws lambda invoke --invocation-type Event`) gets the same policy.
    fn.configureAsyncInvoke({
      retryAttempts: DELIVERY_RETRY_POLICY.attempts - 1,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(this.failedJobs),
    });

    this.rule = new events.Rule(this, 'ImportEvents', {
      eventBus: props.eventBus,
      description: 'sp-config imports of this account to archive',
      eventPattern: {
        // Only the deploying account's events: another account must not choose what gets archived here.
        account: [Stack.of(this).account],
        source: [...IMPORT_EVENT_PATTERN.source],
        detailType: [...IMPORT_EVENT_PATTERN.detailType],
      },
      targets: [
        new targets.SqsQueue(this.queue, { deadLetterQueue: this.undeliveredEvents, retryAttempts: 8, maxEventAge: Duration.hours(24) }),
      ],
    });
  }

  /** Sets ARCHIVE_QUEUE_URL and grants sending to that queue only: hand-offs and continuations go there. */
  private handOffThrough(fn: lambda.Function, queue: sqs.Queue): void {
    fn.addEnvironment(ENV.queueUrl, queue.queueUrl);
    queue.grantSendMessages(fn);
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
      Validations.of(fn).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: "The standard grant on the stack's one key; SQS and S3 need data keys to write encrypted messages and objects.",
      });
    }
  }

  private deadLetterQueue(id: string, description: string): sqs.Queue {
    const queue = new sqs.Queue(this, id, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: `${description} It is itself the dead-letter destination.` });
    return queue;
  }
}
