import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { type AccessPolicy, defaultAccessPolicy } from '../lib/access/access-policy.ts';
import type { Retention } from '../lib/retention/retention-policy.ts';
import { AccessStore } from './constructs/access-store.ts';
import { AuditStore } from './constructs/audit-store.ts';
import { AuditWatch } from './constructs/audit-watch.ts';
import { JiraConnection } from './constructs/jira-connection.ts';
import { JiraWebhook } from './constructs/jira-webhook.ts';
import { JiraWriter } from './constructs/jira-writer.ts';
import { LogKey } from './constructs/log-key.ts';
import { OperationsDashboard } from './constructs/operations-dashboard.ts';
import { OperatorAlarms } from './constructs/operator-alarms.ts';
import { RetentionSweep } from './constructs/retention-sweep.ts';
import { ServicedeskIngest, WEBHOOK_SECRET_PREFIX } from './constructs/servicedesk-ingest.ts';
import { StaffApi } from './constructs/staff-api.ts';
import { StaffIdentity, type StaffLogin } from './constructs/staff-identity.ts';
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
  /**
   * Days audit records are kept: 184 (six months, the default) to 1827 (five years).
   * @default 184
   */
  auditRetentionDays?: number;
  /** @default no e-mail subscription to the alarm topic */
  alarmEmail?: string;
  /** When staff users are blocked, and when their re-identifications raise an alarm. @default defaultAccessPolicy() */
  accessPolicy?: AccessPolicy;
  /**
   * Console URLs besides the staff API's own `/console/`, the `acr_values` the console sends, the
   * login domain, an OpenID Connect provider. @default the staff API's console only, no federation
   */
  staffLogin?: StaffLogin;
}

/** A batch of ten jobs, each a few Jira calls with their retries; the sync queue is sized from it. */
const WRITER_TIMEOUT = Duration.minutes(3);

/**
 * ticket-proxy in one EU region. Stateful: the vault and its keys, the audit log, the staff's grants
 * and their user pool. Stateless: the servicedesk webhook (sanitize, queue), the Jira writer
 * (queue → Jira), the Jira webhook (replies, re-identified and audited, back to the servicedesk), the
 * staff API (audited re-identification, audit reports, grants) and the nightly retention sweep.
 */
export class TicketProxyStack extends Stack {
  /** Encrypts every log group of the stack (each function's, each API's access logs). */
  readonly logKey: IKey;
  readonly vault: VaultStore;
  readonly audit: AuditStore;
  readonly auditWatch: AuditWatch;
  readonly dashboard: OperationsDashboard;
  readonly alarms: OperatorAlarms;
  readonly queue: SyncQueue;
  readonly ingest: ServicedeskIngest;
  readonly jira: JiraConnection;
  readonly writer: JiraWriter;
  readonly jiraWebhook: JiraWebhook;
  readonly sweep: RetentionSweep;
  readonly access: AccessStore;
  readonly staffIdentity: StaffIdentity;
  readonly staffApi: StaffApi;

