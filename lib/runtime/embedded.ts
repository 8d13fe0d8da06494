import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EmbeddedDynamo, openEmbeddedDynamo } from '../embedded/embedded-dynamodb.ts';
import { readOrCreatePrivateFile } from '../embedded/private-file.ts';
import { ConfigError } from '../errors.ts';
import { LocalFileKeyRing } from '../keys/local-file-key-ring.ts';
import { TenantKeys } from '../keys/tenant-keys.ts';
import { Pseudonymizer } from '../pseudonymize/pseudonymizer.ts';
import { Retention } from '../retention/retention-policy.ts';
import { JiraCloudTracker, jiraConfigFromEnv } from '../tracker/jira-cloud-tracker.ts';
import { OutboxTracker } from '../tracker/outbox-tracker.ts';
import { DynamoTokenVault } from '../vault/dynamo-token-vault.ts';
import { MIN_SECRET_LENGTH } from '../webhook/signature.ts';
import type { Runtime } from './runtime.ts';

const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface EmbeddedRuntime extends Runtime {
  dataDir: string;
  dynamo: EmbeddedDynamo;
  vault: DynamoTokenVault;
  /** Set when no Jira is configured and tickets go to the local outbox. */
  outbox: OutboxTracker | undefined;
  /** The secret generic webhooks are signed with, for every tenant. */
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
 * The embedded default: dynalite in the data directory, the local key file, and Jira when `JIRA_*`
 * is set or else the local outbox. Nothing here needs a cloud account.
 */
export async function openEmbeddedRuntime(
  env: NodeJS.ProcessEnv = process.env,
  options: { role?: 'serve' | 'share' } = {},
): Promise<EmbeddedRuntime> {
  const dataDir = dataDirFromEnv(env);
  const retention = Retention.fromJson(env.TICKET_PROXY_RETENTION, 'TICKET_PROXY_RETENTION');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const jira = jiraConfigFromEnv(env);
  const webhookSecret = await localWebhookSecret(dataDir, env);
  const keyRing = await LocalFileKeyRing.open(join(dataDir, 'master.key'));
  const dynamo = await openEmbeddedDynamo({ dataDir, role: options.role });
  const vault = new DynamoTokenVault(dynamo.client);
  const outbox = jira ? undefined : new OutboxTracker(join(dataDir, 'outbox.jsonl'));
  return {
    dataDir,
    dynamo,
    vault,
    outbox,
    webhookSecret,
    pseudonymizer: new Pseudonymizer({ keys: new TenantKeys(keyRing, vault), vault }),
    retention,
    tracker: outbox ?? new JiraCloudTracker(jira as NonNullable<typeof jira>),
    webhookSecrets: { secretsFor: async () => [webhookSecret] },
    close: () => dynamo.close(),
  };
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
