import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { asNagNamesIt } from '../../infra/constructs/servicedesk-ingest.ts';
import { assertEuRegion, EU_REGIONS } from '../../infra/eu-regions.ts';
import { TicketProxyStack } from '../../infra/ticket-proxy-stack.ts';
import { CONSOLE_ASSETS } from '../../lib/console/console-site.ts';
import { Retention } from '../../lib/retention/retention-policy.ts';
import { FakeSecretsManager } from '../support/fake-secrets-manager.ts';
import { run } from '../support/processes.ts';
import { useTempDirs } from '../support/temp-dir.ts';
import {
  actionsOf,
  CDK_JSON_CONTEXT,
  logicalIdOf,
  resourcesOf,
  TemplateQueries,
} from './template-queries.ts';

const tempDir = useTempDirs();
let app: App;
let template: Template;
let q: TemplateQueries;
const retention = Retention.fromJson('{"tenants":{"egedal":{"afterCloseDays":30}}}', 'test');

// Bundles the functions, as `cdk synth` does: an entry point that does not build fails here.
beforeAll(() => {
  app = new App({ context: CDK_JSON_CONTEXT });
  const stack = new TicketProxyStack(app, 'TicketProxy', {
    region: 'eu-north-1',
    tenants: ['ballerup', 'egedal'],
    retention,
  });
  template = Template.fromStack(stack);
  q = new TemplateQueries(template);
});

const statements = () => q.statements();
/** Where synthesis staged a function's bundle: `asset.<hash>`, the hash its code's S3 key names. */
const bundleOf = (service: string) => {
  const key = q.function(service).Properties.Code.S3Key as string;
  return join(app.outdir, `asset.${key.replace(/\.zip$/, '')}`);
};
const variablesOf = (service: string) => q.variables(service);
type Answer = { statusCode: number; headers: Record<string, string>; body: string };
/**
 * Each event's answer from a function's bundle, its handler called in turn in a Node.js process of
 * its own with `env` added (the bundle as Lambda would run it, in place).
 */
async function invokeBundle(service: string, events: object[], env: Record<string, string | undefined>) {
  const script = [
    `const { handler } = await import(${JSON.stringify(join(bundleOf(service), 'index.mjs'))});`,
    'const answers = [];',
    `for (const event of ${JSON.stringify(events)}) answers.push(await handler(event, {}));`,
    'console.log(JSON.stringify(answers));',
  ].join('\n');
  const result = await run('node --input-type=module', { input: script, env });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as Answer[];
}
const statementsOf = (service: string) => q.statementsOf(service);

