import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { deploymentTenants } from '../../infra/deployment-tenants.ts';
import { TicketProxyStack } from '../../infra/ticket-proxy-stack.ts';
import { Retention } from '../../lib/retention/retention-policy.ts';
import { run } from '../support/processes.ts';
import { useTempDirs } from '../support/temp-dir.ts';
import {
  actionsOf,
  CDK_JSON_CONTEXT,
  resourcesOf,
  type Statement,
  synthesize,
  TemplateQueries,
} from './template-queries.ts';

const tempDir = useTempDirs();
const REGION = 'eu-north-1';
const arn = (name: string, region = REGION) => `arn:aws:secretsmanager:${region}:123456789012:secret:${name}`;

const JSM_WEBHOOK = arn('ballerup-jsm-webhook-AbCdEf');
const JSM_TOKEN = arn('ballerup-jsm-token-Gh1jK2');
const EGEDAL_REPLIES = arn('egedal-replies-Lm3nO4');
const CONFIG = {
  ballerup: {
    servicedesk: { type: 'jsm' },
    webhookSecret: { secretArn: JSM_WEBHOOK },
    jira: { projectKey: 'BAL' },
    writeBack: {
      type: 'jsm',
      baseUrl: 'https://ballerup.atlassian.net',
      email: 'bot@example.invalid',
      apiToken: { secretArn: JSM_TOKEN },
    },
  },
  egedal: {
    writeBack: {
      type: 'signed-webhook',
      url: 'https://sd.egedal.dk/replies',
      secret: { secretArn: EGEDAL_REPLIES },
    },
  },
};

/**
 * `count` tenants on JSM, each with its own webhook secret and its own token for replies, whose
 * names (before Secrets Manager's six characters) are `nameLength` long.
 */
const manyTenants = (count: number, nameLength = 50) => {
  const name = (i: number, what: string) => `kommune-${i}/${what}`.padEnd(nameLength, '-');
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `kommune-${i}`,
      {
        servicedesk: { type: 'jsm' },
        webhookSecret: { secretArn: arn(`${name(i, 'jsm-webhook')}-AbCdEf`) },
        jira: { projectKey: 'DEV', retentionDateField: 'customfield_10050' },
        ticketUrl: `https://servicedesk.kommune-${i}.dk/tickets/{id}`,
        writeBack: {
          type: 'jsm',
          baseUrl: `https://kommune-${i}.atlassian.net`,
          email: 'ticket-proxy@example.invalid',
          apiToken: { secretArn: arn(`${name(i, 'jsm-token')}-Gh1jK2`) },
        },
      },
    ]),
  );
};

async function configFile(config: unknown): Promise<string> {
  const file = join(await tempDir(), 'tenants.json');
  await writeFile(file, typeof config === 'string' ? config : JSON.stringify(config));
  return file;
}

