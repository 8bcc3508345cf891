// Alarms that reach a person: one SNS topic (with an e-mail subscription when the deployment names
// an address), and at most ten alarm metrics in all, CloudWatch's free tier, so watching costs
// nothing while nobody orders. Lambda's errors and throttles are watched account-wide (one metric
// each instead of one per function): in an account shared with other functions, theirs alarm too.
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acceptFindings } from './checkov.js';

/** CloudWatch's always-free alarm metrics; a test holds the stacks to it. */
export const FREE_ALARM_METRICS = 10;

export interface MonitoringStackProps extends StackProps {
  /** Where alarms are mailed (the `alarmEmail` context value); without one the topic has no subscriber. */
  readonly alarmEmail?: string;
  /** The stage, in the alarms' topic. */
  readonly stage?: string;
  readonly table: dynamodb.ITable;
  readonly notifier: lambda.IFunction;
  /** Stream records the notifier gave up on. */
  readonly notifierFailures: sqs.IQueue;
  /** Requests the API answered 5xx or API Gateway's own throttles refused (from its access log). */
  readonly apiTrouble: cloudwatch.IMetric;
}

export class MonitoringStack extends Stack {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    if (props.alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.alarmEmail)) {
      throw new Error(`alarmEmail must be an e-mail address: '${props.alarmEmail}'`);
    }
    this.topic = new sns.Topic(this, 'Alarms', { displayName: `Bistro ${props.stage ?? 'prod'} alarms`, enforceSSL: true });
    acceptFindings(this.topic, { CKV_AWS_26: 'CloudWatch can publish only to a topic whose key policy lets it: that takes a customer-managed KMS key, $1/month while idle. Alarm notices carry no customer data.' });
    if (props.alarmEmail) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }
    const minutes = (n: number) => Duration.minutes(n);
    const metric = (namespace: string, metricName: string, dimensionsMap: Record<string, string> = {}, statistic = 'Sum') =>
      new cloudwatch.Metric({ namespace, metricName, dimensionsMap, statistic, period: minutes(5) });
    const table = { TableName: props.table.tableName };
    const watched: [string, cloudwatch.IMetric, number, string][] = [
      ['ApiTrouble', props.apiTrouble, 1, 'The API answered 5xx, or API Gateway\'s own throttles answered 429 (traffic got past the per-address limits at the edge, or the backstop is set too low)'],
      ['FunctionErrors', metric('AWS/Lambda', 'Errors'), 1, 'A function failed (any function of the account and region)'],
      ['FunctionThrottles', metric('AWS/Lambda', 'Throttles'), 1, 'A function was throttled (any function of the account and region)'],
      ['TableReadThrottles', metric('AWS/DynamoDB', 'ReadThrottleEvents', table), 1, 'Reads of the table were throttled'],
      ['TableWriteThrottles', metric('AWS/DynamoDB', 'WriteThrottleEvents', table), 1, 'Writes to the table were throttled'],
      ['TableTransactionErrors', metric('AWS/DynamoDB', 'SystemErrors', { ...table, Operation: 'TransactWriteItems' }), 1, 'DynamoDB failed transactions (orders, bookings, staff)'],
      ['TableReadErrors', metric('AWS/DynamoDB', 'SystemErrors', { ...table, Operation: 'GetItem' }), 1, 'DynamoDB failed reads'],
      ['NotifierBehind', props.notifier.metric('IteratorAge', { statistic: 'Maximum', period: minutes(1) }), 30_000, 'Live updates are more than 30 s behind the table'],
      ['NotifierGaveUp', props.notifierFailures.metricApproximateNumberOfMessagesVisible({ period: minutes(5) }), 1, 'Stream records the notifier gave up on'],
    ];
    const action = new actions.SnsAction(this.topic);
    for (const [name, watchedMetric, threshold, description] of watched) {
      const alarm = new cloudwatch.Alarm(this, name, {
        metric: watchedMetric,
        threshold,
        evaluationPeriods: name === 'NotifierBehind' ? 3 : 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `Bistro: ${description}`,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }
}
