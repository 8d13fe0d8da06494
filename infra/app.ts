#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TicketProxyStack } from './ticket-proxy-stack.ts';

const app = new App();
// Context `region` wins over the CLI's CDK_DEFAULT_REGION (CONTRACTS.md §5).
const region = app.node.tryGetContext('region') ?? process.env.CDK_DEFAULT_REGION;
const tenants = String(app.node.tryGetContext('tenants') ?? '')
  .split(',')
  .map((t) => t.trim())
  .filter(Boolean);

new TicketProxyStack(app, 'TicketProxy', {
  region,
  tenants,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
