#!/usr/bin/env node
// `-c stage=NAME` synthesizes that stage of cdk/stages.json (and the account's deploy access);
// without it, only the deploy access.
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { bistro, stageProps } from '../lib/bistro.js';
import { CheckedSynthesizer } from '../lib/checkov.js';
import { DeployAccessStack } from '../lib/deploy-access-stack.js';
import { STAGES } from '../lib/stages.js';

// Every stack's template gets the findings of aws-cdk-lib's own handlers (checkov.ts says why).
const app = new App({ defaultStackSynthesizer: new CheckedSynthesizer() });
const lambdaDir = path.resolve(import.meta.dirname, '..', app.node.tryGetContext('lambdaDir') ?? '../target/lambda/arm64');
new DeployAccessStack(app, 'BistroDeployAccess', {
  repository: STAGES.repository,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
const stage = app.node.tryGetContext('stage');
if (stage !== undefined) {
  const config = STAGES.stages[stage];
  if (!config) throw new Error(`stage '${stage}' is not in cdk/stages.json (it has ${Object.keys(STAGES.stages).join(', ')})`);
  bistro(app, stageProps(config, lambdaDir));
}
