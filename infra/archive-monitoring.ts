import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { IscImportArchiver } from './import-archiver.ts';

export interface ArchiveMonitoringProps {
  readonly archiver: IscImportArchiver;
  /** Where alarm notifications go; no topic is created without it. */
  readonly alarmEmail?: string;
  readonly key: kms.IKey;
}

const NAMESPACE = 'IscImportArchiver';
const SERVICE = { service: 'isc-import-archiver' };

/** Alarms on what needs a person (failed jobs, imports with errors) and a dashboard of the rest. */
export class ArchiveMonitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[];
  readonly topic: sns.Topic | undefined;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ArchiveMonitoringProps) {
    super(scope, id);
    const { archiver } = props;
    if (props.alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.alarmEmail)) throw new Error('alarmEmail must be an email address.');
    const metric = (metricName: string, statistic = 'Sum') => new cloudwatch.Metric({ namespace: NAMESPACE, metricName, dimensionsMap: SERVICE, statistic, period: Duration.minutes(5) });

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
    const queued = { period: Duration.minutes(5), statistic: 'Maximum' };
    this.alarms = [
      atLeastOne('FunctionErrors', 'The archiver function failed (see its logs for the job id, phase and ISC trackingId).', archiver.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' })),
      atLeastOne('FailedJobs', 'An import job could not be archived after all retries: it is in the failed-jobs queue.', archiver.failedJobs.metricApproximateNumberOfMessagesVisible(queued)),
      atLeastOne('UndeliveredEvents', 'EventBridge could not deliver an import event to the archiver.', archiver.undeliveredEvents.metricApproximateNumberOfMessagesVisible(queued)),
      atLeastOne('ImportsWithErrors', 'An archived import reported errors in its results: open its report.', metric('ImportsWithErrors')),
    ];

    if (props.alarmEmail) {
      this.topic = new sns.Topic(this, 'Alarms', { masterKey: props.key, enforceSSL: true, displayName: 'isc-import-archiver alarms' });
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
      // CloudWatch publishes to the encrypted topic through the key.
      props.key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
      for (const alarm of this.alarms) alarm.addAlarmAction(new actions.SnsAction(this.topic));
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'Jobs', left: [metric('JobsArchived'), metric('AlreadyArchived'), metric('CancelledArchived'), metric('HandedOff'), metric('Failures')] }),
          new cloudwatch.GraphWidget({ title: 'Inside imported results', left: [metric('ImportErrors'), metric('ImportWarnings'), metric('ImportsWithErrors')] }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Bytes archived', left: [metric('BytesArchived')] }),
          new cloudwatch.GraphWidget({ title: 'Archive duration (ms)', left: [metric('ArchiveDuration', 'Average'), metric('ArchiveDuration', 'p99')] }),
          new cloudwatch.GraphWidget({ title: 'Function', left: [archiver.function.metricInvocations(), archiver.function.metricErrors(), archiver.function.metricThrottles()] }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 })],
      ],
    });
  }
}