describe('deploymentTenants', () => {
  it('adds the file’s tenants to the list and keeps each configuration as written', async () => {
    const tenants = deploymentTenants(['ballerup', 'furesoe'], await configFile(CONFIG), REGION);
    expect(tenants.names).toEqual(['ballerup', 'furesoe', 'egedal']);
    expect(JSON.parse(tenants.configJson)).toEqual({
      ballerup: CONFIG.ballerup,
      furesoe: {},
      egedal: CONFIG.egedal,
    });
    expect(tenants.webhookSecretArns).toEqual([JSM_WEBHOOK]);
    // Ballerup's servicedesk signs with a secret of its own: none is generated for it.
    expect(tenants.generatedWebhookSecrets).toEqual(['furesoe', 'egedal']);
    expect(tenants.writeBackSecretArns).toEqual([JSM_TOKEN, EGEDAL_REPLIES]);
    // For the functions' bundles: Lambda's environment holds 4 KB in all.
    expect(tenants.files).toEqual({ 'tenants.json': tenants.configJson });
    expect(tenants.environment).toEqual({ TENANTS_CONFIG_FILE: 'tenants.json' });
  });

  it('gives every listed tenant the defaults when there is no file', () => {
    const tenants = deploymentTenants(['ballerup'], undefined, REGION);
    expect(JSON.parse(tenants.configJson)).toEqual({ ballerup: {} });
    expect(tenants.webhookSecretArns).toEqual([]);
  });

  it.each([
    [
      'a bad setting, by its path',
      { ballerup: { jira: { projectKey: 'bal' } } },
      /tenants\.json is not a valid tenant configuration: ballerup\.jira\.projectKey: must be a Jira project key such as DEV/,
    ],
    [
      'an unknown setting',
      { ballerup: { jiraa: {} } },
      /tenants\.json is not a valid tenant configuration: ballerup: .*jiraa/,
    ],
    ['a bad tenant name', { Ballerup: {} }, /tenants\.json is not a valid tenant configuration: Ballerup: /],
    ['text that is not JSON', '{"ballerup": ', /tenants\.json is not valid JSON/],
    [
      'a secret in an environment variable',
      {
        ballerup: {
          writeBack: { type: 'signed-webhook', url: 'https://sd.example/r', secret: { env: 'REPLY_SECRET' } },
        },
      },
      /tenants\.json: ballerup\.writeBack\.secret refers to the environment variable REPLY_SECRET \(\{"env": …\}\), which only the local server can read\. In AWS, store the secret in Secrets Manager/,
    ],
    [
      'a secret in another region',
      { ballerup: { webhookSecret: { secretArn: arn('x-AbCdEf', 'eu-west-1') } } },
      /tenants\.json: ballerup\.webhookSecret: the secret is in eu-west-1, but the functions read secrets from their own region, eu-north-1/,
    ],
    [
      'a partial secret ARN',
      { ballerup: { webhookSecret: { secretArn: arn('ballerup') } } },
      /tenants\.json: ballerup\.webhookSecret: use the secret's complete ARN/,
    ],
    [
      'local write-back',
      { ballerup: { writeBack: { type: 'local' } } },
      /tenants\.json: ballerup\.writeBack: type "local" keeps replies in the local server's data directory and does nothing in AWS/,
    ],
  ])('refuses %s, naming the file', async (_, config, message) => {
    const file = await configFile(config);
    expect(() => deploymentTenants([], file, REGION)).toThrow(message);
    expect(() => deploymentTenants([], file, REGION)).toThrow(file);
  });

  it('refuses a file it cannot read', () => {
    expect(() => deploymentTenants([], '/nonexistent/tenants.json', REGION)).toThrow(
      /Cannot read the tenant configuration file \/nonexistent\/tenants\.json/,
    );
  });
});

