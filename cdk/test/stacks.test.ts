// The synthesized stacks, checked without a Rust build or an AWS account: stand-in bootstraps
// take the place of the cargo lambda output.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { FUNCTIONS } from '../lib/access.js';
import { bistro, stageProps } from '../lib/bistro.js';
import { DeployAccessStack } from '../lib/deploy-access-stack.js';
import { STAGES, parseStages, stageConfig } from '../lib/stages.js';
import { ORIGIN_HEADER, ORIGIN_SECRET_KEY, SECURITY_HEADERS, TAG_VIEWER, VIEWER_ADDRESS_HEADER } from '../lib/site-stack.js';
import { FREE_ALARM_METRICS } from '../lib/monitoring-stack.js';
import { EDGE_LIMITS, EDGE_WINDOW_SECONDS } from '../lib/edge-stack.js';
import { ROUTE_THROTTLES, STAGE_THROTTLE } from '../lib/api-stack.js';
import { PersonalDataRetention } from '../lib/retention.js';
import { Stack } from 'aws-cdk-lib';

const FUNCTIONS_BUILT = ['menu', 'cart', 'orders', 'reservations', 'accounts', 'exports', 'payments', 'reconcile', 'ws', 'notifier', 'retention'];
/** Deployed only where a stage takes payments. */
const PAYING_ONLY = ['reconcile'];

function standInLambdaDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bistro-lambda-'));
  for (const name of FUNCTIONS_BUILT) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'bootstrap'), '#!/bin/sh\n# stand-in for the Rust binary\n');
  }
  return dir;
}

const stacks = bistro(new App(), { lambdaDir: standInLambdaDir(), env: { account: '123456789012', region: 'eu-central-1' } });
const data = Template.fromStack(stacks.data);
const api = Template.fromStack(stacks.api);
const realtime = Template.fromStack(stacks.realtime);
const site = Template.fromStack(stacks.site);
const monitoring = Template.fromStack(stacks.monitoring);
const edge = Template.fromStack(stacks.edge!);
const all = [data, api, realtime, edge, site, monitoring];
/** The API of a stage that takes payments. */
const paying = Template.fromStack(bistro(new App(), {
  lambdaDir: standInLambdaDir(), stage: 'pay', payments: { platformFees: 'EUR:30+1.5%' },
  domain: { name: 'order.example.com', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b' },
  env: { account: '123456789012', region: 'eu-central-1' },
}).api);

/** The logical id of the function built from `binary`. */
function functionId(template: Template, binary: string): string {
  const ids = Object.entries(template.findResources('AWS::Lambda::Function'))
    .filter(([, resource]) => JSON.stringify(resource.Metadata ?? {}).includes(`/${binary[0].toUpperCase()}${binary.slice(1)}/Function`) || JSON.stringify(resource).includes(`${binary}: errors`))
    .map(([id]) => id);
  const match = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith(binary[0].toUpperCase() + binary.slice(1)));
  assert.equal(match.length, 1, `one function for ${binary}: ${ids} ${match}`);
  return match[0];
}

test('the table is on demand with the key design (whole items in gsi1, keys only in gsi2 and gsi3), a stream of both images, TTL, recovery and protection', () => {
  data.hasResource('AWS::DynamoDB::Table', {
    DeletionPolicy: 'Retain',
    Properties: Match.objectLike({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      GlobalSecondaryIndexes: [['gsi1', 'ALL'], ['gsi2', 'KEYS_ONLY'], ['gsi3', 'KEYS_ONLY']].map(([name, projection]) => Match.objectLike({
        IndexName: name,
        KeySchema: [{ AttributeName: `${name}pk`, KeyType: 'HASH' }, { AttributeName: `${name}sk`, KeyType: 'RANGE' }],
        Projection: { ProjectionType: projection },
      })),
    }),
  });
});

test('an upload never attached, and every replaced version of one, expires after a day; a removed picture\'s and a republished menu\'s old version after the 35 days a restore reaches back; only attached pictures are served', () => {
  const buckets = Object.values(data.findResources('AWS::S3::Bucket'));
  const rules = buckets.flatMap((b) => b.Properties.LifecycleConfiguration?.Rules ?? []);
  const expiry = rules.find((r: any) => r.Id === 'ExpireUnattachedUploads');
  assert.deepEqual([expiry.Prefix, expiry.ExpirationInDays, expiry.NoncurrentVersionExpiration.NoncurrentDays, expiry.Status], ['uploads/', 1, 1, 'Enabled']);
  assert.ok(rules.some((r: any) => r.Prefix === 'uploads/' && r.ExpiredObjectDeleteMarker === true));
  assert.ok(!rules.some((r: any) => r.Prefix === 'r/' && r.ExpirationInDays), 'attached pictures never expire while current');
  const removed = rules.find((r: any) => r.Id === 'ExpireRemovedPictures');
  assert.deepEqual([removed.Prefix, removed.NoncurrentVersionExpiration.NoncurrentDays], ['r/', 35], 'a removed picture\'s old version goes after 35 days');
  const menus = rules.find((r: any) => r.Id === 'ExpireReplacedMenus');
  assert.deepEqual([menus.Prefix, menus.NoncurrentVersionExpiration.NoncurrentDays, menus.Status], ['menus/', 35, 'Enabled'], 'old menus are not kept forever');
  assert.ok(rules.some((r: any) => r.Prefix === 'menus/' && r.ExpiredObjectDeleteMarker === true));
  const media = Object.values(site.findResources('AWS::CloudFront::Function')).find((f) => f.Properties.FunctionCode.includes('/media/r/'));
  assert.ok(media, 'the media behaviour answers 404 outside /media/r/');
});

