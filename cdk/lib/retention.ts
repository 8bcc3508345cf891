// Guests' personal data expires: once a day the retention function erases names, phones and
// addresses of the orders and bookings whose day is past each restaurant's retention period
// (lib/api/src/retention.rs). A scheduled EventBridge rule costs nothing; one short run a day
// is within Lambda's free tier.
import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { FUNCTIONS } from './access.js';
import { RustFunction } from './rust-function.js';

export interface PersonalDataRetentionProps {
  readonly lambdaDir: string;
  readonly table: dynamodb.ITable;
  /** How long its logs are kept. */
  readonly logRetentionDays?: number;
  /** The UTC hour of the daily run (0-23); 3 unless given, when few restaurants are open. */
  readonly hourUtc?: number;
}

export class PersonalDataRetention extends Construct {
  readonly fn: lambda.IFunction;

  constructor(scope: Construct, id: string, props: PersonalDataRetentionProps) {
    super(scope, id);
    const hour = props.hourUtc ?? 3;
    if (!Number.isInteger(hour) || hour < 0 || hour > 23) {
      throw new Error(`the retention run's hour is a whole hour from 0 to 23 (UTC), not ${hour}`);
    }
    // Five minutes: a run erases at most 31 days per restaurant (a caught-up outage), and what
    // it did not finish the next run does.
    const rust = new RustFunction(this, 'Erase', {
      logRetentionDays: props.logRetentionDays,
      binary: 'retention', lambdaDir: props.lambdaDir, table: props.table, access: FUNCTIONS.retention,
      timeout: Duration.minutes(5), memorySize: 256,
    });
    this.fn = rust.fn;
    new events.Rule(this, 'Daily', {
      description: "Erases guests' personal data past each restaurant's retention period",
      schedule: events.Schedule.cron({ minute: '0', hour: String(hour) }),
      // A failed run is retried by the next day's; two attempts in the day are enough.
      targets: [new targets.LambdaFunction(rust.fn, { retryAttempts: 2, maxEventAge: Duration.hours(6) })],
    });
  }
}
