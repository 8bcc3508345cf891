// The whole product as six stacks split by lifecycle: data (kept), api, realtime, edge (us-east-1),
// site and monitoring.
import * as path from 'node:path';
import { App, StackProps } from 'aws-cdk-lib';
import { ApiStack, deploymentParameters } from './api-stack.js';
import { DataStack, ExistingTable } from './data-stack.js';
import { EDGE_LIMITS, EdgeLimits, EdgeStack } from './edge-stack.js';
import { MonitoringStack } from './monitoring-stack.js';
import { RealtimeStack } from './realtime-stack.js';
import { SiteStack } from './site-stack.js';

export interface BistroProps {
  /** Where `cargo lambda build --release --arm64 --lambda-dir` put the functions. */
  readonly lambdaDir: string;
  readonly siteDir?: string;
  readonly env?: StackProps['env'];
  /** Names the deployment's SSM parameters (`/bistro/{name}/…`); `bistro-keys --stack` takes the same. */
  readonly name?: string;
  /** Where alarms are mailed (context `alarmEmail`); AWS asks the address to confirm first. */
  readonly alarmEmail?: string;
  /**
   * The per-address limits of the WAF web ACL in front of the site (context `edgeLimits=off`
   * turns the web ACL off: it is billed per ACL and rule, about $10 a month).
   */
  readonly edgeLimits?: EdgeLimits | false;
  /** Capabilities held back for every restaurant (context `heldFeatures=delivery,booking`). */
  readonly heldFeatures?: readonly string[];
  /**
   * The table to run on instead of the data stack's own: a restored one (context `table=NAME
   * tableStream=ARN`, as `bistro-local restore-table` prints them). Functions, the stream's
   * notifier and the alarms all follow it.
   */
  readonly table?: ExistingTable;
}

/** The `table` and `tableStream` context values: both or neither. */
export function tableFromContext(name: unknown, streamArn: unknown): ExistingTable | undefined {
  if (name === undefined && streamArn === undefined) return undefined;
  if (typeof name !== 'string' || typeof streamArn !== 'string') throw new Error('table and tableStream go together: the restored table\'s name and its stream\'s ARN');
  return { name, streamArn };
}

export function bistro(app: App, props: BistroProps) {
  const env = props.env;
  const data = new DataStack(app, 'BistroData', { env, table: props.table });
  const api = new ApiStack(app, 'BistroApi', {
    env, lambdaDir: props.lambdaDir, table: data.table, mediaBucket: data.mediaBucket, siteBucket: data.siteBucket,
    parameters: deploymentParameters(props.name ?? 'Bistro'), heldFeatures: props.heldFeatures,
  });
  const realtime = new RealtimeStack(app, 'BistroRealtime', { env, lambdaDir: props.lambdaDir, table: data.table });
  const edgeLimits = props.edgeLimits ?? EDGE_LIMITS;
  // The web ACL's stack is in us-east-1; the site's reads its ARN across regions.
  const edge = edgeLimits === false ? undefined
    : new EdgeStack(app, 'BistroEdge', { env: { account: env?.account, region: 'us-east-1' }, crossRegionReferences: true, limits: edgeLimits, alarmEmail: props.alarmEmail });
  const site = new SiteStack(app, 'BistroSite', {
    env,
    crossRegionReferences: edge !== undefined,
    webAclArn: edge?.webAclArn,
    siteBucket: data.siteBucket,
    mediaBucket: data.mediaBucket,
    apiDomain: api.domain,
    webSocketDomain: realtime.domain,
    siteDir: props.siteDir ?? path.join(import.meta.dirname, '../../static-site'),
  });
  const monitoring = new MonitoringStack(app, 'BistroMonitoring', {
    env, alarmEmail: props.alarmEmail, table: data.table,
    notifier: realtime.notifier, notifierFailures: realtime.notifierFailures, apiTrouble: api.troubled,
  });
  return { data, api, realtime, edge, site, monitoring };
}