test('a restored table is a deployment setting: no table is made, and functions, the notifier and the alarms follow it', () => {
  const stream = 'arn:aws:dynamodb:eu-central-1:123456789012:table/bistro-restored/stream/2026-12-07T18:00:00.000';
  const moved = bistro(new App(), { lambdaDir: standInLambdaDir(), table: { name: 'bistro-restored', streamArn: stream }, env: { account: '123456789012', region: 'eu-central-1' } });
  const [movedData, movedApi, movedRealtime, movedMonitoring] = [moved.data, moved.api, moved.realtime, moved.monitoring].map((s) => Template.fromStack(s));
  movedData.resourceCountIs('AWS::DynamoDB::Table', 0);
  movedData.resourceCountIs('AWS::S3::Bucket', 2);
  for (const fn of Object.values(movedApi.findResources('AWS::Lambda::Function'))) {
    assert.equal(fn.Properties.Environment.Variables.TABLE_NAME, 'bistro-restored');
  }
  movedRealtime.hasResourceProperties('AWS::Lambda::EventSourceMapping', { EventSourceArn: stream });
  const watched = JSON.stringify(movedMonitoring.findResources('AWS::CloudWatch::Alarm'));
  assert.match(watched, /"TableName","Value":"bistro-restored"|"Name":"TableName","Value":"bistro-restored"/);
  const policies = JSON.stringify(movedApi.findResources('AWS::IAM::Policy'));
  assert.match(policies, /table\/bistro-restored/, 'the functions\' grants name the restored table');
  assert.throws(() => bistro(new App(), { lambdaDir: standInLambdaDir(), table: { name: 'bistro-restored', streamArn: 'arn:aws:dynamodb:eu-central-1:123456789012:table/other/stream/x' } }), /tableStream/);
  assert.throws(() => stageConfig('prod', { region: 'eu-central-1', keepData: true, alarmEmail: 'a@b.example', smokeRestaurant: 'smoke-test', table: { name: 'bistro-restored' } }), /stage 'prod': table/);
});

test('both buckets are private, encrypted, versioned, kept, and refuse plain HTTP', () => {
  data.resourceCountIs('AWS::S3::Bucket', 2);
  data.allResourcesProperties('AWS::S3::Bucket', {
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    VersioningConfiguration: { Status: 'Enabled' },
  });
  for (const policy of Object.values(data.findResources('AWS::S3::BucketPolicy'))) {
    const statements = policy.Properties.PolicyDocument.Statement;
    assert.ok(statements.some((s: any) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'), 'TLS only');
  }
});

test('every route group goes to its own function', () => {
  const routes = api.findResources('AWS::ApiGatewayV2::Route');
  const integrations = api.findResources('AWS::ApiGatewayV2::Integration');
  const target = (routeKey: string) => {
    const route = Object.values(routes).find((r) => r.Properties.RouteKey === routeKey);
    assert.ok(route, `route ${routeKey}`);
    const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref;
    return JSON.stringify(integrations[integrationId].Properties.IntegrationUri);
  };
  for (const [binary, path] of [['menu', '/v1/restaurants/{slug}/menu/{proxy+}'], ['cart', '/v1/restaurants/{slug}/carts/{proxy+}'],
    ['orders', '/v1/restaurants/{slug}/orders'], ['reservations', '/v1/restaurants/{slug}/reservations/{proxy+}'], ['accounts', '/v1/restaurants/{slug}/login'],
    ['accounts', '/v1/restaurants/{slug}/staff/{proxy+}'], ['accounts', '/v1/restaurants/{slug}/me/{proxy+}'],
    ['payments', '/v1/payments/{proxy+}'], ['payments', '/v1/restaurants/{slug}/payments/{proxy+}']]) {
    assert.match(target(`ANY ${path}`), new RegExp(functionId(api, binary)), `${path} → ${binary}`);
  }
});

test('every function runs on provided.al2023, arm64, with logs kept a month', () => {
  for (const template of [api, realtime]) {
    template.allResourcesProperties('AWS::Lambda::Function', { Runtime: 'provided.al2023', Architectures: ['arm64'], Handler: 'bootstrap' });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  }
  assert.equal(Object.keys(api.findResources('AWS::Lambda::Function')).length + Object.keys(realtime.findResources('AWS::Lambda::Function')).length, FUNCTIONS_BUILT.length - PAYING_ONLY.length);
  assert.equal(Object.keys(paying.findResources('AWS::Lambda::Function')).length, Object.keys(api.findResources('AWS::Lambda::Function')).length + PAYING_ONLY.length);
});

/** Every IAM statement of the role of the function built from `binary`. */
function statements(template: Template, binary: string): any[] {
  const fnId = functionId(template, binary);
  const roleId = template.findResources('AWS::Lambda::Function')[fnId].Properties.Role['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => policy.Properties.Roles.some((role: any) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

test('no template and no function configuration holds key material or a secret', () => {
  for (const template of all) {
    const text = JSON.stringify(template.toJSON());
    assert.doesNotMatch(text, /AWS::SecretsManager|resolve:secretsmanager|resolve:ssm-secure|BISTRO_JWT_SECRET/);
    assert.doesNotMatch(text, /PRIVATE KEY|pkcs8|"kty"/i);
    // The parameters are written by bistro-keys, never by a template.
    template.resourceCountIs('AWS::SSM::Parameter', 0);
  }
  for (const template of [api, realtime]) {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      const names = Object.keys(fn.Properties.Environment.Variables);
      assert.ok(names.every((name) => !/SECRET|KEY$|TOKEN|PASSWORD/.test(name)), names.join(', '));
    }
  }
});

test('only the accounts function may read the signing key and the sign-up code, and only those', () => {
  const ssm = (template: Template, binary: string) =>
    statements(template, binary).filter((s: any) => [s.Action].flat().some((action: string) => action.startsWith('ssm:')));
  const accounts = ssm(api, 'accounts');
  assert.equal(accounts.length, 1);
  assert.deepEqual([accounts[0].Action].flat(), ['ssm:GetParameter']);
  const resources = JSON.stringify(accounts[0].Resource);
  assert.match(resources, /parameter\/bistro\/prod\/signing-key/);
  assert.match(resources, /parameter\/bistro\/prod\/sign-up-code/);
  assert.doesNotMatch(resources, /\*/, 'no wildcard');
  for (const binary of ['menu', 'cart', 'orders', 'reservations', 'exports', 'payments']) {
    assert.deepEqual(ssm(api, binary), [], `${binary}, in a stage that takes no payments`);
  }
  for (const binary of ['ws', 'notifier']) {
    assert.deepEqual(ssm(realtime, binary), [], binary);
  }
  for (const template of all) {
    assert.doesNotMatch(JSON.stringify(template.toJSON()), /"(ssm:\*|ssm:GetParameters?ByPath|kms:Decrypt)"/);
  }
  const env = api.findResources('AWS::Lambda::Function')[functionId(api, 'accounts')].Properties.Environment.Variables;
  assert.equal(env.BISTRO_SIGNING_KEY_PARAMETER, '/bistro/prod/signing-key');
  assert.equal(env.BISTRO_SIGN_UP_CODE_PARAMETER, '/bistro/prod/sign-up-code');
});

/** The `dynamodb:LeadingKeys` patterns of each statement of `binary` that grants `action` on `resource` ('table' or 'index'). */
function leadingKeys(template: Template, binary: string, action: string, resource: 'table' | 'index'): string[][] {
  return statements(template, binary)
    .filter((s: any) => [s.Action].flat().includes(action))
    .filter((s: any) => JSON.stringify(s.Resource).includes('/index/') === (resource === 'index'))
    .map((s: any) => s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] ?? ['*']);
}

const templateOf = (binary: string) => (PAYING_ONLY.includes(binary) ? paying : FUNCTIONS[binary].routes.length > 0 || binary === 'retention' ? api : realtime);

test('each function may write only its own partitions: the menu function cannot write orders', () => {
  for (const binary of FUNCTIONS_BUILT) {
    const writes = FUNCTIONS[binary].writes;
    assert.deepEqual(leadingKeys(templateOf(binary), binary, 'dynamodb:PutItem', 'table'), writes.length ? [writes] : [], binary);
  }
  assert.ok(!FUNCTIONS.menu.writes.some((pattern) => pattern.includes('ORDER')));
  assert.deepEqual(FUNCTIONS.ws.writes, ['CONNECTION#*', 'R#*#CONNCOUNT'], 'its connections and their counts against the caps');
});

test('each function may read only the partitions it needs, and only accounts and the read-only exports read the accounts', () => {
  for (const binary of FUNCTIONS_BUILT) {
    const template = templateOf(binary);
    const { reads, indexReads } = FUNCTIONS[binary];
    const table = reads.length ? [reads] : [];
    assert.deepEqual(leadingKeys(template, binary, 'dynamodb:GetItem', 'table'), table, `${binary} GetItem`);
    assert.deepEqual(leadingKeys(template, binary, 'dynamodb:Query', 'table'), table, `${binary} Query`);
    assert.deepEqual(leadingKeys(template, binary, 'dynamodb:Query', 'index'), indexReads.length ? [indexReads] : [], `${binary} index Query`);
    const staff = [...reads, ...indexReads].filter((pattern) => pattern.includes('STAFF'));
    // The owner's export lists the team; it writes nothing, and leaves every hash out (an HTTP test).
    assert.deepEqual(staff, ['accounts', 'exports'].includes(binary) ? ['R#*#STAFF'] : [], `${binary} and the accounts partition`);
  }
  assert.deepEqual(FUNCTIONS.exports.writes, [], 'the exports function writes nothing');
  // Every function that checks a staff token reads the public keys and the session numbers.
  for (const binary of ['menu', 'orders', 'reservations', 'accounts', 'ws']) {
    assert.ok(FUNCTIONS[binary].reads.includes('KEYS') && FUNCTIONS[binary].reads.includes('R#*#SESSION'), binary);
  }
  for (const template of [api, realtime]) {
    const text = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    // The notifier's stream actions (GetRecords…) are on the stream's ARN, not the table's.
    assert.doesNotMatch(text, /"dynamodb:(Scan|BatchGetItem|BatchWriteItem|PartiQL\w*|\*)"/);
  }
  assert.deepEqual(FUNCTIONS_BUILT.filter((binary) => FUNCTIONS[binary].describesTable), ['accounts'], 'only the health check describes the table');
});

test('only the ws and notifier functions may post to WebSocket connections', () => {
  assert.doesNotMatch(JSON.stringify(api.toJSON()), /execute-api:ManageConnections/);
  const policies = JSON.stringify(realtime.findResources('AWS::IAM::Policy'));
  assert.equal((policies.match(/execute-api:ManageConnections/g) ?? []).length, 2);
});

test('the notifier reads the stream in batches, splits a failing batch, retries a few times and parks the rest', () => {
  realtime.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    BatchSize: 100,
    BisectBatchOnFunctionError: true,
    MaximumRetryAttempts: 5,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    StartingPosition: 'LATEST',
  });
});

