import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AccessStore } from '../../infra/constructs/access-store.ts';
import { StaffIdentity } from '../../infra/constructs/staff-identity.ts';
import { TicketProxyStack } from '../../infra/ticket-proxy-stack.ts';
import { AccessMetric } from '../../lib/access/access-metrics.ts';
import { defaultAccessPolicy, parseAccessPolicy } from '../../lib/access/access-policy.ts';
import { groupFor, ROLES } from '../../lib/access/grant.ts';
import { consoleConfigSchema } from '../../lib/console/console-site.ts';
import { Retention } from '../../lib/retention/retention-policy.ts';
import { STAFF_ROUTES } from '../../lib/staff/staff-routes.ts';
import { run } from '../support/processes.ts';
import { useTempDirs } from '../support/temp-dir.ts';
import {
  actionsOf,
  CDK_JSON_CONTEXT,
  logicalIdOf,
  resourcesOf,
  type Statement,
  synthesize,
  TemplateQueries,
} from './template-queries.ts';

const tempDir = useTempDirs();
let template: Template;
let q: TemplateQueries;

beforeAll(() => {
  template = synthesize({ tenants: ['ballerup', 'egedal'] });
  q = new TemplateQueries(template);
});

const staffApiId = () => q.idOf('AWS::ApiGatewayV2::Api', 'StaffApi');
const routesOf = (apiId: string) =>
  Object.values(template.findResources('AWS::ApiGatewayV2::Route')).filter(
    (r) => r.Properties.ApiId.Ref === apiId,
  );
