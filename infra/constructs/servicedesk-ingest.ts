import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { Retention } from '../../lib/retention/retention-policy.ts';
import type { DeploymentTenants } from '../deployment-tenants.ts';
import { loggedStage } from './logged-stage.ts';
import type { SyncQueue } from './sync-queue.ts';
import { TicketProxyFunction } from './ticket-proxy-function.ts';
import type { VaultStore } from './vault-store.ts';

export interface ServicedeskIngestProps {
  vault: VaultStore;
  queue: SyncQueue;
  /** Tenants that may send webhooks; each gets a generated signing secret. */
  tenants: DeploymentTenants;
  retention: Retention;
}

/**
 * The way in: `POST /webhooks/{servicedesk}/{tenant}` on the stack's HTTP API (throttled, access-logged).
 * The function verifies the sender, sanitizes the ticket and queues only the sanitized job; it never
 * talks to Jira and cannot read a stored value.
 */
export class ServicedeskIngest extends Construct {
  readonly api: HttpApi;
  readonly function: NodejsFunction;
  readonly webhookSecrets: ReadonlyMap<string, Secret>;

  constructor(scope: Construct, id: string, props: ServicedeskIngestProps) {
    super(scope, id);
    this.webhookSecrets = new Map(
      props.tenants.names.map((tenant) => [
        tenant,
        new Secret(this, `WebhookSecret-${tenant}`, {
          secretName: `ticket-proxy/webhook/${tenant}`,
          description: `Signs webhooks from tenant ${tenant}'s servicedesk`,
          generateSecretString: { passwordLength: 48, excludePunctuation: true },
          removalPolicy: RemovalPolicy.RETAIN,
        }),
      ]),
    );

    this.function = new TicketProxyFunction(this, 'Webhook', {
      entry: 'functions/servicedesk-webhook.ts',
      failuresGoTo:
        'Invoked synchronously by API Gateway: a failure is answered 5xx with nothing queued, and the servicedesk retries the webhook.',
      environment: {
        VAULT_TABLE_NAME: props.vault.table.tableName,
        KEY_ID: props.vault.masterKey.keyArn,
        WEBHOOK_SECRET_ARNS: Stack.of(this).toJsonString(
          Object.fromEntries([...this.webhookSecrets].map(([tenant, secret]) => [tenant, secret.secretArn])),
        ),
        TENANTS_CONFIG: props.tenants.configJson,
        QUEUE_URL: props.queue.queue.queueUrl,
        RETENTION_POLICY: props.retention.toJson(),
        POWERTOOLS_SERVICE_NAME: 'servicedesk-webhook',
      },
    }).function;
    props.vault.grantTokenize(this.function);
    props.queue.grantSend(this.function);
    for (const secret of this.webhookSecrets.values()) {
      secret.grantRead(this.function);
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The servicedesk holds a copy of this secret outside AWS, so rotation is a coordinated change in both places (README: rotating secrets), not a Lambda rotation.',
      });
    }
    // Secrets a tenant's configuration names instead of the generated one (`webhookSecret`).
    if (props.tenants.webhookSecretArns.length > 0) {
      this.function.addToRolePolicy(
        new PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [...props.tenants.webhookSecretArns],
        }),
      );
    }

    this.api = new HttpApi(this, 'Api', { description: 'ticket-proxy webhooks', createDefaultStage: false });
    loggedStage(this, this.api, { rateLimit: 50, burstLimit: 100 });
    const [route] = this.api.addRoutes({
      path: '/webhooks/{servicedesk}/{tenant}',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('ServicedeskWebhook', this.function),
    });
    if (route) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          "Servicedesks cannot obtain JWTs. Every request is authenticated in the function with the tenant's secret before anything is read or stored: an HMAC-SHA256 signature (the proxy's own with a 300 s replay window, JSM's X-Hub-Signature, Zendesk's) or, for senders that cannot sign, a shared-secret header compared in constant time.",
      });
    }
  }
}
