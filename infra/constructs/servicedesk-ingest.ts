import { ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { Retention } from '../../lib/retention/retention-policy.ts';
import { type DeploymentTenants, secretReadStatements } from '../deployment-tenants.ts';
import { loggedStage } from './logged-stage.ts';
import type { SyncQueue } from './sync-queue.ts';
import { TicketProxyFunction } from './ticket-proxy-function.ts';
import type { VaultStore } from './vault-store.ts';

/**
 * Each tenant's generated webhook secret is `ticket-proxy/webhook/<tenant>`; the function reads it by
 * that name, so its environment does not grow with the tenants.
 */
export const WEBHOOK_SECRET_PREFIX = 'ticket-proxy/webhook/';

export interface ServicedeskIngestProps {
  vault: VaultStore;
  queue: SyncQueue;
  /** Tenants that may send webhooks; each without a secret of its own (`webhookSecret`) gets a generated one. */
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
      props.tenants.generatedWebhookSecrets.map((tenant) => [
        tenant,
        new Secret(this, `WebhookSecret-${tenant}`, {
          secretName: `${WEBHOOK_SECRET_PREFIX}${tenant}`,
          description: `Signs webhooks from tenant ${tenant}'s servicedesk`,
          generateSecretString: { passwordLength: 48, excludePunctuation: true },
          removalPolicy: RemovalPolicy.RETAIN,
        }),
      ]),
    );

    const webhook = new TicketProxyFunction(this, 'Webhook', {
      entry: 'functions/servicedesk-webhook.ts',
      files: props.tenants.files,
      failuresGoTo:
        'Invoked synchronously by API Gateway: a failure is answered 5xx with nothing queued, and the servicedesk retries the webhook.',
      environment: {
        VAULT_TABLE_NAME: props.vault.table.tableName,
        KEY_ID: props.vault.masterKey.keyArn,
        WEBHOOK_SECRET_PREFIX,
        ...props.tenants.environment,
        QUEUE_URL: props.queue.queue.queueUrl,
        RETENTION_POLICY: props.retention.toJson(),
        POWERTOOLS_SERVICE_NAME: 'servicedesk-webhook',
      },
    });
    this.function = webhook.function;
    props.vault.grantTokenize(this.function);
    props.queue.grantSend(this.function);
    // The generated secrets by their names' prefix: a grant per secret would outgrow the role's
    // policy (10 KB) at about a hundred tenants.
    const generated = Stack.of(this).formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${WEBHOOK_SECRET_PREFIX}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    webhook.role.addToPolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [generated] }),
    );
    Validations.of(webhook.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${asNagNamesIt(Stack.of(this).resolve(generated))}]`,
      reason:
        "The tenants' generated webhook secrets, by their names: ticket-proxy/webhook/<tenant>. Secrets Manager appends six random characters to a secret's ARN, so a name takes a wildcard.",
    });
    for (const secret of this.webhookSecrets.values()) {
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The servicedesk holds a copy of this secret outside AWS, so rotation is a coordinated change in both places (README: rotating secrets), not a Lambda rotation.',
      });
    }
    // Secrets a tenant's configuration names instead of the generated one (`webhookSecret`).
    for (const statement of secretReadStatements(props.tenants.webhookSecretArns)) {
      this.function.addToRolePolicy(statement);
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

/**
 * A resolved ARN as cdk-nag names it in a finding: references as `<AWS::AccountId>`. Feature flags
 * and the deployment's account decide which parts are literal.
 */
export function asNagNamesIt(resolved: unknown): string {
  if (typeof resolved === 'string') return resolved;
  const [separator, parts] = (resolved as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return parts.map((p) => (typeof p === 'string' ? p : `<${(p as { Ref: string }).Ref}>`)).join(separator);
}