/** The staff function's statements on the one resource of a type whose logical id starts with `prefix`. */
const staffStatementsOn = (type: string, prefix: string) => {
  const id = q.idOf(type, prefix);
  return q.statementsOf('staff-api').filter((s) => resourcesOf(s).some((r) => logicalIdOf(r) === id));
};
const onTable = (prefix: string) => staffStatementsOn('AWS::DynamoDB::Table', prefix);
const onKey = (prefix: string) => staffStatementsOn('AWS::KMS::Key', prefix);
const dynamoActions = (statements: Statement[]) =>
  [...new Set(statements.flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:')))].sort();
/** `<staff API endpoint>/console`, as the template says it. */
const apiConsoleUrl = (queries: TemplateQueries = q) => ({
  'Fn::Join': [
    '',
    [{ 'Fn::GetAtt': [queries.idOf('AWS::ApiGatewayV2::Api', 'StaffApi'), 'ApiEndpoint'] }, '/console'],
  ],
});

/** A template value as deployment would make it, with `Ref`s replaced by the values given. */
function deployed(value: unknown, refs: Record<string, string>): string {
  if (typeof value === 'string') return value;
  const v = value as { 'Fn::Join'?: [string, unknown[]]; Ref?: string };
  if (v['Fn::Join']) {
    const [separator, parts] = v['Fn::Join'];
    return parts.map((part) => deployed(part, refs)).join(separator);
  }
  const resolved = v.Ref && refs[v.Ref];
  if (resolved === undefined) throw new Error(`no value for ${JSON.stringify(value)}`);
  return resolved;
}
/** The console configuration the staff function gets, deployed with this domain and client. */
const deployedConsoleConfig = (queries: TemplateQueries) =>
  JSON.parse(
    deployed(queries.variables('staff-api').CONSOLE_CONFIG, {
      [queries.idOf('AWS::Cognito::UserPoolDomain', 'StaffIdentity')]: 'ticket-proxy-111122223333',
      [queries.idOf('AWS::Cognito::UserPoolClient', 'StaffIdentity')]: 'console-client-id',
    }),
  );

describe('the staff user pool', () => {
  it('requires a TOTP second factor of everyone, and nothing else as second factor', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    });
  });

  it('lets only administrators create users, who sign in with their e-mail address and a strong password', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UsernameAttributes: ['email'],
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
      Policies: {
        PasswordPolicy: {
          MinimumLength: 14,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
    });
  });

  it('is on the Plus plan with threat protection enforced, protected from deletion and retained', () => {
    template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        DeletionProtection: 'ACTIVE',
        UserPoolTier: 'PLUS',
        UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      },
    });
  });

  it('has one group per tenant and role, named as the access guard expects', () => {
    const names = Object.values(template.findResources('AWS::Cognito::UserPoolGroup')).map(
      (g) => g.Properties.GroupName as string,
    );
    const expected = ['ballerup', 'egedal'].flatMap((tenant) => ROLES.map((role) => groupFor(tenant, role)));
    expect(names.sort()).toEqual(expected.sort());
    expect(names).toContain('ticket-proxy:ballerup:reidentifier');
    // Cognito's GroupName: 1-128 letters, marks, symbols, numbers and punctuation (`:` is punctuation).
    for (const name of names) expect(name).toMatch(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u);
  });

  it('has a public console client: authorization code only, no secret, OpenID scopes, no custom challenges', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
    });
  });

  it('serves managed login on a Cognito domain of the account', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: { 'Fn::Join': ['', ['ticket-proxy-', { Ref: 'AWS::AccountId' }]] },
      ManagedLoginVersion: 2,
    });
    template.resourceCountIs('AWS::Cognito::ManagedLoginBranding', 1);
  });

  it('sends people back to the console on the staff API, after login and after logout, and nowhere else', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: [apiConsoleUrl()],
      LogoutURLs: [apiConsoleUrl()],
    });
  });

  it('adds the console URLs of the staffLogin setting, and takes the domain prefix from it', () => {
    const custom = synthesize({
      staffLogin: {
        callbackUrls: ['https://staff.example.dk/console', 'https://other.example.dk/console'],
        logoutUrls: ['https://staff.example.dk/console'],
        domainPrefix: 'ballerup-staff',
      },
    });
    const queries = new TemplateQueries(custom);
    custom.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: [
        'https://staff.example.dk/console',
        'https://other.example.dk/console',
        apiConsoleUrl(queries),
      ],
      LogoutURLs: ['https://staff.example.dk/console', apiConsoleUrl(queries)],
    });
    custom.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'ballerup-staff' });
    // A console under another name is the API behind a custom domain: still no cross-origin calls.
    custom.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      Name: 'ticket-proxy-staff',
      CorsConfiguration: Match.absent(),
    });
  });

  it("allows no cross-origin calls: the console is on the API's own origin", () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      Name: 'ticket-proxy-staff',
      CorsConfiguration: Match.absent(),
    });
  });

  it('refuses a client without a console to return to (StaffIdentity without the staff API)', () => {
    const app = new App({ context: CDK_JSON_CONTEXT });
    new StaffIdentity(new Stack(app, 'Identity', { env: { region: 'eu-north-1' } }), 'Staff', {
      tenants: ['ballerup'],
    });
    expect(() => app.synth()).toThrow(/no callback or logout URL/);
  });

  it('refuses console URLs Cognito would refuse, and reserved words in the domain prefix', () => {
    expect(() => synthesize({ staffLogin: { callbackUrls: ['http://console.example.dk/cb'] } })).toThrow(
      /callbackUrls\.0: must be an https:\/\/ URL/,
    );
    expect(() => synthesize({ staffLogin: { domainPrefix: 'my-cognito' } })).toThrow(
      /domainPrefix: must not contain aws, amazon or cognito/,
    );
  });

  it('federates an OpenID Connect provider when one is given, its secret resolved only at deployment', () => {
    const secretArn = 'arn:aws:secretsmanager:eu-north-1:111122223333:secret:entra-AbCdEf';
    const federated = synthesize({
      staffLogin: {
        oidcProvider: {
          name: 'EntraID',
          issuerUrl: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
          clientId: 'console-client',
          clientSecretArn: secretArn,
        },
      },
    });
    federated.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'EntraID',
      ProviderType: 'OIDC',
      ProviderDetails: Match.objectLike({
        client_id: 'console-client',
        client_secret: `{{resolve:secretsmanager:${secretArn}:SecretString:::}}`,
        oidc_issuer: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
      }),
    });
    const [provider] = Object.keys(federated.findResources('AWS::Cognito::UserPoolIdentityProvider'));
    federated.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      SupportedIdentityProviders: ['COGNITO', { Ref: provider }],
    });
  });
});

