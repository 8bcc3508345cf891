// The edge: a WAF web ACL in front of the site's CloudFront distribution that limits each viewer
// address, so no one client can spend the throttles every restaurant shares. A web ACL for
// CloudFront lives in us-east-1 whatever the deployment's region, hence a stack of its own.
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { acceptFindings } from './checkov.js';
import { Construct } from 'constructs';

/**
 * Requests one viewer address may send in five minutes, all in all and to the routes abuse aims
 * at. Each is set above what a busy restaurant's shared Wi-Fi sends at a peak: 40 guests, each
 * loading the pages, the menu and its pictures (about 40 requests) and opening a cart and
 * ordering within the same few minutes, send some 1,600 requests, 80 creations and no logins.
 */
export interface EdgeLimits {
  /** Every request: pages, menus, pictures and the API. */
  readonly perAddress: number;
  /** `POST …/login`: staff logging in, a few per shift. */
  readonly login: number;
  /** `POST /v1/restaurants`: creating a restaurant. */
  readonly signUp: number;
  /** `POST …/reservations`: booking a table. */
  readonly booking: number;
  /** `POST …/carts`, `POST …/orders` and `POST …/devices`: opening a cart, ordering, and a guest's
   *  page asking for its device's token. */
  readonly ordering: number;
}

export const EDGE_LIMITS: EdgeLimits = { perAddress: 3000, login: 60, signUp: 10, booking: 100, ordering: 1000 };

/** WAF counts each address over this window (seconds). */
export const EDGE_WINDOW_SECONDS = 300;

/** What a limited viewer is answered: 429, as the API itself says "slow down". */
const TOO_MANY = { block: { customResponse: { responseCode: 429 } } };

/** Requests the web ACL answered 429 in five minutes before a person is told. */
export const LIMITED_ALARM_THRESHOLD = 100;

export interface EdgeStackProps extends StackProps {
  readonly limits?: EdgeLimits;
  /** Where the alarm on limited requests is mailed (the alarm lives here, beside its metric). */
  readonly alarmEmail?: string;
  /** The stage, in the web ACL's name and metrics. */
  readonly stage?: string;
}

export class EdgeStack extends Stack {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    if (props.env?.region !== 'us-east-1') {
      throw new Error(`a CloudFront web ACL is made in us-east-1, not in '${props.env?.region ?? 'an unnamed region'}'`);
    }
    const limits = props.limits ?? EDGE_LIMITS;
    // The web ACL's name is its metrics' WebACL dimension too: one per stage.
    const aclName = `bistro-${props.stage ?? 'prod'}-edge`;
    for (const [name, limit] of Object.entries(limits)) {
      // WAF's own bounds for a rate-based rule.
      if (!Number.isInteger(limit) || limit < 10 || limit > 2_000_000_000) {
        throw new Error(`edge limit ${name} must be a whole number from 10 to 2000000000: ${limit}`);
      }
    }
    const post = { byteMatchStatement: { fieldToMatch: { method: {} }, positionalConstraint: 'EXACTLY', searchString: 'POST', textTransformations: [{ priority: 0, type: 'NONE' }] } };
    const path = (positionalConstraint: string, searchString: string) => ({
      byteMatchStatement: { fieldToMatch: { uriPath: {} }, positionalConstraint, searchString, textTransformations: [{ priority: 0, type: 'NONE' }] },
    });
    const posting = (...paths: object[]) => ({
      andStatement: { statements: [post, paths.length === 1 ? paths[0] : { orStatement: { statements: paths } }] },
    });
    const rule = (name: string, priority: number, limit: number, scopeDownStatement?: object): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      action: TOO_MANY,
      statement: { rateBasedStatement: { limit, aggregateKeyType: 'IP', evaluationWindowSec: EDGE_WINDOW_SECONDS, scopeDownStatement } },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: `${aclName}-${name}`, sampledRequestsEnabled: true },
    });
    this.webAcl = new wafv2.CfnWebACL(this, 'PerAddress', {
      name: aclName,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      description: 'Bistro: requests per viewer address, all in all and to logins, sign-up, bookings and orders',
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: aclName, sampledRequestsEnabled: true },
      rules: [
        rule('Login', 1, limits.login, posting(path('ENDS_WITH', '/login'))),
        rule('SignUp', 2, limits.signUp, posting(path('EXACTLY', '/v1/restaurants'))),
        rule('Booking', 3, limits.booking, posting(path('ENDS_WITH', '/reservations'))),
        rule('Ordering', 4, limits.ordering, posting(path('ENDS_WITH', '/carts'), path('ENDS_WITH', '/orders'), path('ENDS_WITH', '/devices'))),
        // Stripe's webhooks come from a few addresses of Stripe's, at a rate the platform's restaurants
        // make together: they are counted by no limit meant for one guest. Each is refused without a
        // valid signature (the payments function), and the API's own throttle still stands behind.
        rule('Everything', 5, limits.perAddress, { notStatement: { statement: path('STARTS_WITH', '/v1/payments/') } }),
      ],
    });
    acceptFindings(this.webAcl, {
      CKV_AWS_192: 'Bistro runs no Java: the Known Bad Inputs rule group (Log4j lookups) would add a billed rule for a flaw that cannot reach it.',
    });
    // An alarm watches a metric of its own region, and a topic takes alarms of its own region.
    const topic = new sns.Topic(this, 'Alarms', { displayName: `Bistro ${props.stage ?? 'prod'} edge alarms`, enforceSSL: true });
    acceptFindings(topic, { CKV_AWS_26: 'CloudWatch can publish only to a topic whose key policy lets it: that takes a customer-managed KMS key, $1/month while idle. Alarm notices carry no customer data.' });
    if (props.alarmEmail) topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const limited = new cloudwatch.Alarm(this, 'Limited', {
      metric: new cloudwatch.Metric({
        namespace: 'AWS/WAFV2', metricName: 'BlockedRequests', dimensionsMap: { WebACL: aclName, Rule: 'ALL' },
        statistic: 'Sum', period: Duration.minutes(5),
      }),
      threshold: LIMITED_ALARM_THRESHOLD,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `Bistro: the edge answered ${LIMITED_ALARM_THRESHOLD} or more requests 429 (too many from one address) in five minutes`,
    });
    limited.addAlarmAction(new actions.SnsAction(topic));
  }

  get webAclArn(): string {
    return this.webAcl.attrArn;
  }
}
