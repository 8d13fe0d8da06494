#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Retention } from '../lib/retention/retention-policy.ts';
import { TicketProxyStack } from './ticket-proxy-stack.ts';

const app = new App();
// Context `region` wins over the CLI's CDK_DEFAULT_REGION (CONTRACTS.md §5).
const region = app.node.tryGetContext('region') ?? process.env.CDK_DEFAULT_REGION;
const tenants = String(app.node.tryGetContext('tenants') ?? '')
  .split(',')
  .map((t) => t.trim())
  .filter(Boolean);

// `-c retention='{"default":{"afterCloseDays":90,"maxAgeDays":365},"tenants":{…}}'`, or an object in cdk.json.
const retentionContext = app.node.tryGetContext('retention');
const retention = Retention.fromJson(
  typeof retentionContext === 'string' || retentionContext === undefined
    ? retentionContext
    : JSON.stringify(retentionContext),
  'the retention context value',
);

// `-c tenantConfig=path/to/tenants.json`: per-tenant servicedesk, Jira project and write-back.
const tenantConfig = app.node.tryGetContext('tenantConfig');
// `-c alarmEmail=ops@example.dk`: subscribes the address to the alarms.
const alarmEmail = app.node.tryGetContext('alarmEmail');

new TicketProxyStack(app, 'TicketProxy', {
  region,
  tenants,
  tenantConfig: tenantConfig === undefined ? undefined : String(tenantConfig),
  retention,
  alarmEmail: alarmEmail === undefined ? undefined : String(alarmEmail),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