describe('a stack with a tenant configuration', () => {
  it('passes the configuration to every function that serves tenants and grants each referenced secret where it is read', async () => {
    const q = new TemplateQueries(
      synthesize({ tenants: ['furesoe'], tenantConfig: await configFile(CONFIG) }),
    );
    for (const service of ['servicedesk-webhook', 'jira-writer', 'jira-webhook', 'staff-api']) {
      expect(q.variables(service).TENANTS_CONFIG_FILE).toBe('tenants.json');
    }
    const readable = (service: string) =>
      q
        .statementsOf(service)
        .filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))
        .flatMap(resourcesOf)
        .filter((r) => typeof r === 'string');
    expect(readable('servicedesk-webhook')).toEqual([JSM_WEBHOOK]);
    expect(readable('jira-webhook')).toEqual([JSM_TOKEN, EGEDAL_REPLIES]);
    expect(readable('jira-writer')).toEqual([]);
    // Generated: furesoe's and egedal's webhook secrets, not ballerup's, and the two for Jira.
    const generated = Object.values(q.template.findResources('AWS::SecretsManager::Secret')).map(
      (s) => s.Properties.Name,
    );
    expect(generated.sort()).toEqual([
      'ticket-proxy/jira',
      'ticket-proxy/jira-webhook',
      'ticket-proxy/webhook/egedal',
      'ticket-proxy/webhook/furesoe',
    ]);
  });

  it.each([50, 200])(
    'serves ninety tenants, each with its own secrets (names of %i characters), from one stack within AWS’s limits',
    async (nameLength) => {
      const tenantConfig = await configFile(manyTenants(90, nameLength));
      const template = synthesize({ tenants: [], tenantConfig }).toJSON();
      type Resource = {
        Type: string;
        Properties: { Environment: { Variables: object }; PolicyDocument: { Statement: Statement[] } };
      };
      const resources = Object.values(template.Resources as Record<string, Resource>);
      // CloudFormation takes 500 resources; each tenant adds three staff groups (and a webhook secret
      // unless it names its own).
      expect(resources.length).toBeLessThanOrEqual(500);
      const bytes = (value: unknown) => JSON.stringify(value).length;
      for (const fn of resources.filter((r) => r.Type === 'AWS::Lambda::Function')) {
        expect(bytes(fn.Properties.Environment.Variables)).toBeLessThan(1500);
      }
      // IAM: a role's inline policies take 10,240 characters, a managed policy 6,144.
      const policies = resources.filter((r) => r.Type === 'AWS::IAM::Policy');
      const managed = resources.filter((r) => r.Type === 'AWS::IAM::ManagedPolicy');
      for (const p of policies) expect(bytes(p.Properties.PolicyDocument)).toBeLessThan(10_240);
      for (const p of managed) expect(bytes(p.Properties.PolicyDocument)).toBeLessThan(6_144);
      // Every secret the configuration names is readable where it is read, once.
      const read = [...policies, ...managed]
        .flatMap((p) => p.Properties.PolicyDocument.Statement)
        .filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))
        .flatMap(resourcesOf)
        .filter((r) => typeof r === 'string' && r.includes(':secret:kommune-'));
      expect(read).toHaveLength(180);
      expect(new Set(read).size).toBe(180);
    },
  );

  it('refuses at synthesis more tenants than a stack takes, saying how many resources they need', async () => {
    const tenantConfig = await configFile(manyTenants(130));
    expect(() => synthesize({ tenants: [], tenantConfig })).toThrow(
      /Number of resources in stack 'TicketProxy': \d+ is greater than allowed maximum of 500/,
    );
  });

  it('refuses at synthesis an environment too large for Lambda, naming the variable', () => {
    // The tenants' configuration is in the bundles; a retention context can still outgrow 4 KB.
    const tenants = Object.fromEntries(
      Array.from({ length: 120 }, (_, i) => [`kommune-${i}`, { afterCloseDays: 30, maxAgeDays: 365 }]),
    );
    const retention = Retention.fromJson(JSON.stringify({ tenants }), 'test');
    expect(() => synthesize({ retention })).toThrow(
      /The environment of functions\/servicedesk-webhook\.ts would be about \d+ bytes \(RETENTION_POLICY \d+.*\), but Lambda allows 4096 bytes/,
    );
  });

  it('passes cdk-nag with the configuration’s grants', async () => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    new TicketProxyStack(app, 'TicketProxy', {
      region: REGION,
      tenants: [],
      tenantConfig: await configFile(CONFIG),
      retention: Retention.fromJson(undefined, 'test'),
      alarmEmail: 'drift@example.dk',
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  it('fails `cdk synth` on a bad configuration with a message that names the file and the setting', async () => {
    const file = await configFile({ ballerup: { jira: { projectKey: 'bal' } } });
    const result = await run('node infra/app.ts', {
      env: {
        CDK_CONTEXT_JSON: JSON.stringify({ region: REGION, tenants: 'egedal', tenantConfig: file }),
        CDK_OUTDIR: await tempDir(),
      },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`Tenant configuration file ${file} is not a valid tenant configuration`);
    expect(result.stderr).toContain('ballerup.jira.projectKey: must be a Jira project key such as DEV');
  });
});