test('the ws function has 10 s and 128 MB, what a resume is bounded for (1,000 events, 2 MB)', () => {
  const ws = realtime.findResources('AWS::Lambda::Function')[functionId(realtime, 'ws')];
  assert.deepEqual([ws.Properties.Timeout, ws.Properties.MemorySize], [10, 128]);
});

test('the WebSocket API routes connect, disconnect and default to the ws function', () => {
  for (const key of ['$connect', '$disconnect', '$default']) {
    realtime.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: key });
  }
});

test('every API request through CloudFront names its viewer in a header the viewer cannot set', () => {
  const functions = Object.values(site.findResources('AWS::CloudFront::Function'));
  const tagger = functions.find((f) => f.Properties.FunctionCode.includes(VIEWER_ADDRESS_HEADER));
  assert.ok(tagger, 'a function writes the viewer address');
  assert.equal(tagger.Properties.FunctionCode, TAG_VIEWER);
  const config = Object.values(site.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
  for (const pattern of ['v1/*', 'health']) {
    const behavior = config.CacheBehaviors.find((b: any) => b.PathPattern === pattern);
    assert.equal(behavior.FunctionAssociations?.length, 1, pattern);
    assert.equal(behavior.FunctionAssociations[0].EventType, 'viewer-request', pattern);
  }
});

/** Runs the viewer function as CloudFront would, with a key value store holding `secret` (or nothing). */
async function tagged(secret: string | undefined, headers: Record<string, { value: string }>) {
  const store = { get: async (key: string) => { if (key === ORIGIN_SECRET_KEY && secret) return secret; throw new Error('key not found'); } };
  const handler = new Function('cf', `${TAG_VIEWER.replace("import cf from 'cloudfront';", '')}\nreturn handler;`)({ kvs: () => store });
  return (await handler({ viewer: { ip: '203.0.113.7' }, request: { headers } })).headers;
}

test('the API cannot be used around CloudFront: its functions need a secret that only the key value store holds', async () => {
  const headers = await tagged('s3cret-from-the-store', { [ORIGIN_HEADER]: { value: 'a guess' }, [VIEWER_ADDRESS_HEADER]: { value: '10.0.0.1' } });
  assert.equal(headers[ORIGIN_HEADER].value, 's3cret-from-the-store', 'a viewer cannot send its own');
  assert.equal(headers[VIEWER_ADDRESS_HEADER].value, '203.0.113.7');
  const before = await tagged(undefined, { [ORIGIN_HEADER]: { value: 'a guess' } });
  assert.equal(before[ORIGIN_HEADER], undefined, 'without a secret set, nothing passes for one');
  const stores = Object.values(site.findResources('AWS::CloudFront::KeyValueStore'));
  assert.equal(stores.length, 1);
  assert.equal(stores[0].Properties.ImportSource, undefined, 'the store starts empty: no secret in any template or asset');
  const tagger = Object.values(site.findResources('AWS::CloudFront::Function')).find((f) => f.Properties.FunctionCode === TAG_VIEWER);
  assert.equal(tagger?.Properties.FunctionConfig.KeyValueStoreAssociations.length, 1);
  for (const template of all) assert.doesNotMatch(JSON.stringify(template.toJSON()), /s3cret/);
  site.hasOutput('OriginSecretStore', {});
});

test('login, sign-up and booking have throttles of their own, backstops at or below the stage\'s', () => {
  const stage = Object.values(api.findResources('AWS::ApiGatewayV2::Stage'))[0].Properties;
  const routes = Object.values(api.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);
  for (const key of ['ANY /v1/restaurants/{slug}/login', 'ANY /v1/restaurants', 'ANY /v1/restaurants/{slug}/reservations']) {
    assert.ok(routes.includes(key), `${key} is a route`);
    const settings = stage.RouteSettings[key];
    assert.deepEqual([settings?.ThrottlingRateLimit, settings?.ThrottlingBurstLimit], ROUTE_THROTTLES[key], key);
    assert.ok(settings.ThrottlingRateLimit <= STAGE_THROTTLE.rateLimit && settings.ThrottlingBurstLimit <= STAGE_THROTTLE.burstLimit, key);
  }
});

test('the shared throttles are a backstop far above what one client may send at the edge', () => {
  api.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: STAGE_THROTTLE.rateLimit, ThrottlingBurstLimit: STAGE_THROTTLE.burstLimit } });
  realtime.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 100 }) });
  // One address at its edge limit sends at most this many requests a second to each route.
  const perSecond = (limit: number) => limit / EDGE_WINDOW_SECONDS;
  const [login] = ROUTE_THROTTLES['ANY /v1/restaurants/{slug}/login'];
  const [booking] = ROUTE_THROTTLES['ANY /v1/restaurants/{slug}/reservations'];
  assert.ok(login >= 100 * perSecond(EDGE_LIMITS.login), 'a hundred addresses at their login limit stay below the login throttle');
  assert.ok(booking >= 100 * perSecond(EDGE_LIMITS.booking), 'and at their booking limit, below the booking throttle');
  assert.ok(STAGE_THROTTLE.rateLimit >= 100 * perSecond(EDGE_LIMITS.perAddress), 'and at their overall limit, below the stage');
});

