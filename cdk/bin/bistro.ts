#!/usr/bin/env node
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { bistro, tableFromContext } from '../lib/bistro.js';

const app = new App();
const lambdaDir = path.resolve(import.meta.dirname, '..', app.node.tryGetContext('lambdaDir') ?? '../target/lambda/arm64');
bistro(app, {
  lambdaDir,
  alarmEmail: app.node.tryGetContext('alarmEmail'),
  heldFeatures: String(app.node.tryGetContext('heldFeatures') ?? '').split(',').map((f) => f.trim()).filter(Boolean),
  edgeLimits: app.node.tryGetContext('edgeLimits') === 'off' ? false : undefined,
  table: tableFromContext(app.node.tryGetContext('table'), app.node.tryGetContext('tableStream')),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