describe('the staff API', () => {
  it('is an HTTP API of its own, apart from the webhooks', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 2);
    expect(staffApiId()).not.toBe(q.idOf('AWS::ApiGatewayV2::Api', 'IngestApi'));
  });

  it('serves every staff route, each behind the JWT authorizer, and the console', () => {
    const routes = routesOf(staffApiId());
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(
      [...STAFF_ROUTES, 'GET /console', 'GET /console/{proxy+}'].sort(),
    );
    const authorizer = q.idOf('AWS::ApiGatewayV2::Authorizer', 'StaffApi');
    for (const route of routes.filter((r) =>
      (STAFF_ROUTES as readonly string[]).includes(r.Properties.RouteKey),
    )) {
      expect(route.Properties).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizer } });
    }
  });

  it('leaves only the console’s page and files without the authorizer, on the same function', () => {
    const routes = routesOf(staffApiId());
    const open = routes.filter((r) => r.Properties.AuthorizationType !== 'JWT');
    expect(open.map((r) => r.Properties.RouteKey).sort()).toEqual(['GET /console', 'GET /console/{proxy+}']);
    for (const route of open) {
      expect(route.Properties.AuthorizationType).toBe('NONE');
      expect(route.Properties.AuthorizerId).toBeUndefined();
    }
    expect(new Set(routes.map((r) => JSON.stringify(r.Properties.Target))).size).toBe(1);
  });

  it('acknowledges cdk-nag’s missing-authorization finding on the console routes only', () => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const stack = new TicketProxyStack(app, 'TicketProxy', {
      region: 'eu-north-1',
      tenants: ['ballerup'],
      retention: Retention.fromJson(undefined, 'test'),
    });
    const acknowledges = (c: IConstruct) =>
      c.node.metadata.some(
        (m) => m.type === 'aws:cdk:acknowledged-rules' && 'Annotation::AwsSolutions-APIG4' in m.data,
      );
    const acknowledged = stack.staffApi.node.findAll().filter(acknowledges);
    expect(acknowledged.map((c) => c.node.id).sort()).toEqual(['GET--console', 'GET--console--{proxy+}']);
  });

  it('gives the console its login settings: Cognito’s managed login, the console client, no acr_values', () => {
    expect(consoleConfigSchema.parse(deployedConsoleConfig(q))).toEqual({
      mode: 'aws',
      authorizeUrl: 'https://ticket-proxy-111122223333.auth.eu-north-1.amazoncognito.com/oauth2/authorize',
      tokenUrl: 'https://ticket-proxy-111122223333.auth.eu-north-1.amazoncognito.com/oauth2/token',
      logoutUrl: 'https://ticket-proxy-111122223333.auth.eu-north-1.amazoncognito.com/logout',
      clientId: 'console-client-id',
      scope: 'openid email profile',
    });
  });

  it('passes acrValues of the staffLogin setting on to the console', () => {
    const queries = new TemplateQueries(synthesize({ staffLogin: { acrValues: 'mfa' } }));
    expect(consoleConfigSchema.parse(deployedConsoleConfig(queries))).toMatchObject({ acrValues: 'mfa' });
    expect(() => synthesize({ staffLogin: { acrValues: '' } })).toThrow(/acrValues: /);
  });

  it('trusts tokens of the staff user pool issued to the console client only', () => {
    const pool = q.idOf('AWS::Cognito::UserPool', 'StaffIdentity');
    const client = q.idOf('AWS::Cognito::UserPoolClient', 'StaffIdentity');
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      ApiId: { Ref: staffApiId() },
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: { 'Fn::Join': ['', ['https://cognito-idp.eu-north-1.amazonaws.com/', { Ref: pool }]] },
        Audience: [{ Ref: client }],
      },
    });
  });

  it('leaves the staff routes off the webhook API', () => {
    const webhookRoutes = routesOf(q.idOf('AWS::ApiGatewayV2::Api', 'IngestApi')).map(
      (r) => r.Properties.RouteKey as string,
    );
    expect(webhookRoutes.length).toBeGreaterThan(0);
    for (const route of STAFF_ROUTES) expect(webhookRoutes).not.toContain(route);
  });

  it('is throttled and access-logged', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: staffApiId() },
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      AccessLogSettings: { DestinationArn: Match.anyValue() },
    });
  });

  it('runs functions/staff-api.ts with the access policy, named by its service for the alarms', () => {
    const variables = q.variables('staff-api');
    expect(variables).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'staff-api',
      POWERTOOLS_METRICS_NAMESPACE: 'TicketProxy',
      ACCESS_TABLE_NAME: { Ref: q.idOf('AWS::DynamoDB::Table', 'AccessTable') },
      AUDIT_TABLE_NAME: { Ref: q.idOf('AWS::DynamoDB::Table', 'AuditTable') },
      VAULT_TABLE_NAME: { Ref: q.idOf('AWS::DynamoDB::Table', 'VaultTable') },
      KEY_ID: { 'Fn::GetAtt': [q.idOf('AWS::KMS::Key', 'VaultMasterKey'), 'Arn'] },
    });
    expect(JSON.parse(variables.ACCESS_POLICY as string)).toEqual(defaultAccessPolicy());
    const strict = parseAccessPolicy('{"maxDenials":3,"maxTokensPerHour":20}', 'test');
    const withPolicy = new TemplateQueries(synthesize({ accessPolicy: strict }));
    expect(JSON.parse(withPolicy.variables('staff-api').ACCESS_POLICY as string)).toMatchObject({
      maxDenials: 3,
      maxTokensPerHour: 20,
    });
  });
});