/** The web ACL's rule of this name. */
function edgeRule(name: string): any {
  const acl = Object.values(edge.findResources('AWS::WAFv2::WebACL'))[0].Properties;
  const rule = acl.Rules.find((r: any) => r.Name === name);
  assert.ok(rule, `rule ${name}`);
  return rule;
}

test('the edge limits each viewer address over five minutes, all in all and tighter for login, sign-up, booking and ordering, answering 429', () => {
  assert.equal(stacks.edge!.region, 'us-east-1');
  edge.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
  const limits: Record<string, number> = { Login: EDGE_LIMITS.login, SignUp: EDGE_LIMITS.signUp, Booking: EDGE_LIMITS.booking, Ordering: EDGE_LIMITS.ordering, Everything: EDGE_LIMITS.perAddress };
  for (const [name, limit] of Object.entries(limits)) {
    const rule = edgeRule(name);
    assert.deepEqual(rule.Action, { Block: { CustomResponse: { ResponseCode: 429 } } }, name);
    const rate = rule.Statement.RateBasedStatement;
    assert.deepEqual([rate.Limit, rate.AggregateKeyType, rate.EvaluationWindowSec], [limit, 'IP', EDGE_WINDOW_SECONDS], name);
  }
  const scoped = (name: string) => JSON.stringify(edgeRule(name).Statement.RateBasedStatement.ScopeDownStatement ?? null);
  assert.match(scoped('Login'), /"SearchString":"POST".*"PositionalConstraint":"ENDS_WITH","SearchString":"\/login"/);
  assert.match(scoped('SignUp'), /"PositionalConstraint":"EXACTLY","SearchString":"\/v1\/restaurants"/);
  assert.match(scoped('Booking'), /"SearchString":"\/reservations"/);
  assert.match(scoped('Ordering'), /"SearchString":"\/carts".*"SearchString":"\/orders".*"SearchString":"\/devices"/);
  assert.match(scoped('Everything'), /"NotStatement".*"PositionalConstraint":"STARTS_WITH","SearchString":"\/v1\/payments\/"/,
    'every request counts toward the overall limit but Stripe\'s webhooks, which guests\' limits would refuse');
  // A busy restaurant's Wi-Fi at a peak: 40 guests, about 40 requests and 2 creations each.
  assert.ok(EDGE_LIMITS.perAddress > 40 * 40 && EDGE_LIMITS.ordering > 40 * 2);
});

