import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { Retention } from '../../lib/retention/retention-policy.ts';
import { TicketProxyFunction } from './ticket-proxy-function.ts';
import type { VaultStore } from './vault-store.ts';

export interface GenericWebhookIngestProps {
  vault: VaultStore;
  /** Tenants that may send webhooks; each gets a generated signing secret. */
  tenants: readonly string[];
  retention: Retention;
}

/** `POST /webhooks/generic/{tenant}` on an HTTP API, served by the generic webhook function. */
export class GenericWebhookIngest extends Construct {
  readonly api: HttpApi;
  readonly function: NodejsFunction;
  readonly jiraSecret: Secret;
  readonly webhookSecrets: ReadonlyMap<string, Secret>;

  constructor(scope: Construct, id: string, props: GenericWebhookIngestProps) {
    super(scope, id);
    this.webhookSecrets = new Map(
      props.tenants.map((tenant) => [
        tenant,
        new Secret(this, `WebhookSecret-${tenant}`, {
          secretName: `ticket-proxy/webhook/${tenant}`,
          description: `Signs generic webhooks from tenant ${tenant}'s servicedesk`,
          generateSecretString: { passwordLength: 48, excludePunctuation: true },
          removalPolicy: RemovalPolicy.RETAIN,
        }),
      ]),
    );
    this.jiraSecret = new Secret(this, 'JiraSecret', {
      secretName: 'ticket-proxy/jira',
      description: 'Jira Cloud connection: fill in baseUrl, email, projectKey and apiToken after deployment',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ baseUrl: '', email: '', projectKey: '' }),
        generateStringKey: 'apiToken',
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.function = new TicketProxyFunction(this, 'Webhook', {
      entry: 'functions/generic-webhook.ts',
      environment: {
        VAULT_TABLE_NAME: props.vault.table.tableName,
        KEY_ID: props.vault.masterKey.keyArn,
        WEBHOOK_SECRET_ARNS: Stack.of(this).toJsonString(
          Object.fromEntries([...this.webhookSecrets].map(([tenant, secret]) => [tenant, secret.secretArn])),
        ),
        JIRA_SECRET_ARN: this.jiraSecret.secretArn,
        RETENTION_POLICY: props.retention.toJson(),
        POWERTOOLS_SERVICE_NAME: 'generic-webhook',
      },
    }).function;
    props.vault.grantTokenize(this.function);
    for (const secret of this.webhookSecrets.values()) {
      secret.grantRead(this.function);
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The servicedesk holds a copy of this secret outside AWS, so rotation is a coordinated change in both places (README: rotating secrets), not a Lambda rotation.',
      });
    }
    this.jiraSecret.grantRead(this.function);
    Validations.of(this.jiraSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Jira API tokens are issued by Atlassian and cannot be rotated by a rotation Lambda.',
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.SIX_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api = new HttpApi(this, 'Api', { description: 'ticket-proxy webhooks', createDefaultStage: false });
    new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.jsonWithStandardFields({
          caller: false,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: false,
        }),
      },
    });
    const [route] = this.api.addRoutes({
      path: '/webhooks/generic/{tenant}',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('GenericWebhook', this.function),
    });
    if (route) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Servicedesks cannot obtain JWTs; every request is authenticated by its HMAC-SHA256 signature (per-tenant secret, 300 s replay window), verified in the function before anything is read or stored.',
      });
    }
  }
}
