// The HTTP API: each route group goes to its own function, which may read and write only the
// partitions of the table that access.ts names for it; and the daily erasure of expired
// personal data, which works on the same data.
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { RustFunction } from './rust-function.js';
import { acceptFindings } from './checkov.js';
import { FUNCTIONS, HTTP_FUNCTIONS } from './access.js';
import { PaymentReconciliation } from './reconciliation.js';
import { PersonalDataRetention } from './retention.js';

export interface ApiStackProps extends StackProps {
  readonly lambdaDir: string;
  readonly table: dynamodb.ITable;
  readonly mediaBucket: s3.IBucket;
  readonly siteBucket: s3.IBucket;
  /** The SSM SecureString parameters only the accounts function reads (`bistro-keys` writes them). */
  readonly parameters: DeploymentParameters;
  /** Requests per second across the API, and the burst above it. */
  readonly rateLimit?: number;
  readonly burstLimit?: number;
  /** Capabilities held back for every restaurant, so they ship dark (see `HELDABLE`). */
  readonly heldFeatures?: readonly string[];
  /** How long function and access logs are kept. */
  readonly logRetentionDays?: number;
  /** Memory of each HTTP function. */
  readonly memoryMb?: number;
  /** The stage, in the API's name. */
  readonly stage?: string;
  /** `closed`: the accounts function refuses every sign-up, whatever the code parameter holds. */
  readonly signUp?: 'code' | 'closed';
  /** Guests may pay online through Stripe (absent: they pay at the restaurant). */
  readonly payments?: PaymentsProps;
}

export interface PaymentsProps {
  /** The platform's fee per currency (`EUR:30+1.5%`), checked as stages.json is. */
  readonly platformFees: string;
  /** Where Stripe sends guests and owners back; the page they came from when absent. */
  readonly siteUrl?: string;
}

/** One currency's fee: a fixed amount in minor units, a share of at most 100 % to two decimals, or both. */
const FEE = /^[A-Z]{3}:(\d{1,9}(\+\d{1,3}(\.\d{1,2})?%)?|\d{1,3}(\.\d{1,2})?%)$/;

export function checkedFees(fees: string): string {
  const entries = fees.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  const bad = entries.find((entry) => !FEE.test(entry) || Number(entry.match(/([\d.]+)%$/)?.[1] ?? 0) > 100);
  if (bad !== undefined) throw new Error(`a platform fee is CUR:minor units, CUR:share%, or CUR:minor+share% (e.g. EUR:30+1.5%): not '${bad}'`);
  return entries.join(',');
}

/** The functions that call Stripe; only `payments` takes its webhook (and reads that secret). */
export const PAYING_FUNCTIONS = ['orders', 'payments', 'reconcile'] as const;

/** What a function that calls Stripe is told: the parameters' names, never their values. */
function paymentEnvironment(binary: string, parameters: DeploymentParameters, payments?: PaymentsProps): Record<string, string> {
  if (!payments || !(PAYING_FUNCTIONS as readonly string[]).includes(binary)) return {};
  return {
    BISTRO_STRIPE_KEY_PARAMETER: parameters.stripeKey,
    ...(binary === 'payments' ? { BISTRO_STRIPE_WEBHOOK_SECRET_PARAMETER: parameters.stripeWebhookSecret } : {}),
    BISTRO_PLATFORM_FEES: checkedFees(payments.platformFees),
    ...(payments.siteUrl ? { BISTRO_SITE_URL: payments.siteUrl } : {}),
  };
}

/** What a deployment may hold back (`bistro_domain::offer::Feature`). */
export const HELDABLE = ['ordering', 'dine_in', 'pickup', 'delivery', 'ahead', 'booking'] as const;

/** `BISTRO_HELD_FEATURES` for the functions, or nothing when none is held (the template stays as it was). */
function heldEnvironment(held: readonly string[] = []): Record<string, string> {
  const unknown = held.filter((feature) => !(HELDABLE as readonly string[]).includes(feature));
  if (unknown.length > 0) {
    throw new Error(`heldFeatures may name ${HELDABLE.join(', ')}; not: ${unknown.join(', ')}`);
  }
  return held.length > 0 ? { BISTRO_HELD_FEATURES: held.join(',') } : {};
}

