import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, PRODUCT } from '../lambda/contract/constants.ts';
import type { IscImportArchiver } from './import-archiver.ts';

export interface ArchiveMonitoringProps {
  readonly archiver: IscImportArchiver;
  /** Where alarm notifications go; no topic is created without it. */
  readonly alarmEmail?: string;
  /** The stack's key: it encrypts the alarm topic. */
  readonly key: kms.IKey;
}

const SERVICE = { service: PRODUCT };
const FIVE_MINUTES = Duration.minutes(5);

/** Alarms on what needs a person (broken function, failed jobs, imports with errors) and a dashboard of the rest. */
export class ArchiveMonitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[];
  readonly topic: sns.Topic | undefined;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ArchiveMonitoringProps) {
    super(scope, id);
    const { archiver } = props;
    if (props.alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.alarmEmail))
      throw new Error('alarmEmail must be an email address.');
    const metric = (metricName: string, statistic = 'Sum') =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: SERVICE, statistic, period: FIVE_MINUTES });

    // Every alarm here means "at least one in five minutes": each is something a person should see.
    const atLeastOne = (id: string, alarmDescription: string, watched: cloudwatch.IMetric) =>
      new cloudwatch.Alarm(this, id, {
        alarmDescription,
        metric: watched,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    const queued = { period: FIVE_MINUTES, statistic: 'Maximum' };
    const deliveries = archiver.deliveries.queue;
    this.alarms = [
      // A job still running continues in a new invocation (outcome WAITING) and is not an error, so
      // this alarm means "broken": a crash, a timeout, a permanent failure (see the logs).
      atLeastOne(
        'FunctionErrors',
        'The archiver function failed (not a running import: waiting is no error). See its logs for the job id, phase and ISC trackingId.',
        archiver.function.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      ),
      atLeastOne(
        'FailedJobs',
        'An import job could not be archived after every attempt: it is in the failed-jobs queue.',
        archiver.failedJobs.metricApproximateNumberOfMessagesVisible(queued),
      ),
      atLeastOne(
        'UndeliveredEvents',
        'EventBridge could not put an import event on the deliveries queue.',
        archiver.undeliveredEvents.metricApproximateNumberOfMessagesVisible(queued),
      ),
      atLeastOne('ImportsWithErrors', 'An archived import reported errors in its results: open its report.', metric('ImportsWithErrors')),
    ];

    if (props.alarmEmail) {
      this.topic = this.alarmTopic(props.key, props.alarmEmail);
      for (const alarm of this.alarms) alarm.addAlarmAction(new actions.SnsAction(this.topic));
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Jobs',
            left: [metric('JobsArchived'), metric('AlreadyArchived'), metric('CancelledArchived'), metric('HandedOff'), metric('Failures')],
          }),
          new cloudwatch.GraphWidget({
            title: 'Inside imported results',
            left: [metric('ImportErrors'), metric('ImportWarnings'), metric('ImportsWithErrors')],
          }),
          new cloudwatch.GraphWidget({
            title: 'What imports changed (objects)',
            left: [metric('ObjectsChanged'), metric('ObjectsCreated')],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Jobs waiting',
            left: [
              metric('ContinuedWaiting'),
              deliveries.metricApproximateNumberOfMessagesVisible({ ...queued, label: 'Deliveries queued' }),
              deliveries.metricApproximateNumberOfMessagesNotVisible({ ...queued, label: 'Deliveries in progress' }),
            ],
            right: [deliveries.metricApproximateAgeOfOldestMessage({ ...queued, label: 'Oldest delivery (s)' })],
          }),
          new cloudwatch.GraphWidget({ title: 'Bytes archived', left: [metric('BytesArchived')] }),
          new cloudwatch.GraphWidget({
            title: 'Archive duration (ms)',
            left: [metric('ArchiveDuration', 'Average'), metric('ArchiveDuration', 'p99')],
          }),
          new cloudwatch.GraphWidget({
            title: 'Function',
            left: [archiver.function.metricInvocations(), archiver.function.metricErrors(), archiver.function.metricThrottles()],
            right: [archiver.function.metric('ConcurrentExecutions', { statistic: 'Maximum' })],
          }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 })],
      ],
    });
  }

  /** An encrypted, TLS-only topic that CloudWatch alarms of this account, and only they, may publish to. */
  private alarmTopic(key: kms.IKey, email: string): sns.Topic {
    const stack = Stack.of(this);
    const topic = new sns.Topic(this, 'Alarms', { masterKey: key, enforceSSL: true, displayName: `${PRODUCT} alarms` });
    topic.addSubscription(new subscriptions.EmailSubscription(email));
    const fromThisAccount = { StringEquals: { 'aws:SourceAccount': stack.account } };
    // A topic policy replaces SNS's default one, which let the account's services publish: without
    // this Allow (enforceSSL writes only a Deny) alarms change state and no email goes out.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          ...fromThisAccount,
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    // CloudWatch publishes to the encrypted topic through the key, on behalf of this account only.
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com', { conditions: fromThisAccount }), 'kms:Decrypt', 'kms:GenerateDataKey*');
    return topic;
  }
}