  constructor(scope: Construct, id: string, props: TicketProxyStackProps) {
    const region = assertEuRegion(props.region);
    const tenants = deploymentTenants(props.tenants, props.tenantConfig, region);
    super(scope, id, { ...props, env: { ...props.env, region } });

    // The one key of every log group; each group takes it from the stack by itself (LogKey.of).
    this.logKey = LogKey.of(this);
    this.vault = new VaultStore(this, 'Vault');
    this.audit = new AuditStore(this, 'Audit', { retentionDays: props.auditRetentionDays });
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
    this.sweep = new RetentionSweep(this, 'Retention', { vault: this.vault, audit: this.audit });
    this.auditWatch = new AuditWatch(this, 'AuditWatch', { audit: this.audit, alarms: this.alarms });
    this.access = new AccessStore(this, 'Access');
    this.staffIdentity = new StaffIdentity(this, 'StaffIdentity', {
      tenants: tenants.names,
      login: props.staffLogin,
    });
    this.staffApi = new StaffApi(this, 'StaffApi', {
      identity: this.staffIdentity,
      vault: this.vault,
      audit: this.audit,
      access: this.access,
      tenants,
      policy: props.accessPolicy ?? defaultAccessPolicy(),
      alarms: this.alarms,
    });

    // What no construct alarms on itself: webhooks answered 5xx (the handlers answer rather than
    // throw, so function errors would not show them), and the Jira webhook and sweep failing.
    const sum = { period: Duration.minutes(5), statistic: Stats.SUM };
    const operatorAlarms = [
      this.alarms.alarmOnAny(
        this,
        'WebhookServerErrorsAlarm',
        this.ingest.api.metricServerError(sum),
        'webhooks were answered 5xx (KMS, the vault, the queue or a secret unreachable): servicedesks retry, but look at the webhook functions’ logs.',
      ),
      this.alarms.alarmOnAny(
        this,
        'JiraWebhookErrorsAlarm',
        this.jiraWebhook.function.metricErrors(sum),
        'the Jira webhook function failed: developers’ replies may not reach the servicedesk.',
      ),
      this.alarms.alarmOnAny(
        this,
        'SweepErrorsAlarm',
        this.sweep.function.metricErrors(sum),
        'the retention sweep failed: personal data past its retention may still be stored. Its logs say why; it runs again the next night.',
      ),
      this.alarms.alarmOnAny(
        this,
        'SweepDeadLettersAlarm',
        this.sweep.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
        'the scheduler could not start the retention sweep.',
      ),
    ];
    this.dashboard = new OperationsDashboard(this, 'Operations', {
      webhookApi: this.ingest.api,
      staffApi: this.staffApi.api,
      queue: this.queue.queue,
      deadLetterQueue: this.queue.deadLetterQueue,
      functions: {
        'servicedesk-webhook': this.ingest.function,
        'jira-writer': this.writer.function,
        'jira-webhook': this.jiraWebhook.function,
        'staff-api': this.staffApi.function,
        'retention-sweep': this.sweep.function,
        'audit-watch': this.auditWatch.function,
      },
      alarms: [
        this.queue.deadLetterAlarm,
        this.writer.errorsAlarm,
        ...this.staffApi.alarms,
        ...this.auditWatch.alarms,
        ...operatorAlarms,
      ],
    });

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
        [...this.ingest.webhookSecrets.keys()].map((t) => `${WEBHOOK_SECRET_PREFIX}${t}`).join(', ') ||
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
    new CfnOutput(this, 'StaffApiUrl', {
      description:
        'The staff API (re-identification, audit reports, grants): send the staff user pool’s token as Authorization: Bearer …',
      value: this.staffApi.api.apiEndpoint,
    });
    new CfnOutput(this, 'StaffConsoleUrl', {
      description:
        'The staff console (public page; every data route needs the staff login): Cognito returns here after login and logout',
      value: `${this.staffApi.api.apiEndpoint}/console`,
    });
    new CfnOutput(this, 'UserPoolId', {
      description:
        'Staff users: aws cognito-idp admin-create-user, then admin-add-user-to-group ticket-proxy:<tenant>:<role>',
      value: this.staffIdentity.userPool.userPoolId,
    });
    new CfnOutput(this, 'UserPoolClientId', {
      description: 'The staff console’s OAuth client (authorization code with PKCE, no secret)',
      value: this.staffIdentity.client.userPoolClientId,
    });
    new CfnOutput(this, 'OidcIssuer', {
      description: 'The issuer of staff tokens, as the staff API’s JWT authorizer checks it',
      value: this.staffIdentity.issuer,
    });
    new CfnOutput(this, 'HostedUiDomain', {
      description: 'The staff login pages (managed login): /oauth2/authorize, /oauth2/token, /logout',
      value: this.staffIdentity.domain.baseUrl(),
    });
    new CfnOutput(this, 'AccessTableName', {
      description: 'Grants and blocks of staff users: TICKET_PROXY_ACCESS_TABLE for npx ticket-proxy grants',
      value: this.access.table.tableName,
    });
    new CfnOutput(this, 'AuditTableName', {
      description: 'The audit log: TICKET_PROXY_AUDIT_TABLE for npx ticket-proxy grants',
      value: this.audit.table.tableName,
    });
  }
}