/** The names of the deployment's secret parameters: names only, never values, in any template. */
export interface DeploymentParameters {
  readonly signingKey: string;
  readonly signUpCode: string;
  /** Stripe's secret API key, read by the functions that call Stripe. */
  readonly stripeKey: string;
  /** The Stripe webhook endpoint's signing secret, read by the payments function only. */
  readonly stripeWebhookSecret: string;
}

/** What `bistro-keys` and the accounts function call the parameters of deployment `name`. */
export function deploymentParameters(name: string): DeploymentParameters {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
    throw new Error(`a deployment name is 1-64 letters, digits, '.', '_' or '-': '${name}'`);
  }
  return {
    signingKey: `/bistro/${name}/signing-key`,
    signUpCode: `/bistro/${name}/sign-up-code`,
    stripeKey: `/bistro/${name}/stripe-key`,
    stripeWebhookSecret: `/bistro/${name}/stripe-webhook-secret`,
  };
}

/**
 * Requests per second and burst for the routes abuse would aim at, across all clients and all
 * restaurants: a backstop far above legitimate traffic. Each client is limited before this, at
 * the edge (edge-stack.ts), so one client cannot spend what every restaurant shares.
 */
export const ROUTE_THROTTLES: Record<string, [number, number]> = {
  'ANY /v1/restaurants/{slug}/login': [50, 100],
  'ANY /v1/restaurants': [10, 20],
  'ANY /v1/restaurants/{slug}/reservations': [200, 400],
};

/** The stage's requests per second and burst: the same backstop for the whole API. */
export const STAGE_THROTTLE = { rateLimit: 1000, burstLimit: 2000 };

/**
 * One access log line per request, with nothing of the viewer in it (no address, no path with a
 * token): what API Gateway did. Requests its throttles refused never reach a function, so they
 * appear in no function's log: this is where they are counted. The status is a number, so a
 * filter can compare it.
 */
export const ACCESS_LOG_FORMAT =
  '{"requestId":"$context.requestId","route":"$context.routeKey","status":$context.status,"error":"$context.error.responseType"}';

