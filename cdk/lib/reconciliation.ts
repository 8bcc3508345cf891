// Payments and orders agree: every hour the reconcile function asks Stripe for the last three hours'
// checkouts on each connected account and sets them against the orders recorded
// (lib/api/src/reconcile.rs): a lost confirmation is placed late, money held for nothing is let
// go, what cannot be mended is kept for the owner. Only in a stage that takes payments: 720
// short runs a month, within Lambda's free tier; nothing runs where nobody takes money online.
import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { FUNCTIONS } from './access.js';
import { RustFunction } from './rust-function.js';

export interface PaymentReconciliationProps {
  readonly lambdaDir: string;
  readonly table: dynamodb.ITable;
  /** What a function that calls Stripe is told: the key parameter's name, the fees, the site. */
  readonly environment: Record<string, string>;
  /** The ARN of the SSM parameter holding Stripe's secret key: the only one it may read. */
  readonly stripeKeyArn: string;
  readonly logRetentionDays?: number;
}

export class PaymentReconciliation extends Construct {
  readonly fn: lambda.IFunction;

  constructor(scope: Construct, id: string, props: PaymentReconciliationProps) {
    super(scope, id);
    if (!props.environment.BISTRO_STRIPE_KEY_PARAMETER) {
      throw new Error('the reconciliation needs the name of the Stripe key parameter (BISTRO_STRIPE_KEY_PARAMETER)');
    }
    // Two minutes: a run lists each account's last three hours of checkouts (100 a call) and judges each.
    const rust = new RustFunction(this, 'Run', {
      logRetentionDays: props.logRetentionDays,
      binary: 'reconcile', lambdaDir: props.lambdaDir, table: props.table, access: FUNCTIONS.reconcile,
      timeout: Duration.minutes(2), memorySize: 256, environment: props.environment,
    });
    rust.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [props.stripeKeyArn] }));
    this.fn = rust.fn;
    new events.Rule(this, 'Hourly', {
      description: "Sets Stripe's recent checkouts against the orders recorded",
      schedule: events.Schedule.rate(Duration.hours(1)),
      // A missed run is made up by the next: each looks back three hours.
      targets: [new targets.LambdaFunction(rust.fn, { retryAttempts: 1, maxEventAge: Duration.minutes(50) })],
    });
  }
}