describe('the staff function’s permissions', () => {
  it('has no wildcard action', () => {
    for (const s of q.statementsOf('staff-api')) {
      for (const action of actionsOf(s)) expect(action).not.toContain('*');
    }
  });

  it('has exactly the access-control actions on the access table, item actions only in users’ partitions', () => {
    const onAccess = onTable('AccessTable');
    expect(dynamoActions(onAccess)).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
    ]);
    for (const s of onAccess.filter((s) => !actionsOf(s).includes('dynamodb:Scan'))) {
      expect(s.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['USER#*'] } });
    }
  });

  it('appends to and reads the audit log, and cannot change or delete a record', () => {
    expect(dynamoActions(onTable('AuditTable'))).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
  });

  it('reads tokens and tenant token keys in the vault, and writes nothing there', () => {
    const onVault = onTable('VaultTable');
    expect(onVault.map((s) => [actionsOf(s), s.Condition])).toEqual(
      expect.arrayContaining([
        [['dynamodb:Query'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TOKEN#*'] } }],
        [['dynamodb:GetItem'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TENANT#*'] } }],
      ]),
    );
    expect(dynamoActions(onVault)).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
  });

  it('unwraps value and token keys with the master key, and neither generates nor re-encrypts keys', () => {
    const onMasterKey = onKey('VaultMasterKey');
    expect(onMasterKey.flatMap(actionsOf)).toEqual(['kms:Decrypt', 'kms:Decrypt']);
    expect(
      onMasterKey.map((s) => s.Condition?.StringEquals?.['kms:EncryptionContext:purpose']).sort(),
    ).toEqual(['token-derivation', 'value-encryption']);
  });

  it('uses the table keys only through DynamoDB', () => {
    for (const prefix of ['AccessTableKey', 'AuditTableKey', 'VaultTableKey']) {
      const statements = onKey(prefix);
      expect(statements.length).toBeGreaterThan(0);
      for (const s of statements) {
        expect(s.Condition?.StringEquals?.['kms:ViaService']).toBe('dynamodb.eu-north-1.amazonaws.com');
      }
    }
  });
});

describe('the access table', () => {
  it('is encrypted with a customer-managed key of its own, rotated and retained', () => {
    const key = q.idOf('AWS::KMS::Key', 'AccessTableKey');
    expect(template.findResources('AWS::KMS::Key')[key]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { EnableKeyRotation: true },
    });
    const table =
      template.findResources('AWS::DynamoDB::Table')[q.idOf('AWS::DynamoDB::Table', 'AccessTable')];
    expect(table?.Properties.SSESpecification).toEqual({
      SSEEnabled: true,
      SSEType: 'KMS',
      KMSMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
    });
  });

  it('is recoverable, protected from deletion, retained, with TTL on the counters', () => {
    const table =
      template.findResources('AWS::DynamoDB::Table')[q.idOf('AWS::DynamoDB::Table', 'AccessTable')];
    expect(table).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      },
    });
  });

  it('grants access control and nothing beyond it (construct alone)', () => {
    const app = new App({ context: CDK_JSON_CONTEXT });
    const stack = new Stack(app, 'Access', { env: { region: 'eu-north-1', account: '111122223333' } });
    new AccessStore(stack, 'Store').grantAccessControl(
      new Role(stack, 'Staff', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }),
    );
    const actions = new TemplateQueries(Template.fromStack(stack)).statements().flatMap(actionsOf);
    expect(actions.sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
      'kms:Decrypt',
      'kms:Encrypt',
      'kms:GenerateDataKey',
    ]);
  });
});

