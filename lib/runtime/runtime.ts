import type { AccessMetrics } from '../access/access-metrics.ts';
import type { AccessPolicy } from '../access/access-policy.ts';
import type { AccessStore } from '../access/access-store.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Tenants } from '../config/tenant-config.ts';
import type { Pseudonymizer } from '../pseudonymize/pseudonymizer.ts';
import type { Retention } from '../retention/retention-policy.ts';
import type { ServicedeskReplies } from '../servicedesk/servicedesk-replies.ts';
import type { IssueLinks } from '../sync/issue-links.ts';
import type { JobQueue } from '../sync/job-queue.ts';
import type { TicketTracker } from '../tracker/ticket-tracker.ts';
import type { TokenVault } from '../vault/token-vault.ts';
import type { WebhookSecrets } from '../webhook/webhook-secrets.ts';

/** The adapters a handler needs, wired once per process: embedded locally, AWS in Lambda. */
export interface Runtime {
  pseudonymizer: Pseudonymizer;
  retention: Retention;
  vault: TokenVault;
  tenants: Tenants;
  /** What each tenant's servicedesk signs its webhooks with. */
  webhookSecrets: WebhookSecrets;
  /** What Jira signs its webhooks (developers' replies) with. */
  jiraWebhookSecrets(): Promise<readonly string[]>;
  queue: JobQueue;
  /** The tracker as configured for the tenant (its project, issue type, retention date field). */
  trackerFor(tenant: string): TicketTracker;
  /**
   * How long after an attempt to create an issue the Jira writer waits for the tracker's search to
   * show it before creating again. @default 15 minutes (CREATE_SETTLE_MS in lib/sync/sync-ticket.ts)
   */
  createSettleMs?: number;
  links: IssueLinks;
  audit: AuditLog;
  /** Where the tenant's developers' replies go, if anywhere. */
  repliesFor(tenant: string): ServicedeskReplies | undefined;
  /** True for the tracker account the proxy writes with. */
  isOwnAccount(accountId: string): Promise<boolean>;
  /** Grants, blocks and the counters behind them. */
  access: AccessStore;
  accessPolicy: AccessPolicy;
  metrics: AccessMetrics;
  /** Every tenant that may hold tokens: tells another tenant's token from an unknown one. */
  knownTenants(): Promise<readonly string[]>;
}

/** What the staff API needs of a runtime; in AWS it gets only this (lib/runtime/aws-staff.ts). */
export type StaffRuntime = Pick<
  Runtime,
  'pseudonymizer' | 'vault' | 'audit' | 'access' | 'accessPolicy' | 'metrics' | 'knownTenants'
>;