describe('TicketProxyStack', () => {
  it('has seven customer-managed KMS keys with rotation, retained on deletion', () => {
    // Master key, vault table, audit table, access table, sync queue, alarm topic, log groups: no two share a key.
    template.resourceCountIs('AWS::KMS::Key', 7);
    template.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    expect(
      Object.values(template.findResources('AWS::KMS::Key')).every((k) => k.DeletionPolicy === 'Retain'),
    ).toBe(true);
    template.allResourcesProperties('AWS::KMS::Key', { MultiRegion: Match.absent() });
  });

  it('keeps the vault in one regional table: KMS-encrypted, recoverable, TTL on, retained', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        DeletionProtectionEnabled: true,
      },
    });
  });

  it('runs every function on Node.js 24, ARM64, traced, with no secret in its environment', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(6);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
      });
    }
    expect(Object.keys(variablesOf('servicedesk-webhook')).sort()).toEqual([
      'KEY_ID',
      'NODE_OPTIONS',
      'POWERTOOLS_SERVICE_NAME',
      'QUEUE_URL',
      'RETENTION_POLICY',
      'TENANTS_CONFIG_FILE',
      'VAULT_TABLE_NAME',
      'WEBHOOK_SECRET_PREFIX',
    ]);
    expect(Object.keys(variablesOf('jira-writer')).sort()).toEqual([
      'JIRA_SECRET_ARN',
      'KEY_ID',
      'NODE_OPTIONS',
      'POWERTOOLS_SERVICE_NAME',
      'TENANTS_CONFIG_FILE',
      'VAULT_TABLE_NAME',
    ]);
    expect(Object.keys(variablesOf('jira-webhook')).sort()).toEqual([
      'AUDIT_RETENTION_DAYS',
      'AUDIT_TABLE_NAME',
      'JIRA_SECRET_ARN',
      'JIRA_WEBHOOK_SECRET_ARN',
      'KEY_ID',
      'NODE_OPTIONS',
      'POWERTOOLS_SERVICE_NAME',
      'TENANTS_CONFIG_FILE',
      'VAULT_TABLE_NAME',
    ]);
    expect(Object.keys(variablesOf('retention-sweep')).sort()).toEqual([
      'AUDIT_RETENTION_DAYS',
      'AUDIT_TABLE_NAME',
      'NODE_OPTIONS',
      'POWERTOOLS_SERVICE_NAME',
      'VAULT_TABLE_NAME',
    ]);
    expect(Object.keys(variablesOf('staff-api')).sort()).toEqual([
      'ACCESS_POLICY',
      'ACCESS_TABLE_NAME',
      'AUDIT_RETENTION_DAYS',
      'AUDIT_TABLE_NAME',
      'CONSOLE_CONFIG',
      'KEY_ID',
      'NODE_OPTIONS',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_SERVICE_NAME',
      'TENANTS_CONFIG_FILE',
      'VAULT_TABLE_NAME',
    ]);
  });

  it('bundles the console’s files next to the staff function’s code, where the console site reads them', () => {
    const bundle = bundleOf('staff-api');
    expect(readdirSync(bundle)).toContain('index.mjs');
    expect(readdirSync(join(bundle, 'assets')).sort()).toEqual(readdirSync(CONSOLE_ASSETS).sort());
    expect(readdirSync(join(bundle, 'assets'))).toContain('index.html');
    // The functions serving tenants hold their configuration too; the sweep its code only.
    for (const service of ['servicedesk-webhook', 'jira-writer', 'jira-webhook']) {
      expect(readdirSync(bundleOf(service)).sort()).toEqual(['index.mjs', 'index.mjs.map', 'tenants.json']);
    }
    expect(readdirSync(bundleOf('retention-sweep')).sort()).toEqual(['index.mjs', 'index.mjs.map']);
  });

  it('serves the tenants named in the webhook function’s bundle, and no other', async () => {
    const bundle = bundleOf('servicedesk-webhook');
    const request = (tenant: string) => ({
      version: '2.0',
      routeKey: 'POST /webhooks/{servicedesk}/{tenant}',
      rawPath: `/webhooks/generic/${tenant}`,
      headers: { 'content-type': 'application/json' },
      pathParameters: { servicedesk: 'generic', tenant },
      body: '{}',
      isBase64Encoded: false,
    });
    const { TENANTS_CONFIG_FILE, WEBHOOK_SECRET_PREFIX } = variablesOf('servicedesk-webhook') as Record<
      string,
      string
    >;
    const secrets = new FakeSecretsManager();
    await secrets.start();
    try {
      secrets.secrets.set(`${WEBHOOK_SECRET_PREFIX}egedal`, 's'.repeat(48));
      const answers = await invokeBundle('servicedesk-webhook', [request('egedal'), request('gladsaxe')], {
        LAMBDA_TASK_ROOT: bundle,
        TENANTS_CONFIG_FILE,
        WEBHOOK_SECRET_PREFIX,
        VAULT_TABLE_NAME: 'ticket-proxy-vault',
        KEY_ID: 'key',
        AWS_REGION: 'eu-north-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      });
      // Unsigned: a tenant the bundle names is refused once its secret is read by name (503 if it
      // could not be), another as unknown.
      expect(answers.map((a) => a.statusCode)).toEqual([401, 404]);
    } finally {
      await secrets.stop();
    }
  });

  it('serves the console’s page and configuration from the staff function’s bundle', async () => {
    const login = 'https://ticket-proxy-111122223333.auth.eu-north-1.amazoncognito.com';
    const config = {
      mode: 'aws',
      authorizeUrl: `${login}/oauth2/authorize`,
      tokenUrl: `${login}/oauth2/token`,
      logoutUrl: `${login}/logout`,
      clientId: 'console-client',
      scope: 'openid email profile',
    };
    const request = (routeKey: string, path: string) => ({
      version: '2.0',
      routeKey,
      rawPath: path,
      rawQueryString: '',
      headers: {},
      requestContext: { http: { method: 'GET', path }, routeKey },
      isBase64Encoded: false,
    });
    const [page, served] = (await invokeBundle(
      'staff-api',
      [request('GET /console', '/console'), request('GET /console/{proxy+}', '/console/config.json')],
      { CONSOLE_CONFIG: JSON.stringify(config), AWS_REGION: 'eu-north-1' },
    )) as [Answer, Answer];
    expect(page).toMatchObject({ statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8' } });
    expect(page.body).toMatch(/^<!doctype html>/i);
    expect(served.statusCode).toBe(200);
    expect(JSON.parse(served.body)).toEqual(config);
  });

  it('gives the webhook the retention policy from context and every tenant its default configuration', () => {
    expect(JSON.parse(variablesOf('servicedesk-webhook').RETENTION_POLICY as string)).toEqual({
      default: { afterCloseDays: 90, maxAgeDays: 365 },
      tenants: { egedal: { afterCloseDays: 30 } },
    });
    // In each bundle, as Lambda's environment holds 4 KB in all.
    for (const service of ['servicedesk-webhook', 'jira-writer', 'jira-webhook', 'staff-api']) {
      const file = variablesOf(service).TENANTS_CONFIG_FILE as string;
      expect(file).toBe('tenants.json');
      expect(JSON.parse(readFileSync(join(bundleOf(service), file), 'utf8'))).toEqual({
        ballerup: {},
        egedal: {},
      });
    }
  });

  it('sweeps nightly on EventBridge Scheduler, retrying, with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(15 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Copenhagen',
      Target: { RetryPolicy: { MaximumRetryAttempts: 3 }, DeadLetterConfig: { Arn: Match.anyValue() } },
    });
  });

  it('denies every principal but the Jira webhook and the staff API the unwrapping of value keys, and everyone re-encrypting them', () => {
    const denies = Object.values(template.findResources('AWS::KMS::Key')).flatMap((k) =>
      (k.Properties.KeyPolicy.Statement as { Effect: string }[]).filter((s) => s.Effect === 'Deny'),
    );
    const valueContext = { 'kms:EncryptionContext:purpose': 'value-encryption' };
    expect(denies).toEqual([
      expect.objectContaining({
        Action: 'kms:Decrypt',
        Principal: { AWS: '*' },
        Condition: {
          StringEquals: valueContext,
          ArnNotEquals: {
            'aws:PrincipalArn': [
              { 'Fn::GetAtt': [q.roleId('jira-webhook'), 'Arn'] },
              { 'Fn::GetAtt': [q.roleId('staff-api'), 'Arn'] },
            ],
          },
        },
      }),
      expect.objectContaining({
        Action: 'kms:ReEncrypt*',
        Principal: { AWS: '*' },
        Condition: { StringEquals: valueContext },
      }),
    ]);
  });

  it('gives the sweep no key permission and the webhooks no delete or scan', () => {
    const sweep = statementsOf('retention-sweep');
    expect(sweep.flatMap(actionsOf)).toEqual(
      expect.arrayContaining(['dynamodb:Scan', 'dynamodb:Query', 'dynamodb:DeleteItem']),
    );
    for (const s of sweep.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')))) {
      expect(s.Condition?.StringEquals?.['kms:ViaService']).toBe('dynamodb.eu-north-1.amazonaws.com');
    }
    for (const service of ['servicedesk-webhook', 'jira-writer', 'jira-webhook']) {
      const actions = statementsOf(service).flatMap(actionsOf);
      expect(actions).not.toContain('dynamodb:DeleteItem');
      expect(actions).not.toContain('dynamodb:Scan');
    }
  });

  it('serves both webhook routes on one throttled, access-logged HTTP API', () => {
    const webhookApi = q.idOf('AWS::ApiGatewayV2::Api', 'IngestApi');
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).filter(
      (r) => r.Properties.ApiId.Ref === webhookApi,
    );
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual([
      'POST /webhooks/jira',
      'POST /webhooks/{servicedesk}/{tenant}',
    ]);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: webhookApi },
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue() },
    });
  });

  it('sets a retention on every log group', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThanOrEqual(3);
    for (const group of groups) expect(group.Properties.RetentionInDays).toBe(180);
  });

  it('generates one webhook secret per tenant and a Jira webhook secret, each readable only where needed', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 4);
    const idsNamed = (name: string) =>
      Object.entries(template.findResources('AWS::SecretsManager::Secret'))
        .filter(([, s]) => s.Properties.Name === name)
        .map(([id]) => id);
    const secretsReadBy = (service: string) =>
      statementsOf(service)
        .filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))
        .flatMap(resourcesOf)
        .map(logicalIdOf)
        .sort();
    const [jira] = idsNamed('ticket-proxy/jira');
    const [jiraWebhook] = idsNamed('ticket-proxy/jira-webhook');
    // The tenants' secrets by their names, and no other secret of the stack's by that pattern.
    const readByWebhook = statementsOf('servicedesk-webhook')
      .filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))
      .flatMap(resourcesOf);
    expect(readByWebhook.map(asNagNamesIt)).toEqual([
      'arn:aws:secretsmanager:eu-north-1:<AWS::AccountId>:secret:ticket-proxy/webhook/*',
    ]);
    const names = Object.values(template.findResources('AWS::SecretsManager::Secret')).map(
      (s) => s.Properties.Name as string,
    );
    expect(names.filter((name) => name.startsWith('ticket-proxy/webhook/')).sort()).toEqual([
      'ticket-proxy/webhook/ballerup',
      'ticket-proxy/webhook/egedal',
    ]);
    expect(secretsReadBy('jira-writer')).toEqual([jira]);
    expect(secretsReadBy('jira-webhook')).toEqual([jira, jiraWebhook].sort());
    expect(secretsReadBy('retention-sweep')).toEqual([]);
  });

  it('keeps the Jira secret under the logical id it was deployed with', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: { Name: 'ticket-proxy/jira' },
      DeletionPolicy: 'Retain',
    });
    expect(Object.keys(template.findResources('AWS::SecretsManager::Secret'))).toContain(
      'IngestJiraSecret530BAC1C',
    );
  });

  it('grants no wildcard action and no wildcard resource beyond X-Ray and listing streams', () => {
    for (const s of statements()) {
      for (const action of actionsOf(s)) expect(action).not.toMatch(/\*$/);
      // Neither supports resource-level permissions.
      if (s.Resource === '*') {
        expect(actionsOf(s).every((a) => a.startsWith('xray:') || a === 'dynamodb:ListStreams')).toBe(true);
      }
    }
  });

  it('binds every use of the master key to a purpose: value keys only for the Jira webhook and the staff API', () => {
    const masterKey = q.idOf('AWS::KMS::Key', 'VaultMasterKey');
    const onMasterKey = statements().filter((s) => resourcesOf(s).some((r) => logicalIdOf(r) === masterKey));
    expect(onMasterKey.length).toBeGreaterThanOrEqual(3);
    for (const s of onMasterKey.filter((s) => actionsOf(s).includes('kms:Decrypt'))) {
      expect(s.Condition?.StringEquals?.['kms:EncryptionContext:purpose']).toMatch(
        /^(token-derivation|value-encryption)$/,
      );
    }
    const unwrapsValues = (service: string) =>
      statementsOf(service).some(
        (s) =>
          actionsOf(s).includes('kms:Decrypt') &&
          s.Condition?.StringEquals?.['kms:EncryptionContext:purpose'] === 'value-encryption',
      );
    expect(unwrapsValues('jira-webhook')).toBe(true);
    expect(unwrapsValues('staff-api')).toBe(true);
    for (const service of ['servicedesk-webhook', 'jira-writer', 'retention-sweep']) {
      expect(unwrapsValues(service)).toBe(false);
    }
    for (const service of ['jira-writer', 'retention-sweep']) {
      expect(
        statementsOf(service).some((s) => resourcesOf(s).some((r) => logicalIdOf(r) === masterKey)),
      ).toBe(false);
    }
  });

  it('passes cdk-nag’s AwsSolutions and Serverless packs with every acknowledgement on its own resource', () => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    new TicketProxyStack(app, 'TicketProxy', { region: 'eu-central-1', tenants: ['ballerup'], retention });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  it('would fail the Serverless pack without the acknowledgements (the check is live)', () => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Bad', { env: { region: 'eu-north-1' } });
    new Queue(stack, 'NoRedrive', { enforceSSL: true });
    Validations.of(app).addPlugins(new ServerlessChecks(app));
    expect(() => app.synth()).toThrow(/Serverless-SQSRedrivePolicy/);
  });

  it('would fail synthesis on an unacknowledged finding (the check is live)', () => {
    const app = new App({ context: CDK_JSON_CONTEXT });
    new Secret(new Stack(app, 'Bad', { env: { region: 'eu-north-1' } }), 'Unrotated');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SMG4/);
  });

  it('refuses an invalid retention context with a clear error', async () => {
    const result = await run('node infra/app.ts', {
      env: {
        CDK_CONTEXT_JSON: JSON.stringify({
          region: 'eu-north-1',
          retention: '{"default":{"afterCloseDays":-1,"maxAgeDays":1}}',
        }),
        CDK_OUTDIR: await tempDir(),
      },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /the retention context value is not a valid retention policy: default\.afterCloseDays/,
    );
  });

  it('refuses invalid tenant names', () => {
    expect(
      () =>
        new TicketProxyStack(new App({ context: CDK_JSON_CONTEXT }), 'T', {
          region: 'eu-north-1',
          tenants: ['Ballerup Kommune'],
          retention,
        }),
    ).toThrow(/Invalid tenant name/);
  });
});

describe('EU residency', () => {
  it.each(Object.keys(EU_REGIONS))('accepts %s', (region) => {
    expect(assertEuRegion(region)).toBe(region);
  });

  it.each([
    ['us-east-1', /us-east-1: it is outside the European Union/],
    ['eu-west-2', /London is in the United Kingdom/],
    ['eu-central-2', /Zurich is in Switzerland/],
    [undefined, /No AWS region given/],
  ])('refuses %s with a reason', (region, reason) => {
    expect(
      () =>
        new TicketProxyStack(new App({ context: CDK_JSON_CONTEXT }), 'T', {
          region: region as string,
          tenants: [],
          retention,
        }),
    ).toThrow(reason);
  });

  it('refuses at `cdk synth` time, with the context region winning over CDK_DEFAULT_REGION', async () => {
    const result = await run(`node infra/app.ts`, {
      env: {
        CDK_DEFAULT_REGION: 'eu-north-1',
        CDK_CONTEXT_JSON: JSON.stringify({ region: 'us-west-2' }),
        CDK_OUTDIR: await tempDir(),
      },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Refusing to synthesize ticket-proxy for region us-west-2/);
  });
});
