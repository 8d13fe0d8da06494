import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { noMetrics } from '../access/access-metrics.ts';
import { parseAccessPolicy } from '../access/access-policy.ts';
import { DynamoAccessStore } from '../access/dynamo-access-store.ts';
import { DynamoAuditLog } from '../audit/dynamo-audit-log.ts';
import {
  defaultTenantConfig,
  type SecretRef,
  type TenantConfig,
  Tenants,
  tenantConfigSchema,
} from '../config/tenant-config.ts';
import { type EmbeddedDynamo, openEmbeddedDynamo } from '../embedded/embedded-dynamodb.ts';
import { readOrCreatePrivateFile } from '../embedded/private-file.ts';
import { ConfigError } from '../errors.ts';
import { LocalFileKeyRing } from '../keys/local-file-key-ring.ts';
import { TenantKeys } from '../keys/tenant-keys.ts';
import { Pseudonymizer } from '../pseudonymize/pseudonymizer.ts';
import { Retention } from '../retention/retention-policy.ts';
import { LocalReplies } from '../servicedesk/local-replies.ts';
import { DynamoIssueLinks } from '../sync/dynamo-issue-links.ts';
import { FileJobQueue } from '../sync/file-job-queue.ts';
import { JiraCloudTracker, type JiraConfig, jiraConfigFromEnv } from '../tracker/jira-cloud-tracker.ts';
import { OutboxTracker } from '../tracker/outbox-tracker.ts';
import { DynamoTokenVault } from '../vault/dynamo-token-vault.ts';
import { listVaultTenants } from '../vault/vault-tenants.ts';
import { MIN_SECRET_LENGTH } from '../webhook/signature.ts';
import type { Runtime } from './runtime.ts';
import { jiraConfigFor, repliesOf } from './tenant-wiring.ts';

const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The account name the local outbox writes as: replies by it are the proxy's own. */
export const OUTBOX_ACCOUNT_ID = 'ticket-proxy';

export interface EmbeddedRuntime extends Runtime {
  dataDir: string;
  dynamo: EmbeddedDynamo;
  vault: DynamoTokenVault;
  queue: FileJobQueue;
  audit: DynamoAuditLog;
  access: DynamoAccessStore;
  /** Set when no Jira is configured and tickets go to the local outbox. */
  outbox: OutboxTracker | undefined;
  /** Where replies go for tenants with the local write-back. */
  localReplies: LocalReplies;
  /** The secret generic webhooks (and, unless JIRA_WEBHOOK_SECRET is set, Jira's) are signed with. */
  webhookSecret: string;
  close(): Promise<void>;
}

/** `$TICKET_PROXY_DATA_DIR`, or `.data/` in the repository root (CONTRACTS.md §3). */
export function dataDirFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.TICKET_PROXY_DATA_DIR;
  if (!dir) return join(REPOSITORY_ROOT, '.data');
  return isAbsolute(dir) ? dir : resolve(dir);
}

/**
 * The embedded default: dynalite in the data directory, the local key file, a file queue, and Jira
 * when `JIRA_*` is set or else the local outbox. Nothing here needs a cloud account.
 * Tenants come from the JSON file `$TICKET_PROXY_TENANTS`; a tenant it does not name (or every
 * tenant, without the file) uses generic webhooks and local replies.
 */
