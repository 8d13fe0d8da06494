import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Retention } from '../lib/retention/retention-policy.ts';
import { AuditStore } from './constructs/audit-store.ts';
import { JiraConnection } from './constructs/jira-connection.ts';
import { JiraWebhook } from './constructs/jira-webhook.ts';
import { JiraWriter } from './constructs/jira-writer.ts';
import { OperatorAlarms } from './constructs/operator-alarms.ts';
import { RetentionSweep } from './constructs/retention-sweep.ts';
import { ServicedeskIngest } from './constructs/servicedesk-ingest.ts';
import { SyncQueue } from './constructs/sync-queue.ts';
import { VaultStore } from './constructs/vault-store.ts';
import { deploymentTenants } from './deployment-tenants.ts';
import { assertEuRegion } from './eu-regions.ts';

export interface TicketProxyStackProps extends StackProps {
  /** The stack's region; must be in the EU. */
  region: string;
  /** Tenants (municipalities) whose servicedesks may send tickets. */
  tenants: readonly string[];
  /**
   * Path of a tenant configuration file (JSON, lib/config/tenant-config.ts), relative to the working
   * directory. Its tenants add to `tenants`. It may reference secrets only by `secretArn`.
   * @default every tenant on the generic servicedesk, without write-back
   */
  tenantConfig?: string;
  /** How long each tenant's tickets keep their personal data. */
  retention: Retention;
  /** @default no e-mail subscription to the alarm topic */
  alarmEmail?: string;
}

/** A batch of ten jobs, each a few Jira calls with their retries; the sync queue is sized from it. */
const WRITER_TIMEOUT = Duration.minutes(3);

/**
 * ticket-proxy in one EU region. Stateful: the vault and its keys, the audit log. Stateless: the
 * servicedesk webhook (sanitize, queue), the Jira writer (queue → Jira), the Jira webhook (replies,
 * re-identified and audited, back to the servicedesk) and the nightly retention sweep.
 */
export class TicketProxyStack extends Stack {
  readonly vault: VaultStore;
  readonly audit: AuditStore;
  readonly alarms: OperatorAlarms;
  readonly queue: SyncQueue;
  readonly ingest: ServicedeskIngest;
  readonly jira: JiraConnection;
  readonly writer: JiraWriter;
  readonly jiraWebhook: JiraWebhook;
  readonly sweep: RetentionSweep;

  constructor(scope: Construct, id: string, props: TicketProxyStackProps) {
    const region = assertEuRegion(props.region);
    const tenants = deploymentTenants(props.tenants, props.tenantConfig, region);
    super(scope, id, { ...props, env: { ...props.env, region } });

    this.vault = new VaultStore(this, 'Vault');
    this.audit = new AuditStore(this, 'Audit');
    this.alarms = new OperatorAlarms(this, 'Alarms', { alarmEmail: props.alarmEmail });
    this.queue = new SyncQueue(this, 'Sync', { consumerTimeout: WRITER_TIMEOUT, alarms: this.alarms });
    this.ingest = new ServicedeskIngest(this, 'Ingest', {
      vault: this.vault,
      queue: this.queue,
      tenants,
      retention: props.retention,
    });
    this.jira = new JiraConnection(this, 'Jira');
    this.writer = new JiraWriter(this, 'JiraWriter', {
      queue: this.queue,
      vault: this.vault,
      jira: this.jira,
      tenants,
      alarms: this.alarms,
      timeout: WRITER_TIMEOUT,
    });
    this.jiraWebhook = new JiraWebhook(this, 'JiraWebhook', {
      api: this.ingest.api,
      vault: this.vault,
      audit: this.audit,
      jira: this.jira,
      tenants,
    });
    this.sweep = new RetentionSweep(this, 'Retention', { vault: this.vault });

    const webhooks = `${this.ingest.api.apiEndpoint}/webhooks/`;
    new CfnOutput(this, 'WebhookBaseUrl', {
      description:
        'Servicedesks POST to this URL followed by servicedesk and tenant, e.g. .../webhooks/generic/ballerup or .../webhooks/jsm/egedal',
      value: webhooks,
    });
    new CfnOutput(this, 'WebhookUrl', {
      description:
        'POST generic tickets to this URL followed by the tenant, e.g. .../webhooks/generic/ballerup',
      value: `${webhooks}generic/`,
    });
    new CfnOutput(this, 'WebhookSecretNames', {
      description:
        "Each tenant's webhook secret (Secrets Manager, generated): give its value to the tenant's servicedesk",
      value:
        [...this.ingest.webhookSecrets.keys()].map((t) => `ticket-proxy/webhook/${t}`).join(', ') ||
        '(no tenants)',
    });
    new CfnOutput(this, 'JiraSecretName', {
      description: 'Fill in the Jira connection here after the first deployment',
      value: this.jira.secret.secretName,
    });
    new CfnOutput(this, 'JiraWebhookUrl', {
      description:
        'Register a Jira webhook (issue updated, comment created) to this URL, with the JiraWebhookSecretName secret',
      value: `${webhooks}jira`,
    });
    new CfnOutput(this, 'JiraWebhookSecretName', {
      description:
        "Jira's webhook secret (Secrets Manager, generated): enter its value as the webhook's secret in Jira",
      value: this.jiraWebhook.secret.secretName,
    });
    new CfnOutput(this, 'DeadLetterQueueArn', {
      description:
        'Jobs that failed every attempt; after fixing the cause: npx ticket-proxy redrive --dead-letter-queue ARN',
      value: this.queue.deadLetterQueue.queueArn,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'Subscribe to this topic for the stack’s alarms (or deploy with -c alarmEmail=…)',
      value: this.alarms.topic.topicArn,
    });
  }
}
