// Live order updates: the WebSocket API with its ws function, and the notifier on the table's
// stream, which may retry a batch, split it to find a poison record, and park what still fails.
import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { RustFunction } from './rust-function.js';
import { acceptFindings } from './checkov.js';
import { FUNCTIONS } from './access.js';

export interface RealtimeStackProps extends StackProps {
  readonly lambdaDir: string;
  readonly table: dynamodb.ITable;
  /** How long its functions' logs are kept. */
  readonly logRetentionDays?: number;
  /** The stage, in the API's name. */
  readonly stage?: string;
}

export class RealtimeStack extends Stack {
  readonly api: apigwv2.WebSocketApi;
  readonly stage: apigwv2.WebSocketStage;
  readonly notifier: lambda.IFunction;
  /** Stream records the notifier gave up on. */
  readonly notifierFailures: sqs.IQueue;

  constructor(scope: Construct, id: string, props: RealtimeStackProps) {
    super(scope, id, props);
    this.api = new apigwv2.WebSocketApi(this, 'WebSocketApi', { apiName: `bistro-${props.stage ?? 'prod'}-live` });
    this.stage = new apigwv2.WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      // The pages open `/ws` on the site's own address; CloudFront passes the path on as it is.
      stageName: 'ws',
      autoDeploy: true,
      throttle: { rateLimit: 100, burstLimit: 200 },
    });
    acceptFindings(this.stage, { CKV_AWS_95: 'The ws function logs every connection and message with its request id; access logs would pay for the same lines twice.' });
    const endpoint = { WEBSOCKET_ENDPOINT: this.stage.callbackUrl };
    const common = { lambdaDir: props.lambdaDir, table: props.table, environment: endpoint, logRetentionDays: props.logRetentionDays };

    const ws = new RustFunction(this, 'Ws', { ...common, binary: 'ws', access: FUNCTIONS.ws });
    const integration = new WebSocketLambdaIntegration('WsIntegration', ws.fn);
    this.api.addRoute('$connect', { integration });
    this.api.addRoute('$disconnect', { integration });
    this.api.addRoute('$default', { integration });
    this.stage.grantManagementApiAccess(ws.fn);

    const notifier = new RustFunction(this, 'Notifier', { ...common, binary: 'notifier', access: FUNCTIONS.notifier, timeout: Duration.seconds(30), memorySize: 256 });
    this.stage.grantManagementApiAccess(notifier.fn);
    const failures = new sqs.Queue(this, 'NotifierFailures', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    acceptFindings(failures, { CKV_AWS_27: 'Encrypted with SQS-managed keys (SSE-SQS); a customer-managed key would cost $1/month while idle.' });
    this.notifier = notifier.fn;
    this.notifierFailures = failures;
    notifier.fn.addEventSource(new DynamoEventSource(props.table, {
      startingPosition: lambda.StartingPosition.LATEST,
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(1),
      bisectBatchOnError: true,
      retryAttempts: 5,
      maxRecordAge: Duration.hours(1),
      reportBatchItemFailures: true,
      onFailure: new SqsDlq(failures),
    }));
    new CfnOutput(this, 'WebSocketApiUrl', { value: this.stage.url, description: 'Answers only connections that come through the site (its /ws)' });
  }

  /** The WebSocket API's origin host for CloudFront: `{id}.execute-api.{region}.amazonaws.com`. */
  get domain(): string {
    return `${this.api.apiId}.execute-api.${this.region}.${this.urlSuffix}`;
  }
}
