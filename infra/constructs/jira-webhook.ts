import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { type DeploymentTenants, secretReadStatements } from '../deployment-tenants.ts';
import type { AuditStore } from './audit-store.ts';
import type { JiraConnection } from './jira-connection.ts';
import { TicketProxyFunction } from './ticket-proxy-function.ts';
import type { VaultStore } from './vault-store.ts';

export interface JiraWebhookProps {
  /** The stack's webhook API; the route is added to it. */
  api: HttpApi;
  vault: VaultStore;
  audit: AuditStore;
  jira: JiraConnection;
  tenants: DeploymentTenants;
}

/**
 * The way back: `POST /webhooks/jira`, signed by Jira with the generated `ticket-proxy/jira-webhook`
 * secret. A developer's reply goes to the tenant's servicedesk with its tokens re-identified, so this
 * is the one function that may unwrap value keys, and every re-identification it makes is audited.
 */
export class JiraWebhook extends Construct {
  readonly function: NodejsFunction;
  /** Registered with the webhook in Jira (System → WebHooks → Secret). */
  readonly secret: Secret;

  constructor(scope: Construct, id: string, props: JiraWebhookProps) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      secretName: 'ticket-proxy/jira-webhook',
      description:
        "Signs Jira's webhooks to ticket-proxy: register the webhook in Jira with this value as its secret",
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Jira holds a copy of this secret in its webhook registration, outside AWS, so rotation is a coordinated change in both places (README: rotating secrets), not a Lambda rotation.',
    });

    const fn = new TicketProxyFunction(this, 'Handler', {
      entry: 'functions/jira-webhook.ts',
      files: props.tenants.files,
      failuresGoTo:
        'Invoked synchronously by API Gateway: a failure is answered 5xx, and Jira retries the webhook.',
      environment: {
        VAULT_TABLE_NAME: props.vault.table.tableName,
        KEY_ID: props.vault.masterKey.keyArn,
        ...props.tenants.environment,
        JIRA_SECRET_ARN: props.jira.secret.secretArn,
        JIRA_WEBHOOK_SECRET_ARN: this.secret.secretArn,
        ...props.audit.environment,
        POWERTOOLS_SERVICE_NAME: 'jira-webhook',
      },
    });
    this.function = fn.function;
    props.vault.grantIssueLinks(this.function);
    props.vault.grantReveal(fn.role);
    props.audit.grantAppend(this.function);
    // Its own Jira account id, so that the proxy's own comments are not sent back.
    props.jira.grantRead(this.function);
    this.secret.grantRead(this.function);
    // The tenants' ways back to their servicedesks (writeBack secrets in the tenant configuration).
    for (const statement of secretReadStatements(props.tenants.writeBackSecretArns)) {
      this.function.addToRolePolicy(statement);
    }

    const [route] = props.api.addRoutes({
      path: '/webhooks/jira',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('JiraWebhook', this.function),
    });
    if (route) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          "Jira Cloud webhooks cannot present a JWT or IAM credentials; every request is authenticated in the function by Jira's X-Hub-Signature (HMAC-SHA256 with the ticket-proxy/jira-webhook secret, events older than an hour refused) before anything is read.",
      });
    }
  }
}
