#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { parseAccessPolicy } from '../lib/access/access-policy.ts';
import { Retention } from '../lib/retention/retention-policy.ts';
import { parseStaffLogin } from './constructs/staff-identity.ts';
import { TicketProxyStack } from './ticket-proxy-stack.ts';

const app = new App();
// Context `region` wins over the CLI's CDK_DEFAULT_REGION (CONTRACTS.md §5).
const region = app.node.tryGetContext('region') ?? process.env.CDK_DEFAULT_REGION;
const tenants = String(app.node.tryGetContext('tenants') ?? '')
  .split(',')
  .map((t) => t.trim())
  .filter(Boolean);

/** A JSON context value as text: given on the command line as a string, or in cdk.json as an object. */
const jsonContext = (name: string): string | undefined => {
  const value = app.node.tryGetContext(name);
  return typeof value === 'string' || value === undefined ? value : JSON.stringify(value);
};

// `-c retention='{"default":{"afterCloseDays":90,"maxAgeDays":365},"tenants":{…}}'`.
const retention = Retention.fromJson(jsonContext('retention'), 'the retention context value');
// `-c accessPolicy='{"maxDenials":5,"denialWindowMinutes":15,"maxTokensPerHour":50,"workingHours":{…}}'`.
const accessPolicy = parseAccessPolicy(jsonContext('accessPolicy'), 'context accessPolicy');
// `-c staffLogin='{"callbackUrls":["https://staff.example.dk/console"],"acrValues":"…","domainPrefix":"…","oidcProvider":{…}}'`:
// console URLs besides the staff API's own `/console/`, which is always allowed.
const staffLogin = parseStaffLogin(jsonContext('staffLogin'), 'context staffLogin');

// `-c auditRetentionDays=365`: how long audit records are kept (184 to 1827 days).
const auditRetentionDays = app.node.tryGetContext('auditRetentionDays');

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
  accessPolicy,
  staffLogin,
  auditRetentionDays: auditRetentionDays === undefined ? undefined : Number(auditRetentionDays),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
