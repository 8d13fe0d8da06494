import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertEuRegion, EU_REGIONS } from '../../infra/eu-regions.ts';
import { TicketProxyStack } from '../../infra/ticket-proxy-stack.ts';
import { Retention } from '../../lib/retention/retention-policy.ts';
import { run } from '../support/processes.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();
let template: Template;
const retention = Retention.fromJson('{"tenants":{"egedal":{"afterCloseDays":30}}}', 'test');

beforeAll(() => {
  const app = new App();
  const stack = new TicketProxyStack(app, 'TicketProxy', {
    region: 'eu-north-1',
    tenants: ['ballerup', 'egedal'],
    retention,
  });
  template = Template.fromStack(stack);
});

type Statement = {
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, string>>;
};
const statements = (): Statement[] =>
  Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
const actionsOf = (s: Statement) => [s.Action].flat();

/** A function of the stack, found by its Powertools service name. */
function functionOf(service: string) {
  const fn = Object.values(template.findResources('AWS::Lambda::Function')).find(
    (f) => f.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === service,
  );
  if (!fn) throw new Error(`no function for ${service}`);
  return fn;
}
const variablesOf = (service: string): Record<string, unknown> =>
  functionOf(service).Properties.Environment.Variables;

/** The IAM statements of a function's role. */
function statementsOf(service: string): Statement[] {
  const role = (functionOf(service).Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

describe('TicketProxyStack', () => {
  it('has two customer-managed KMS keys with rotation, retained on deletion', () => {
    template.resourceCountIs('AWS::KMS::Key', 2);
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

  it('runs both functions on Node.js 24, ARM64, traced, with no secret in their environment', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(2);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
      });
    }
    expect(Object.keys(variablesOf('generic-webhook')).sort()).toEqual([
      'JIRA_SECRET_ARN',
      'KEY_ID',
      'NODE_OPTIONS',
      'POWERTOOLS_SERVICE_NAME',
      'RETENTION_POLICY',
      'VAULT_TABLE_NAME',
      'WEBHOOK_SECRET_ARNS',
    ]);
    expect(Object.keys(variablesOf('retention-sweep')).sort()).toEqual([
      'NODE_OPTIONS',
      'POWERTOOLS_SERVICE_NAME',
      'VAULT_TABLE_NAME',
    ]);
  });

  it('gives the webhook the retention policy from context', () => {
    expect(JSON.parse(variablesOf('generic-webhook').RETENTION_POLICY as string)).toEqual({
      default: { afterCloseDays: 90, maxAgeDays: 365 },
      tenants: { egedal: { afterCloseDays: 30 } },
    });
  });

  it('sweeps nightly on EventBridge Scheduler, retrying, with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(15 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Copenhagen',
      Target: { RetryPolicy: { MaximumRetryAttempts: 3 }, DeadLetterConfig: { Arn: Match.anyValue() } },
    });
  });

  it('denies every principal the unwrapping of value keys in the master key policy', () => {
    const keys = Object.values(template.findResources('AWS::KMS::Key'));
    const denies = keys.flatMap((k) =>
      (k.Properties.KeyPolicy.Statement as { Effect: string; Action: string; Condition?: unknown }[]).filter(
        (s) => s.Effect === 'Deny',
      ),
    );
    expect(denies).toEqual([
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:ReEncrypt*'],
        Principal: { AWS: '*' },
        Condition: { StringEquals: { 'kms:EncryptionContext:purpose': 'value-encryption' } },
      }),
    ]);
  });

  it('gives the sweep no key permission and the webhook no delete or scan', () => {
    const sweep = statementsOf('retention-sweep');
    expect(sweep.flatMap(actionsOf)).toEqual(
      expect.arrayContaining(['dynamodb:Scan', 'dynamodb:Query', 'dynamodb:DeleteItem']),
    );
    for (const s of sweep.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')))) {
      expect(s.Condition?.StringEquals?.['kms:ViaService']).toBe('dynamodb.eu-north-1.amazonaws.com');
    }
    const webhook = statementsOf('generic-webhook').flatMap(actionsOf);
    expect(webhook).not.toContain('dynamodb:DeleteItem');
    expect(webhook).not.toContain('dynamodb:Scan');
  });

  it('serves POST /webhooks/generic/{tenant} on a throttled, access-logged HTTP API', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /webhooks/generic/{tenant}',
    });
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
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

  it('generates one webhook secret per tenant and grants reading exactly those', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 3);
    const readable = statements()
      .filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))
      .flatMap((s) => [s.Resource].flat());
    expect(readable).toHaveLength(3);
    expect(readable).not.toContain('*');
  });

  it('grants no wildcard action and no wildcard resource beyond X-Ray', () => {
    for (const s of statements()) {
      for (const action of actionsOf(s)) expect(action).not.toMatch(/\*$/);
      if (s.Resource === '*') expect(actionsOf(s).every((a) => a.startsWith('xray:'))).toBe(true);
    }
  });

  it('lets the webhook unwrap token keys only: KMS Decrypt is bound to the token-derivation context', () => {
    const decrypts = statements().filter((s) => actionsOf(s).includes('kms:Decrypt'));
    expect(decrypts.length).toBeGreaterThanOrEqual(2);
    for (const s of decrypts) {
      const condition = s.Condition?.StringEquals ?? {};
      expect(
        condition['kms:EncryptionContext:purpose'] === 'token-derivation' ||
          condition['kms:ViaService'] === 'dynamodb.eu-north-1.amazonaws.com',
      ).toBe(true);
    }
  });

  it('passes cdk-nag’s AwsSolutions pack with every acknowledgement on its own resource', () => {
    const app = new App();
    new TicketProxyStack(app, 'TicketProxy', { region: 'eu-central-1', tenants: ['ballerup'], retention });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  it('would fail synthesis on an unacknowledged finding (the check is live)', () => {
    const app = new App();
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
        new TicketProxyStack(new App(), 'T', {
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
      () => new TicketProxyStack(new App(), 'T', { region: region as string, tenants: [], retention }),
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
