// One stage of the product as six stacks split by lifecycle: data (kept in production), api,
// realtime, edge (us-east-1), site and monitoring, each named `Bistro-{stage}-…`; beside them the
// account's deploy access (deploy-access-stack.ts). Stages and their settings: cdk/stages.json.
import * as path from 'node:path';
import { App, StackProps } from 'aws-cdk-lib';
import { ApiStack, deploymentParameters } from './api-stack.js';
import { DataStack, ExistingTable } from './data-stack.js';
import { EDGE_LIMITS, EdgeLimits, EdgeStack } from './edge-stack.js';
import { MonitoringStack } from './monitoring-stack.js';
import { RealtimeStack } from './realtime-stack.js';
import { SiteStack } from './site-stack.js';
import type { StageConfig } from './stages.js';

export interface BistroProps {
  /** Where `cargo lambda build --release --arm64 --lambda-dir` put the functions. */
  readonly lambdaDir: string;
  readonly siteDir?: string;
  readonly env?: StackProps['env'];
  /**
   * The stage (`prod` unless named): in every stack's name, its SSM parameters
   * (`/bistro/{stage}/…`; `bistro-keys --stack` takes the same), key value store and web ACL.
   */
  readonly stage?: string;
  /** Production keeps its data (the default); a test stage's can be destroyed with its stacks. */
  readonly keepData?: boolean;
  /** Where alarms are mailed; AWS asks the address to confirm first. */
  readonly alarmEmail?: string;
  /**
   * The per-address limits of the WAF web ACL in front of the site (`false` turns the web ACL
   * off: it is billed per ACL and rule, about $10 a month).
   */
  readonly edgeLimits?: EdgeLimits | false;
  /** Capabilities held back for every restaurant. */
  readonly heldFeatures?: readonly string[];
  /** The table to run on instead of the data stack's own: a restored one. */
  readonly table?: ExistingTable;
  /** The whole API's requests per second and burst. */
  readonly throttle?: { readonly rate: number; readonly burst: number };
  readonly logRetentionDays?: number;
  /** Memory of each HTTP function. */
  readonly memoryMb?: number;
  /** The site's own domain and its certificate (ACM, us-east-1). */
  readonly domain?: { readonly name: string; readonly certificateArn: string };
  /** Sign-up with the stage's code (the default), or closed to everyone. */
  readonly signUp?: 'code' | 'closed';
  /** Guests may pay online through Stripe, with the platform's fee per currency. */
  readonly payments?: { readonly platformFees: string };
}

/** What one stage of cdk/stages.json deploys. */
export function stageProps(stage: StageConfig, lambdaDir: string): BistroProps {
  return {
    lambdaDir,
    stage: stage.name,
    env: { account: stage.account ?? process.env.CDK_DEFAULT_ACCOUNT, region: stage.region },
    keepData: stage.keepData,
    alarmEmail: stage.alarmEmail,
    edgeLimits: stage.edgeLimits,
    heldFeatures: stage.heldFeatures,
    table: stage.table,
    throttle: stage.throttle,
    logRetentionDays: stage.logRetentionDays,
    memoryMb: stage.memoryMb,
    domain: stage.domain,
    signUp: stage.signUp,
    payments: stage.payments,
  };
}

export function bistro(app: App, props: BistroProps) {
  const env = props.env;
  const stage = props.stage ?? 'prod';
  const id = (part: string) => `Bistro-${stage}-${part}`;
  const keepData = props.keepData ?? true;
  const logRetentionDays = props.logRetentionDays ?? 30;
  const data = new DataStack(app, id('Data'), { env, table: props.table, keepData });
  const api = new ApiStack(app, id('Api'), {
    env, lambdaDir: props.lambdaDir, table: data.table, mediaBucket: data.mediaBucket, siteBucket: data.siteBucket,
    parameters: deploymentParameters(stage), heldFeatures: props.heldFeatures,
    rateLimit: props.throttle?.rate, burstLimit: props.throttle?.burst, logRetentionDays, memoryMb: props.memoryMb, stage, signUp: props.signUp,
    // Stripe sends guests back to the site's own domain; without one, to the page they came from.
    payments: props.payments && { ...props.payments, siteUrl: props.domain && `https://${props.domain.name}` },
  });
  const realtime = new RealtimeStack(app, id('Realtime'), { env, lambdaDir: props.lambdaDir, table: data.table, logRetentionDays, stage });
  const edgeLimits = props.edgeLimits ?? EDGE_LIMITS;
  // The web ACL's stack is in us-east-1; the site's reads its ARN across regions.
  const edge = edgeLimits === false ? undefined
    : new EdgeStack(app, id('Edge'), { env: { account: env?.account, region: 'us-east-1' }, crossRegionReferences: true, limits: edgeLimits, alarmEmail: props.alarmEmail, stage });
  const site = new SiteStack(app, id('Site'), {
    env,
    stage,
    crossRegionReferences: edge !== undefined,
    webAclArn: edge?.webAclArn,
    siteBucket: data.siteBucket,
    mediaBucket: data.mediaBucket,
    apiDomain: api.domain,
    webSocketDomain: realtime.domain,
    siteDir: props.siteDir ?? path.join(import.meta.dirname, '../../static-site'),
    domain: props.domain,
  });
  const monitoring = new MonitoringStack(app, id('Monitoring'), {
    env, alarmEmail: props.alarmEmail, table: data.table, stage,
    notifier: realtime.notifier, notifierFailures: realtime.notifierFailures, apiTrouble: api.troubled,
  });
  return { data, api, realtime, edge, site, monitoring };
}