test('the site\'s distribution is behind the edge\'s web ACL, and turning the edge off leaves it without one', () => {
  const distribution = Object.values(site.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
  assert.ok(distribution.WebACLId, 'the distribution names a web ACL');
  assert.match(JSON.stringify(distribution.WebACLId), /WebACL|PerAddress/, 'the edge stack\'s');
  const off = bistro(new App(), { lambdaDir: standInLambdaDir(), edgeLimits: false, env: { account: '123456789012', region: 'eu-central-1' } });
  assert.equal(off.edge, undefined);
  const bare = Object.values(Template.fromStack(off.site).findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
  assert.equal(bare.WebACLId, undefined);
});

test('a limit WAF cannot take fails synth naming it', () => {
  assert.throws(() => bistro(new App(), { lambdaDir: standInLambdaDir(), edgeLimits: { ...EDGE_LIMITS, login: 5 }, env: { account: '123456789012', region: 'eu-central-1' } }), /edge limit login/);
});

test('many requests answered 429 at the edge alarm, mailed from the edge\'s own region', () => {
  edge.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/WAFV2', MetricName: 'BlockedRequests', Dimensions: Match.arrayWith([{ Name: 'WebACL', Value: 'bistro-prod-edge' }]) });
  const topic = Object.keys(edge.findResources('AWS::SNS::Topic'));
  const alarm = Object.values(edge.findResources('AWS::CloudWatch::Alarm'))[0];
  assert.deepEqual(alarm.Properties.AlarmActions, [{ Ref: topic[0] }]);
});

test('every alarm mails the alarm topic, and all of them together stay within the free ten alarm metrics', () => {
  const alarms = all.flatMap((template) => Object.values(template.findResources('AWS::CloudWatch::Alarm')));
  const metrics = alarms.reduce((n, a) => n + (a.Properties.Metrics ? a.Properties.Metrics.filter((m: any) => m.MetricStat).length : 1), 0);
  assert.ok(metrics <= FREE_ALARM_METRICS, `${metrics} alarm metrics`);
  const topic = Object.keys(monitoring.findResources('AWS::SNS::Topic'));
  assert.equal(topic.length, 1);
  for (const alarm of all.filter((t) => t !== edge).flatMap((t) => Object.values(t.findResources('AWS::CloudWatch::Alarm')))) {
    assert.deepEqual(alarm.Properties.AlarmActions, [{ Ref: topic[0] }], alarm.Properties.AlarmDescription);
  }
  const watched = alarms.map((a) => `${a.Properties.Namespace}/${a.Properties.MetricName}`);
  for (const needed of ['Bistro/ApiTrouble', 'AWS/Lambda/Errors', 'AWS/Lambda/Throttles', 'AWS/DynamoDB/ReadThrottleEvents',
    'AWS/DynamoDB/WriteThrottleEvents', 'AWS/DynamoDB/SystemErrors', 'AWS/Lambda/IteratorAge', 'AWS/SQS/ApproximateNumberOfMessagesVisible']) {
    assert.ok(watched.includes(needed), needed);
  }
});

test('requests API Gateway\'s own throttles refuse are counted from its access log, which holds nothing of the viewer, and alarm', () => {
  const stage = Object.values(api.findResources('AWS::ApiGatewayV2::Stage'))[0];
  const format = JSON.parse(stage.Properties.AccessLogSettings.Format.replace('$context.status', '0'));
  assert.deepEqual(Object.keys(format), ['requestId', 'route', 'status', 'error']);
  api.hasResourceProperties('AWS::Logs::MetricFilter', {
    FilterPattern: '{ ($.error = "THROTTLED") || ($.status >= 500) }',
    MetricTransformations: [{ MetricNamespace: 'Bistro', MetricName: 'ApiTrouble', MetricValue: '1' }],
  });
  monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'Bistro', MetricName: 'ApiTrouble', Threshold: 1 });
});

test('the alarm e-mail is a context value: with one the topic mails it, and a malformed one is refused', () => {
  const mailed = bistro(new App(), { lambdaDir: standInLambdaDir(), alarmEmail: 'kitchen@example.com', env: { account: '123456789012', region: 'eu-central-1' } });
  Template.fromStack(mailed.monitoring).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'kitchen@example.com' });
  monitoring.resourceCountIs('AWS::SNS::Subscription', 0);
  assert.throws(() => bistro(new App(), { lambdaDir: standInLambdaDir(), alarmEmail: 'not an address' }), /alarmEmail/);
});

test('a held feature reaches every HTTP function as BISTRO_HELD_FEATURES, none by default, and an unknown one is refused', () => {
  const dark = Template.fromStack(bistro(new App(), { lambdaDir: standInLambdaDir(), heldFeatures: ['delivery', 'booking'], env: { account: '123456789012', region: 'eu-central-1' } }).api);
  for (const binary of ['menu', 'cart', 'orders', 'reservations', 'accounts']) {
    const fn = dark.findResources('AWS::Lambda::Function')[functionId(dark, binary)];
    assert.equal(fn.Properties.Environment.Variables.BISTRO_HELD_FEATURES, 'delivery,booking', binary);
    const plain = api.findResources('AWS::Lambda::Function')[functionId(api, binary)];
    assert.equal(plain.Properties.Environment.Variables.BISTRO_HELD_FEATURES, undefined, binary);
  }
  assert.throws(() => bistro(new App(), { lambdaDir: standInLambdaDir(), heldFeatures: ['deliveries'] }), /heldFeatures/);
});

test('CloudFront serves HTTPS only through origin access control, with security headers and short-cached menus', () => {
  site.resourceCountIs('AWS::CloudFront::OriginAccessControl', 2);
  const distribution = Object.values(site.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
  const behaviors = [distribution.DefaultCacheBehavior, ...distribution.CacheBehaviors];
  assert.ok(behaviors.every((b: any) => b.ViewerProtocolPolicy === 'redirect-to-https'));
  assert.ok(behaviors.every((b: any) => b.ResponseHeadersPolicyId));
  assert.deepEqual(distribution.CacheBehaviors.map((b: any) => b.PathPattern).sort(), ['health', 'media/*', 'menus/*', 'v1/*', 'ws']);
  site.hasResourceProperties('AWS::CloudFront::CachePolicy', { CachePolicyConfig: Match.objectLike({ DefaultTTL: 30, MaxTTL: 60 }) });
});

test('every answer of the site carries the CSP (own origin only, no plugins, framed by no one) and the other security headers', () => {
  const csp = SECURITY_HEADERS['content-security-policy'];
  for (const directive of ["default-src 'self'", "connect-src 'self'", "object-src 'none'", "frame-ancestors 'none'"]) {
    assert.ok(csp.split('; ').includes(directive), directive);
  }
  const [id] = Object.keys(site.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
  site.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
    ResponseHeadersPolicyConfig: Match.objectLike({
      SecurityHeadersConfig: Match.objectLike({
        ContentSecurityPolicy: { ContentSecurityPolicy: csp, Override: true },
        FrameOptions: { FrameOption: 'DENY', Override: true },
        ContentTypeOptions: { Override: true },
        StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 63072000 }),
      }),
    }),
  });
  const distribution = Object.values(site.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
  for (const behavior of [distribution.DefaultCacheBehavior, ...distribution.CacheBehaviors]) {
    assert.deepEqual(behavior.ResponseHeadersPolicyId, { Ref: id }, behavior.PathPattern ?? 'default');
  }
});

