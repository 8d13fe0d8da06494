import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertEuRegion, EU_REGIONS } from '../../infra/eu-regions.ts';
import { TicketProxyStack } from '../../infra/ticket-proxy-stack.ts';
import { run } from '../support/processes.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();
let template: Template;

beforeAll(() => {
  const app = new App();
  const stack = new TicketProxyStack(app, 'TicketProxy', {
    region: 'eu-north-1',
    tenants: ['ballerup', 'egedal'],
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
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        DeletionProtectionEnabled: true,
      },
    });
  });

  it('runs the webhook function on Node.js 24, ARM64, traced, with no secret in its environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
    });
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    const variables = (fn?.Properties.Environment.Variables ?? {}) as Record<string, unknown>;
    expect(Object.keys(variables).sort()).toEqual([
      'JIRA_SECRET_ARN',
      'KEY_ID',
      'NODE_OPTIONS',
      'POWERTOOLS_SERVICE_NAME',
      'VAULT_TABLE_NAME',
      'WEBHOOK_SECRET_ARNS',
    ]);
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
    expect(groups.length).toBeGreaterThanOrEqual(2);
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
    expect(decrypts).toHaveLength(2);
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
    new TicketProxyStack(app, 'TicketProxy', { region: 'eu-central-1', tenants: ['ballerup'] });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  it('would fail synthesis on an unacknowledged finding (the check is live)', () => {
    const app = new App();
    new Secret(new Stack(app, 'Bad', { env: { region: 'eu-north-1' } }), 'Unrotated');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SMG4/);
  });

  it('refuses invalid tenant names', () => {
    expect(
      () => new TicketProxyStack(new App(), 'T', { region: 'eu-north-1', tenants: ['Ballerup Kommune'] }),
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
    expect(() => new TicketProxyStack(new App(), 'T', { region: region as string, tenants: [] })).toThrow(
      reason,
    );
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