export async function openEmbeddedRuntime(
  env: NodeJS.ProcessEnv = process.env,
  options: { role?: 'serve' | 'share' } = {},
): Promise<EmbeddedRuntime> {
  const dataDir = dataDirFromEnv(env);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const tenants = await tenantsFromEnv(env);
  const retention = new Retention(
    tenants.retention(Retention.fromJson(env.TICKET_PROXY_RETENTION, 'TICKET_PROXY_RETENTION').config),
  );
  const accessPolicy = parseAccessPolicy(env.TICKET_PROXY_ACCESS_POLICY, 'TICKET_PROXY_ACCESS_POLICY');
  const jira = jiraConfigFromEnv(env);
  // The outbox's own search is always current and its writes cannot land late: nothing to wait for.
  const createSettleMs = createSettleMsFromEnv(env) ?? (jira ? undefined : 0);
  const webhookSecret = await localWebhookSecret(dataDir, env);
  const jiraWebhookSecret = env.JIRA_WEBHOOK_SECRET || webhookSecret;
  const keyRing = await LocalFileKeyRing.open(join(dataDir, 'master.key'));
  const dynamo = await openEmbeddedDynamo({ dataDir, role: options.role });
  const vault = new DynamoTokenVault(dynamo.client);
  const outbox = jira ? undefined : new OutboxTracker(join(dataDir, 'outbox.jsonl'));
  const localReplies = new LocalReplies(join(dataDir, 'replies.jsonl'));
  const secret = async (ref: SecretRef) => secretFromEnv(ref, env);
  const trackers = new Map<string, JiraCloudTracker>();
  const jiraFor = (tenant: string, jiraConfig: JiraConfig) => {
    let tracker = trackers.get(tenant);
    if (!tracker) {
      tracker = new JiraCloudTracker(jiraConfigFor(jiraConfig, tenants.configFor(tenant)));
      trackers.set(tenant, tracker);
    }
    return tracker;
  };
  const replies = repliesOf(tenants, secret, localReplies);
  return {
    dataDir,
    dynamo,
    vault,
    outbox,
    localReplies,
    webhookSecret,
    tenants,
    pseudonymizer: new Pseudonymizer({ keys: new TenantKeys(keyRing, vault), vault }),
    retention,
    queue: new FileJobQueue(join(dataDir, 'queue')),
    trackerFor: (tenant) => (jira ? jiraFor(tenant, jira) : (outbox as OutboxTracker)),
    ...(createSettleMs !== undefined && { createSettleMs }),
    links: new DynamoIssueLinks(dynamo.client),
    audit: new DynamoAuditLog(dynamo.client, {
      ...(env.TICKET_PROXY_AUDIT_RETENTION_DAYS && {
        retentionDays: Number(env.TICKET_PROXY_AUDIT_RETENTION_DAYS),
      }),
    }),
    repliesFor: replies,
    webhookSecrets: {
      secretsFor: async (tenant) => {
        const ref = tenants.configFor(tenant)?.webhookSecret;
        return [ref ? await secret(ref) : webhookSecret];
      },
    },
    jiraWebhookSecrets: async () => [jiraWebhookSecret],
    isOwnAccount: async (accountId) =>
      jira ? accountId === (await jiraFor('', jira).ownAccountId()) : accountId === OUTBOX_ACCOUNT_ID,
    access: new DynamoAccessStore(dynamo.client),
    accessPolicy,
    metrics: noMetrics,
    knownTenants: () => listVaultTenants(dynamo.client),
    close: () => dynamo.close(),
  };
}

/**
 * `TICKET_PROXY_CREATE_SETTLE_SECONDS`: how long the Jira writer trusts no empty search after a create
 * attempt; unset for the default (15 minutes with Jira, lib/sync/sync-ticket.ts; none with the outbox).
 */
function createSettleMsFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const value = env.TICKET_PROXY_CREATE_SETTLE_SECONDS;
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value)) {
    throw new ConfigError('TICKET_PROXY_CREATE_SETTLE_SECONDS must be a whole number of seconds');
  }
  return Number(value) * 1000;
}

async function tenantsFromEnv(env: NodeJS.ProcessEnv): Promise<Tenants> {
  const fallback: TenantConfig = { ...defaultTenantConfig(), writeBack: { type: 'local' } };
  const path = env.TICKET_PROXY_TENANTS;
  if (!path) return new Tenants({}, fallback);
  let json: string;
  try {
    json = await readFile(path, 'utf8');
  } catch {
    throw new ConfigError(`TICKET_PROXY_TENANTS names ${path}, which cannot be read`);
  }
  return Tenants.fromJson(json, `TICKET_PROXY_TENANTS (${path})`, tenantConfigSchema.parse(fallback));
}

/** Locally a secret comes from an environment variable; Secrets Manager is for AWS. */
function secretFromEnv(ref: SecretRef, env: NodeJS.ProcessEnv): string {
  if ('secretArn' in ref) {
    throw new ConfigError('a Secrets Manager ARN cannot be read by the local server: use {"env": "NAME"}');
  }
  const value = env[ref.env];
  if (!value || value.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`${ref.env} must hold a secret of at least ${MIN_SECRET_LENGTH} characters`);
  }
  return value;
}

/** `TICKET_PROXY_WEBHOOK_SECRET`, or a random secret kept in the data directory (mode 0600). */
export async function localWebhookSecret(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const secret =
    env.TICKET_PROXY_WEBHOOK_SECRET ||
    (await readOrCreatePrivateFile(join(dataDir, 'webhook-secret'), () => randomBytes(32).toString('hex')))
      .toString('utf8')
      .trim();
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`the webhook secret must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  return secret;
}