test('config.json sends the pages to the site\'s own address for the API, the sockets and the menus', () => {
  const deployment = Object.values(site.findResources('Custom::CDKBucketDeployment'))[0];
  assert.doesNotMatch(JSON.stringify(deployment.Properties), /BistroRealtime|execute-api/, 'no other address than the site\'s');
  assert.equal(deployment.Properties.Prune, false, 'published menus in the bucket survive a deployment');
});

test('live updates are reached only through the site: /ws goes to the WebSocket API with the origin secret the ws function asks for', () => {
  const config = Object.values(site.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
  const ws = config.CacheBehaviors.find((b: any) => b.PathPattern === 'ws');
  assert.ok(ws, 'a /ws behaviour');
  const origin = config.Origins.find((o: any) => o.Id === ws.TargetOriginId);
  assert.match(JSON.stringify(origin.DomainName), /WebSocketApi/, 'the WebSocket API');
  const functions = site.findResources('AWS::CloudFront::Function');
  const tagger = ws.FunctionAssociations.map((a: any) => functions[a.FunctionARN['Fn::GetAtt'][0]]);
  assert.ok(tagger.some((f: any) => f.Properties.FunctionCode.includes(ORIGIN_HEADER)), 'the viewer function adds the origin secret');
  realtime.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: 'ws' });
});

test('the site, API and WebSocket URLs are outputs', () => {
  for (const output of ['SiteUrl', 'ApiUrl', 'WebSocketUrl']) site.hasOutput(output, {});
  realtime.hasOutput('WebSocketApiUrl', {});
});

test('nothing costs money while nobody orders: no NAT, VPC endpoints, provisioned concurrency, databases or servers', () => {
  const idle = ['AWS::EC2::NatGateway', 'AWS::EC2::VPCEndpoint', 'AWS::EC2::Instance', 'AWS::RDS::DBInstance', 'AWS::RDS::DBCluster', 'AWS::ECS::Service',
    'AWS::ElastiCache::CacheCluster', 'AWS::Lambda::Version', 'AWS::ElasticLoadBalancingV2::LoadBalancer'];
  for (const template of all) {
    const types = new Set(Object.values(template.toJSON().Resources).map((r: any) => r.Type));
    for (const type of idle) assert.ok(!types.has(type), `${type} costs money while idle`);
    for (const alias of Object.values(template.findResources('AWS::Lambda::Alias'))) {
      assert.equal(alias.Properties.ProvisionedConcurrencyConfig, undefined);
    }
  }
  data.hasResourceProperties('AWS::DynamoDB::Table', { BillingMode: 'PAY_PER_REQUEST' });
});

test("guests' personal data is erased by a daily run of the retention function, which may touch only orders, bookings and the directory", () => {
  const rules = Object.values(api.findResources('AWS::Events::Rule'));
  assert.equal(rules.length, 1);
  assert.equal(rules[0].Properties.ScheduleExpression, 'cron(0 3 * * ? *)');
  assert.match(JSON.stringify(rules[0].Properties.Targets), new RegExp(functionId(api, 'retention')));
  assert.deepEqual(FUNCTIONS.retention.writes, ['R#*#ORDER#*', 'R#*#BOOKING#*', 'RESTAURANTS']);
  assert.equal(FUNCTIONS.retention.routes.length, 0, 'nobody can call it over HTTP');
});

test('a stage that takes payments reconciles them with Stripe every hour; a stage that does not runs nothing for it', () => {
  const rules = Object.values(paying.findResources('AWS::Events::Rule')).filter((rule: any) => rule.Properties.ScheduleExpression === 'rate(1 hour)');
  assert.equal(rules.length, 1);
  assert.match(JSON.stringify((rules[0] as any).Properties.Targets), new RegExp(functionId(paying, 'reconcile')));
  assert.equal(FUNCTIONS.reconcile.routes.length, 0, 'nobody can call it over HTTP');
  assert.ok(FUNCTIONS.reconcile.writes.every((pattern) => !pattern.includes('STAFF') && !pattern.includes('PROFILE')), 'it changes no restaurant or account');
  assert.equal(Object.values(api.findResources('AWS::Events::Rule')).filter((rule: any) => rule.Properties.ScheduleExpression === 'rate(1 hour)').length, 0);
});

test('the retention run is at a whole UTC hour: any other hour is refused when the app is built', () => {
  const stack = new Stack(new App(), 'RetentionHours');
  const table = stacks.data.table;
  for (const hourUtc of [24, -1, 2.5]) {
    assert.throws(() => new PersonalDataRetention(stack, `At${hourUtc}`, { lambdaDir: standInLambdaDir(), table, hourUtc }), /whole hour/);
  }
});


