// The data: one DynamoDB table (keys and indexes as lib/store/KEYS.md lays them out), the media
// bucket and the site bucket. Everything here is kept when the stack is deleted.
import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { NO_IDLE_KMS, acceptFindings } from './checkov.js';

function privateBucket(scope: Construct, id: string, keepData: boolean, cors?: s3.CorsRule[]): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    // Production's are kept when the stack goes; a test stage's go with it, emptied first.
    removalPolicy: keepData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    autoDeleteObjects: !keepData,
    cors,
  });
  acceptFindings(bucket, { CKV_AWS_18: 'Reads come through CloudFront and writes through the functions, whose logs record each request; server access logs would add a bucket and a cost per request.' });
  return bucket;
}

/** Where browsers upload pictures before they are attached (lib/api images::upload_prefix). */
export const UPLOADS_PREFIX = 'uploads/';
export const UPLOAD_EXPIRY_DAYS = 1;
/** Where attached pictures live (lib/api images::prefix). */
export const ATTACHED_PREFIX = 'r/';
/**
 * How long a replaced or removed object's old version stays (pictures, republished menus): as
 * long as the table's point-in-time recovery reaches back, so a table restored to any moment it
 * covers still finds the pictures and menus it names.
 */
export const KEPT_VERSION_DAYS = 35;
/** Where each restaurant's menu is published in the site bucket (lib/api publish::menu_key). */
export const MENUS_PREFIX = 'menus/';

/**
 * A table made outside this stack that the deployment runs on instead of its own: the one a
 * point-in-time restore made (`bistro-local restore-table` turns its stream, expiry, backups and
 * deletion protection on, and prints both values). Context `table=NAME tableStream=ARN`.
 */
export interface ExistingTable {
  readonly name: string;
  readonly streamArn: string;
}

/** A DynamoDB table name (3 to 255 of a-z A-Z 0-9 _ . -) and its stream's ARN, or a clear refusal. */
export function checkedTable(table: ExistingTable): ExistingTable {
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table.name)) throw new Error(`table: '${table.name}' is not a DynamoDB table name`);
  const stream = /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/([A-Za-z0-9_.-]+)\/stream\/.+$/.exec(table.streamArn);
  if (!stream || stream[1] !== table.name) throw new Error(`tableStream: '${table.streamArn}' is not the stream of table ${table.name}`);
  return table;
}

export interface DataStackProps extends StackProps {
  /** Run on this table instead of making one (the one the stack made before is kept: RETAIN). */
  readonly table?: ExistingTable;
  /**
   * Production (the default): the table is protected from deletion and, like the buckets, kept
   * when the stack goes. Otherwise (a test stage) all of it goes with the stack.
   */
  readonly keepData?: boolean;
}

export class DataStack extends Stack {
  readonly table: dynamodb.ITable;
  readonly mediaBucket: s3.Bucket;
  readonly siteBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataStackProps = {}) {
    super(scope, id, props);
    const keepData = props.keepData ?? true;
    this.table = props.table ? this.existingTable(checkedTable(props.table)) : this.newTable(keepData);
    // `bistro-keys rotate --table` publishes the public signing keys here.
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    this.mediaBucket = this.media(keepData);
    this.siteBucket = privateBucket(this, 'Site', keepData);
    // A menu is republished after every change: each old version is kept as long as a restore
    // may need it, not forever.
    this.siteBucket.addLifecycleRule({ id: 'ExpireReplacedMenus', prefix: MENUS_PREFIX, noncurrentVersionExpiration: Duration.days(KEPT_VERSION_DAYS) });
    this.siteBucket.addLifecycleRule({ id: 'ForgetReplacedMenuMarkers', prefix: MENUS_PREFIX, expiredObjectDeleteMarker: true });
    this.readByCloudFront();
  }

  /** A restored table: granted to the functions and watched by the alarms, not managed here. */
  private existingTable(table: ExistingTable): dynamodb.ITable {
    return dynamodb.Table.fromTableAttributes(this, 'Table', {
      tableName: table.name,
      tableStreamArn: table.streamArn,
      globalIndexes: ['gsi1', 'gsi2', 'gsi3'],
    });
  }

  private newTable(keepData: boolean): dynamodb.Table {
    const table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: 'expires_at',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: keepData,
      removalPolicy: keepData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    acceptFindings(table, { CKV_AWS_119: NO_IDLE_KMS });
    // As lib/store seam::Index says: gsi1 holds whole items (bookings, connections, a driver's
    // deliveries), gsi2 and gsi3 only keys (orders, which change often: a change that keeps an
    // order's index keys then writes nothing to the index).
    for (const [index, projectionType] of [
      ['gsi1', dynamodb.ProjectionType.ALL],
      ['gsi2', dynamodb.ProjectionType.KEYS_ONLY],
      ['gsi3', dynamodb.ProjectionType.KEYS_ONLY],
    ] as const) {
      table.addGlobalSecondaryIndex({
        indexName: index,
        partitionKey: { name: `${index}pk`, type: dynamodb.AttributeType.STRING },
        sortKey: { name: `${index}sk`, type: dynamodb.AttributeType.STRING },
        projectionType,
      });
    }
    return table;
  }

  private media(keepData: boolean): s3.Bucket {
    // Browsers upload pictures straight to presigned URLs; the signature, not the origin, is
    // what guards them, and the site's domain is not known before the site stack exists.
    const media = privateBucket(this, 'Media', keepData, [{ allowedMethods: [s3.HttpMethods.PUT], allowedOrigins: ['*'], allowedHeaders: ['content-type'], maxAge: 3600 }]);
    // An upload is checked and copied under r/ when it is attached; what was never attached
    // (and every replaced version of it) is gone a day later. lib/api images::UPLOAD_EXPIRY_DAYS.
    media.addLifecycleRule({
      id: 'ExpireUnattachedUploads',
      prefix: UPLOADS_PREFIX,
      expiration: Duration.days(UPLOAD_EXPIRY_DAYS),
      noncurrentVersionExpiration: Duration.days(UPLOAD_EXPIRY_DAYS),
    });
    media.addLifecycleRule({ id: 'ForgetExpiredUploadMarkers', prefix: UPLOADS_PREFIX, expiredObjectDeleteMarker: true });
    // An attached picture stays while a dish shows it; one the menu function removed (its dish
    // deleted, or its picture replaced) keeps its old version as long as a restore may need it,
    // then it is gone. lib/api routes::menu remove_unshown_pictures.
    media.addLifecycleRule({
      id: 'ExpireRemovedPictures',
      prefix: ATTACHED_PREFIX,
      noncurrentVersionExpiration: Duration.days(KEPT_VERSION_DAYS),
    });
    media.addLifecycleRule({ id: 'ForgetRemovedPictureMarkers', prefix: ATTACHED_PREFIX, expiredObjectDeleteMarker: true });
    return media;
  }

  private readByCloudFront() {
    // CloudFront reads both buckets through origin access control. The distribution lives in the
    // site stack, which depends on this one, so the policy names this account's distributions by
    // pattern rather than the one distribution's ARN (that reference would make a cycle).
    for (const bucket of [this.mediaBucket, this.siteBucket]) {
      bucket.addToResourcePolicy(new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
        resources: [bucket.arnForObjects('*')],
        conditions: { StringLike: { 'AWS:SourceArn': `arn:${this.partition}:cloudfront::${this.account}:distribution/*` } },
      }));
    }
  }
}