describe('the staff alarms', () => {
  it.each([AccessMetric.RATE_EXCEEDED, AccessMetric.OUTSIDE_HOURS, AccessMetric.USER_BLOCKED])(
    'raises %s at its first datapoint in five minutes, to the alarm topic',
    (metric) => {
      const topic = q.idOf('AWS::SNS::Topic', 'AlarmsTopic');
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'TicketProxy',
        MetricName: metric,
        Dimensions: [{ Name: 'service', Value: 'staff-api' }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: topic }],
        OKActions: [{ Ref: topic }],
      });
    },
  );

  it('raises an alarm when the staff function fails', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: q.functionId('staff-api') } }],
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: q.idOf('AWS::SNS::Topic', 'AlarmsTopic') }],
    });
  });
});

describe('the stack outputs for staff access', () => {
  it('names the staff API, its console, the user pool, its client, the issuer and the login domain', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    expect(template.findOutputs('StaffConsoleUrl').StaffConsoleUrl?.Value).toEqual(apiConsoleUrl());
    expect(outputs).toEqual(
      expect.arrayContaining([
        'StaffApiUrl',
        'StaffConsoleUrl',
        'UserPoolId',
        'UserPoolClientId',
        'OidcIssuer',
        'HostedUiDomain',
      ]),
    );
  });
});

describe('synthesis with staff settings', () => {
  it('passes cdk-nag’s AwsSolutions pack with a federated provider too', () => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    new TicketProxyStack(app, 'TicketProxy', {
      region: 'eu-north-1',
      tenants: ['ballerup'],
      retention: Retention.fromJson(undefined, 'test'),
      staffLogin: {
        oidcProvider: {
          name: 'EntraID',
          issuerUrl: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
          clientId: 'console-client',
          clientSecretArn: 'arn:aws:secretsmanager:eu-north-1:111122223333:secret:entra-AbCdEf',
        },
      },
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  it('fails `cdk synth` on a bad accessPolicy context, naming the field', async () => {
    const result = await run('node infra/app.ts', {
      env: {
        CDK_CONTEXT_JSON: JSON.stringify({ region: 'eu-north-1', accessPolicy: '{"maxDenials":0}' }),
        CDK_OUTDIR: await tempDir(),
      },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/context accessPolicy is not an access policy: maxDenials: /);
  });

  it('fails `cdk synth` on a bad staffLogin context, naming the field', async () => {
    const result = await run('node infra/app.ts', {
      env: {
        CDK_CONTEXT_JSON: JSON.stringify({
          region: 'eu-north-1',
          staffLogin: '{"oidcProvider":{"name":"EntraID","issuerUrl":"http://idp","clientId":"c"}}',
        }),
        CDK_OUTDIR: await tempDir(),
      },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /context staffLogin is not a staff login setting: oidcProvider\.issuerUrl: /,
    );
    expect(result.stderr).toMatch(/oidcProvider\.clientSecretArn: /);
  });
});