test('pages, scripts and published menus go out compressed', () => {
  const config = Object.values(site.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
  assert.equal(config.DefaultCacheBehavior.Compress, true, 'pages and scripts');
  const menus = config.CacheBehaviors.find((b: any) => b.PathPattern === 'menus/*');
  assert.equal(menus.Compress, true, 'menus');
  const policy = Object.values(site.findResources('AWS::CloudFront::CachePolicy'))
    .find((p: any) => p.Properties.CachePolicyConfig.Comment?.startsWith('Published menus'));
  assert.ok(policy, "the menus' cache policy");
  const encodings = policy.Properties.CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin;
  assert.deepEqual([encodings.EnableAcceptEncodingGzip, encodings.EnableAcceptEncodingBrotli], [true, true]);
});

test('a stage that keeps data mails its alarms somewhere, so they reach someone', () => {
  for (const stage of Object.values(STAGES.stages).filter((s) => s.keepData)) assert.match(stage.alarmEmail ?? '', /@/, stage.name);
  assert.throws(() => stageConfig('prod', { region: 'eu-central-1', keepData: true, smokeRestaurant: 'smoke-test' }), /stage 'prod': alarmEmail: a stage that keeps data mails its alarms/);
});

test('only the menu function may remove pictures, and only attached ones', () => {
  // Of the media bucket (publishing a menu also rewrites the site bucket's menus/).
  const deletes = (binary: string) => statements(api, binary)
    .filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:DeleteObject')))
    .filter((s) => /Media/.test(JSON.stringify(s.Resource)));
  const menu = deletes('menu');
  assert.equal(menu.length, 1);
  assert.match(JSON.stringify(menu[0].Resource), /\/r\/\*"/);
  for (const binary of ['cart', 'orders', 'reservations', 'accounts']) assert.deepEqual(deletes(binary), [], binary);
});

/** The property that names each kind of resource in its account and region, where one is set. */
const NAMED_BY: Record<string, string> = {
  'AWS::DynamoDB::Table': 'TableName', 'AWS::S3::Bucket': 'BucketName', 'AWS::Lambda::Function': 'FunctionName',
  'AWS::SNS::Topic': 'TopicName', 'AWS::SQS::Queue': 'QueueName', 'AWS::Logs::LogGroup': 'LogGroupName', 'AWS::IAM::Role': 'RoleName',
  'AWS::CloudFront::KeyValueStore': 'Name', 'AWS::WAFv2::WebACL': 'Name', 'AWS::ApiGatewayV2::Api': 'Name',
  'AWS::CloudWatch::Alarm': 'AlarmName', 'AWS::SSM::Parameter': 'Name', 'AWS::CloudFront::Function': 'Name',
};

/** Every explicit physical name in a template: what must differ between two stages of one account. */
function physicalNames(template: Template): string[] {
  return (Object.values(template.toJSON().Resources ?? {}) as any[])
    .map((resource) => resource.Properties?.[NAMED_BY[resource.Type]])
    .filter((name): name is string => typeof name === 'string');
}

test('two stages synthesize side by side with no physical name in common and the stage in every name', () => {
  const app = new App();
  const lambdaDir = standInLambdaDir();
  const both = ['test', 'prod'].map((name) => bistro(app, stageProps({ ...STAGES.stages[name], account: '123456789012', edgeLimits: EDGE_LIMITS }, lambdaDir)));
  const names = both.map((stage) => Object.values(stage).filter((s) => s !== undefined).flatMap((stack: any) => physicalNames(Template.fromStack(stack))));
  const shared = names[0].filter((name) => names[1].includes(name));
  assert.deepEqual(shared, [], 'no explicit name is shared between the stages');
  for (const [index, stage] of ['test', 'prod'].entries()) {
    for (const name of names[index]) assert.ok(JSON.stringify(name).includes(stage), `${name} names its stage`);
  }
  for (const [index, stage] of ['test', 'prod'].entries()) {
    const stacks = Object.values(both[index]).filter((s) => s !== undefined) as Stack[];
    for (const stack of stacks) assert.match(stack.stackName, new RegExp(`^Bistro-${stage}-`), stack.stackName);
    const api = Template.fromStack(both[index].api);
    const parameters = JSON.stringify(api.findResources('AWS::IAM::Policy'));
    assert.match(parameters, new RegExp(`parameter/bistro/${stage}/signing-key`), `${stage}'s SSM parameters`);
    const site = Template.fromStack(both[index].site);
    site.hasResourceProperties('AWS::CloudFront::KeyValueStore', { Name: `bistro-${stage}-origin-secrets` });
    Template.fromStack(both[index].edge!).hasResourceProperties('AWS::WAFv2::WebACL', { Name: `bistro-${stage}-edge` });
  }
});

test('production keeps its table (deletion protection, retained) and buckets; a test stage can be destroyed completely', () => {
  const app = new App();
  const stages = ['test', 'prod'].map((name) => bistro(app, stageProps({ ...STAGES.stages[name], account: '123456789012' }, standInLambdaDir())));
  const [test_, prod] = stages.map((stage) => Template.fromStack(stage.data));
  const table = (t: Template) => Object.values(t.findResources('AWS::DynamoDB::Table'))[0] as any;
  assert.equal(table(prod).Properties.DeletionProtectionEnabled, true);
  assert.equal(table(prod).DeletionPolicy, 'Retain');
  assert.equal(table(test_).Properties.DeletionProtectionEnabled, false);
  assert.equal(table(test_).DeletionPolicy, 'Delete');
  for (const bucket of Object.values(prod.findResources('AWS::S3::Bucket')) as any[]) assert.equal(bucket.DeletionPolicy, 'Retain');
  for (const bucket of Object.values(test_.findResources('AWS::S3::Bucket')) as any[]) assert.equal(bucket.DeletionPolicy, 'Delete');
  test_.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
});

test('a bad value in the stages file fails synth naming the stage and the field', () => {
  const good = { region: 'eu-central-1', keepData: false, smokeRestaurant: 'smoke-test' };
  assert.throws(() => stageConfig('test', { ...good, memoryMb: 64 }), /stage 'test': memoryMb: a whole number from 128 to 10240, not 64/);
  assert.throws(() => stageConfig('test', { ...good, logRetentionDays: 10 }), /stage 'test': logRetentionDays: one of CloudWatch's periods/);
  assert.throws(() => stageConfig('test', { ...good, alarmEmail: 'kitchen' }), /stage 'test': alarmEmail: an e-mail address/);
  assert.throws(() => stageConfig('prod', { ...good, edgeLimits: { login: 5 } }), /stage 'prod': edgeLimits.login: a whole number from 10/);
  assert.throws(() => stageConfig('prod', { ...good, heldFeatures: ['deliveries'] }), /stage 'prod': heldFeatures/);
  assert.throws(() => stageConfig('prod', { region: 'eu-central-1' }), /stage 'prod': keepData/);
  assert.throws(() => stageConfig('prod', { region: 'eu-central-1', keepData: true, alarmEmail: 'a@b.example' }), /stage 'prod': smokeRestaurant/);
  assert.throws(() => stageConfig('prod', { ...good, domain: { name: 'order.example.com', certificateArn: 'arn:aws:acm:eu-central-1:123456789012:certificate/abc' } }), /stage 'prod': domain.certificateArn: an ACM certificate's ARN in us-east-1/);
  assert.throws(() => stageConfig('prod', { ...good, colour: 'red' }), /stage 'prod': colour: no such setting/);
  assert.throws(() => stageConfig('Prod', good), /stage 'Prod': name/);
  assert.throws(() => stageConfig('test', { ...good, signUp: 'open' }), /stage 'test': signUp: "code"/);
  assert.equal(stageConfig('test', good).signUp, 'code', 'sign-up with the stage\'s code unless closed');
  assert.throws(() => parseStages('{"repository": "nobody", "stages": {}}'), /repository: the GitHub repository as owner\/name/);
  assert.ok(Object.keys(STAGES.stages).includes('test') && Object.keys(STAGES.stages).includes('prod'), 'the repository has both stages');
});

test('the deploy role trusts only this repository\'s main branch, through GitHub\'s OpenID Connect provider', () => {
  const access = Template.fromStack(new DeployAccessStack(new App(), 'BistroDeployAccess', { repository: 'bistro-team/bistro', env: { account: '123456789012', region: 'eu-central-1' } }));
  access.hasResourceProperties('AWS::IAM::OIDCProvider', { Url: 'https://token.actions.githubusercontent.com', ClientIdList: ['sts.amazonaws.com'] });
  const role = Object.values(access.findResources('AWS::IAM::Role'))[0] as any;
  const [statement] = role.Properties.AssumeRolePolicyDocument.Statement;
  assert.equal(statement.Action, 'sts:AssumeRoleWithWebIdentity');
  assert.deepEqual(statement.Condition, { StringEquals: {
    'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
    'token.actions.githubusercontent.com:sub': 'repo:bistro-team/bistro:ref:refs/heads/main',
  } });
  assert.ok(JSON.stringify(statement.Principal).includes('GitHub'), 'federated through the provider of this stack');
  const actions = JSON.stringify(access.findResources('AWS::IAM::Policy'));
  assert.doesNotMatch(actions, /"\*"|iam:\*|"Action":"\*"/, 'no wildcard action');
  assert.throws(() => new DeployAccessStack(new App(), 'X', { repository: 'not a repo' }), /repository/);
});

test('a stage closed to sign-up tells the accounts function so, and only it', () => {
  const closed = Template.fromStack(bistro(new App(), { lambdaDir: standInLambdaDir(), signUp: 'closed', env: { account: '123456789012', region: 'eu-central-1' } }).api);
  const variables = (template: Template, binary: string) => (template.findResources('AWS::Lambda::Function')[functionId(template, binary)] as any).Properties.Environment.Variables;
  assert.equal(variables(closed, 'accounts').BISTRO_SIGN_UP, 'closed');
  assert.equal(variables(api, 'accounts').BISTRO_SIGN_UP, undefined, 'with its code by default');
  for (const binary of ['menu', 'cart', 'orders', 'reservations', 'exports']) assert.equal(variables(closed, binary).BISTRO_SIGN_UP, undefined, binary);
});

test('a stage that takes payments lets orders and the reconciliation read Stripe\'s key and payments the key and the webhook secret, and no function more', () => {
  const ssm = (binary: string) => statements(paying, binary)
    .filter((s: any) => [s.Action].flat().some((action: string) => action.startsWith('ssm:')))
    .map((s: any) => JSON.stringify(s.Resource));
  const variables = (binary: string) => (paying.findResources('AWS::Lambda::Function')[functionId(paying, binary)] as any).Properties.Environment.Variables;
  assert.equal(ssm('orders').length, 1);
  assert.match(ssm('orders')[0], /parameter\/bistro\/pay\/stripe-key/);
  assert.doesNotMatch(ssm('orders')[0], /webhook/, 'orders cannot read the webhook secret');
  assert.match(ssm('payments')[0], /parameter\/bistro\/pay\/stripe-key.*parameter\/bistro\/pay\/stripe-webhook-secret/);
  assert.equal(ssm('reconcile').length, 1);
  assert.match(ssm('reconcile')[0], /parameter\/bistro\/pay\/stripe-key/);
  assert.doesNotMatch(ssm('reconcile')[0], /webhook/, 'the reconciliation cannot read the webhook secret');
  for (const binary of ['menu', 'cart', 'reservations', 'exports']) assert.deepEqual(ssm(binary), [], binary);
  assert.equal(variables('orders').BISTRO_STRIPE_KEY_PARAMETER, '/bistro/pay/stripe-key');
  assert.equal(variables('orders').BISTRO_STRIPE_WEBHOOK_SECRET_PARAMETER, undefined);
  assert.equal(variables('payments').BISTRO_STRIPE_WEBHOOK_SECRET_PARAMETER, '/bistro/pay/stripe-webhook-secret');
  assert.equal(variables('payments').BISTRO_PLATFORM_FEES, 'EUR:30+1.5%');
  assert.equal(variables('payments').BISTRO_SITE_URL, 'https://order.example.com', 'Stripe sends guests back to the site');
  assert.doesNotMatch(JSON.stringify(paying.toJSON()), /sk_(live|test)_|whsec_/, 'no key material in the template');
  const quiet = (binary: string) => Object.keys(variables(binary)).filter((name) => name.includes('STRIPE'));
  for (const binary of ['orders', 'payments']) {
    const unpaid = (api.findResources('AWS::Lambda::Function')[functionId(api, binary)] as any).Properties.Environment.Variables;
    assert.deepEqual(Object.keys(unpaid).filter((name) => name.includes('STRIPE')), [], `${binary} without payments`);
  }
  assert.deepEqual(quiet('cart'), []);
});

test('a stage\'s platform fee is checked before anything is synthesized', () => {
  const base = { region: 'eu-central-1', keepData: false, smokeRestaurant: 'smoke' };
  assert.equal(stageConfig('t', { ...base, payments: { platformFees: 'EUR:30+1.5%, JPY:50' } }).payments?.platformFees, 'EUR:30+1.5%,JPY:50');
  for (const bad of ['EUR', 'EUR:-1', 'eur:30', 'EUR:1.5', 'EUR:101%', 'EUR:30+1.555%']) {
    assert.throws(() => stageConfig('t', { ...base, payments: { platformFees: bad } }), /payments\.platformFees/, bad);
  }
  assert.throws(() => stageConfig('t', { ...base, payments: true }), /payments/);
});
