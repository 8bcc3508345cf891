// One Rust Lambda function built by `cargo lambda build --release --arm64`: provided.al2023 on
// ARM_64, its log group with a retention, and its table permissions (alarms: monitoring-stack.ts).
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FUNCTION_FINDINGS, NO_IDLE_KMS, acceptFindings } from './checkov.js';
import type { FunctionAccess } from './access.js';

export interface RustFunctionProps {
  /** The binary's name in `functions/` (and its folder in the cargo lambda output). */
  readonly binary: string;
  /** The `--lambda-dir` of `cargo lambda build`. */
  readonly lambdaDir: string;
  readonly table: dynamodb.ITable;
  /** The partitions it may read and write (IAM `dynamodb:LeadingKeys`), from functions.json. */
  readonly access: FunctionAccess;
  readonly environment?: Record<string, string>;
  readonly memorySize?: number;
  readonly timeout?: Duration;
  /** How long its logs are kept (a CloudWatch period), 30 days unless the stage says. */
  readonly logRetentionDays?: number;
}

export class RustFunction extends Construct {
  readonly fn: lambda.Function;

  constructor(scope: Construct, id: string, props: RustFunctionProps) {
    super(scope, id);
    const retention = (props.logRetentionDays ?? 30) as logs.RetentionDays;
    const logGroup = new logs.LogGroup(this, 'Logs', { retention, removalPolicy: RemovalPolicy.DESTROY });
    this.fn = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.PROVIDED_AL2023,
      architecture: lambda.Architecture.ARM_64,
      handler: 'bootstrap',
      code: lambda.Code.fromAsset(path.join(props.lambdaDir, props.binary)),
      memorySize: props.memorySize ?? 128,
      timeout: props.timeout ?? Duration.seconds(10),
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        // No key reaches a function through its configuration: verifiers read the public keys
        // from the table, and accounts reads the private ring from SSM (see api-stack.ts).
        TABLE_NAME: props.table.tableName,
        // The lowest level that exists: debug and trace are compiled out (lib/lambda/Cargo.toml).
        RUST_LOG: 'info',
        ...props.environment,
      },
    });
    acceptFindings(this.fn, FUNCTION_FINDINGS);
    acceptFindings(logGroup, { CKV_AWS_158: NO_IDLE_KMS });
    // Every table action is held to the partitions named, by `dynamodb:LeadingKeys`: the key IAM
    // sees is the one the request names, the table's partition key for GetItem and table queries,
    // the index's for an index query. No Scan, BatchGetItem or PartiQL: they name no partition
    // key, and `ForAllValues` would let a request without one through.
    const { reads, indexReads, writes, describesTable } = props.access;
    const leading = (patterns: string[]) => ({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': patterns } });
    if (reads.length > 0) {
      this.fn.addToRolePolicy(new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:Query'],
        resources: [props.table.tableArn],
        conditions: leading(reads),
      }));
    }
    if (indexReads.length > 0) {
      this.fn.addToRolePolicy(new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${props.table.tableArn}/index/*`],
        conditions: leading(indexReads),
      }));
    }
    if (writes.length > 0) {
      this.fn.addToRolePolicy(new iam.PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
        resources: [props.table.tableArn],
        conditions: leading(writes),
      }));
    }
    if (describesTable) {
      this.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:DescribeTable'], resources: [props.table.tableArn] }));
    }
  }
}