export class ApiStack extends Stack {
  readonly api: apigwv2.HttpApi;
  readonly functions: Record<string, RustFunction> = {};
  /** Requests API Gateway answered 5xx, or its own throttles 429 (a backstop no client should reach). */
  readonly troubled: cloudwatch.IMetric;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    // No CORS: the site reaches the API through its own CloudFront distribution (same origin),
    // so browsers refuse every other origin.
    this.api = new apigwv2.HttpApi(this, 'HttpApi', { apiName: `bistro-${props.stage ?? 'prod'}-http`, createDefaultStage: false });
    const accessLog = new logs.LogGroup(this, 'AccessLog', { retention: (props.logRetentionDays ?? 30) as logs.RetentionDays });
    acceptFindings(accessLog, { CKV_AWS_158: 'Encrypted by CloudWatch Logs\' own key; a customer-managed KMS key would cost $1/month while idle, and the lines hold no personal data.' });
    const stage = new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit ?? STAGE_THROTTLE.rateLimit, burstLimit: props.burstLimit ?? STAGE_THROTTLE.burstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLog),
        format: apigw.AccessLogFormat.custom(ACCESS_LOG_FORMAT),
      },
    });
    // Published only when a line matches: nothing is billed while all is well. One metric for
    // both, so that the alarms stay within CloudWatch's ten free alarm metrics.
    this.troubled = new logs.MetricFilter(this, 'Troubled', {
      logGroup: accessLog,
      filterPattern: logs.FilterPattern.any(
        logs.FilterPattern.stringValue('$.error', '=', 'THROTTLED'),
        logs.FilterPattern.numberValue('$.status', '>=', 500),
      ),
      metricNamespace: 'Bistro',
      metricName: 'ApiTrouble',
      metricValue: '1',
    }).metric({ statistic: 'Sum', period: Duration.minutes(5) });
    // Tighter backstops where a flood would aim: guessing passwords, creating restaurants,
    // filling the booking grid. (Per client: the edge's web ACL, and the accounts function
    // counts failed logins per address; see README.)
    const routeSettings = Object.fromEntries(Object.entries(ROUTE_THROTTLES).map(([route, [rate, burst]]) =>
      [route, { ThrottlingRateLimit: rate, ThrottlingBurstLimit: burst }]));
    (stage.node.defaultChild as apigwv2.CfnStage).addPropertyOverride('RouteSettings', routeSettings);
    const held = heldEnvironment(props.heldFeatures);
    for (const binary of HTTP_FUNCTIONS) {
      // Payments publish it too: an account able to take money changes what the menu offers.
      const publishesMenu = binary === 'menu' || binary === 'accounts' || binary === 'payments';
      // The owner's export reads the pictures and the published menu, and writes nothing.
      const readsMedia = binary === 'menu' || binary === 'accounts' || binary === 'exports';
      const rust = new RustFunction(this, binary[0].toUpperCase() + binary.slice(1), {
        binary,
        lambdaDir: props.lambdaDir,
        table: props.table,
        access: FUNCTIONS[binary],
        timeout: Duration.seconds(10),
        memorySize: props.memoryMb,
        logRetentionDays: props.logRetentionDays,
        environment: {
          ...held,
          // (payments names the media bucket only because the functions take both; it is granted nothing there)
          ...(readsMedia || publishesMenu ? { MEDIA_BUCKET: props.mediaBucket.bucketName, SITE_BUCKET: props.siteBucket.bucketName } : {}),
          ...paymentEnvironment(binary, props.parameters, props.payments),
          ...(binary === 'accounts' ? {
            BISTRO_SIGNING_KEY_PARAMETER: props.parameters.signingKey,
            BISTRO_SIGN_UP_CODE_PARAMETER: props.parameters.signUpCode,
            ...(props.signUp === 'closed' ? { BISTRO_SIGN_UP: 'closed' } : {}),
          } : {}),
        },
      });
      if (binary === 'accounts') {
        // The only function that issues tokens is the only one that may read the private key
        // (and the sign-up code). They are encrypted with the AWS-managed aws/ssm key, which
        // every principal of the account may use through SSM, so this grant is the lock.
        rust.fn.addToRolePolicy(new iam.PolicyStatement({
          actions: ['ssm:GetParameter'],
          resources: [props.parameters.signingKey, props.parameters.signUpCode].map((name) =>
            this.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.replace(/^\//, '') })),
        }));
      }
      if (props.payments && (PAYING_FUNCTIONS as readonly string[]).includes(binary)) {
        // Stripe's secrets, like the signing key, are encrypted with aws/ssm: this grant is the lock.
        const names = binary === 'payments' ? [props.parameters.stripeKey, props.parameters.stripeWebhookSecret] : [props.parameters.stripeKey];
        rust.fn.addToRolePolicy(new iam.PolicyStatement({
          actions: ['ssm:GetParameter'],
          resources: names.map((name) => this.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.replace(/^\//, '') })),
        }));
      }
      if (publishesMenu) {
        props.siteBucket.grantReadWrite(rust.fn, 'menus/*');
      }
      if (readsMedia) {
        props.siteBucket.grantRead(rust.fn, 'menus/*');
        props.mediaBucket.grantRead(rust.fn);
      }
      if (binary === 'menu') {
        // Presigned upload URLs carry the menu function's own permission to put the object
        // under uploads/; attaching copies a checked upload under r/.
        props.mediaBucket.grantPut(rust.fn, 'uploads/*');
        props.mediaBucket.grantPut(rust.fn, 'r/*');
        // A picture no dish shows any more is removed (its version expires with the bucket's rule).
        props.mediaBucket.grantDelete(rust.fn, 'r/*');
      }
      const integration = new HttpLambdaIntegration(`${binary}Integration`, rust.fn);
      for (const path of FUNCTIONS[binary].routes) {
        this.api.addRoutes({ path, methods: [apigwv2.HttpMethod.ANY], integration });
      }
      this.functions[binary] = rust;
    }
    new PersonalDataRetention(this, 'Retention', { lambdaDir: props.lambdaDir, table: props.table, logRetentionDays: props.logRetentionDays });
    if (props.payments) {
      new PaymentReconciliation(this, 'Reconcile', {
        lambdaDir: props.lambdaDir, table: props.table, logRetentionDays: props.logRetentionDays,
        environment: paymentEnvironment('reconcile', props.parameters, props.payments),
        stripeKeyArn: this.formatArn({ service: 'ssm', resource: 'parameter', resourceName: props.parameters.stripeKey.replace(/^\//, '') }),
      });
    }
  }

  /** The API's origin host for CloudFront: `{id}.execute-api.{region}.amazonaws.com`. */
  get domain(): string {
    return `${this.api.apiId}.execute-api.${this.region}.${this.urlSuffix}`;
  }
}
