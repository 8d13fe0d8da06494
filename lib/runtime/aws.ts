import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import type { AccessMetrics } from '../access/access-metrics.ts';
import { parseAccessPolicy } from '../access/access-policy.ts';
import { DynamoAccessStore } from '../access/dynamo-access-store.ts';
import { powertoolsMetrics } from '../access/powertools-metrics.ts';
import { DynamoAuditLog } from '../audit/dynamo-audit-log.ts';
import { type SecretRef, Tenants } from '../config/tenant-config.ts';
import { ConfigError, DependencyError, ErrorCode } from '../errors.ts';
import { KmsKeyRing } from '../keys/kms-key-ring.ts';
import { TenantKeys } from '../keys/tenant-keys.ts';
import { Pseudonymizer } from '../pseudonymize/pseudonymizer.ts';
import { Retention } from '../retention/retention-policy.ts';
import { DynamoIssueLinks } from '../sync/dynamo-issue-links.ts';
import type { JobQueue } from '../sync/job-queue.ts';
import { SqsJobQueue } from '../sync/sqs-job-queue.ts';
import { JiraCloudTracker, jiraConfigSchema } from '../tracker/jira-cloud-tracker.ts';
import type { TicketTracker } from '../tracker/ticket-tracker.ts';
import { DynamoTokenVault } from '../vault/dynamo-token-vault.ts';
import { MIN_SECRET_LENGTH } from '../webhook/signature.ts';
import { AWS_CLIENT_CONFIG } from './aws-client-config.ts';
import { deployedTenantsJson } from './deployed-tenants.ts';
import type { Runtime } from './runtime.ts';
import { jiraConfigFor, repliesOf } from './tenant-wiring.ts';

/**
 * Environment the CDK stack gives the functions. Names and ARNs only: secrets stay in Secrets Manager.
 * Each function gets the part it needs; a missing part fails when first used, naming the variable.
 */
const awsEnvSchema = z.object({
  VAULT_TABLE_NAME: z.string().min(3),
  KEY_ID: z.string().min(1),
  /** A tenant's generated webhook secret is this followed by its name, e.g. `ticket-proxy/webhook/ballerup`. */
  WEBHOOK_SECRET_PREFIX: z.string().min(1).optional(),
  JIRA_SECRET_ARN: z.string().min(1).optional(),
  JIRA_WEBHOOK_SECRET_ARN: z.string().min(1).optional(),
  QUEUE_URL: z.string().min(1).optional(),
  AUDIT_TABLE_NAME: z.string().min(3).optional(),
  /** Days audit records are kept: 184 (six months) to 1827 (five years). */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().optional(),
  ACCESS_TABLE_NAME: z.string().min(3).optional(),
  /** JSON: lib/access/access-policy.ts. */
  ACCESS_POLICY: z.string().optional(),
  POWERTOOLS_SERVICE_NAME: z.string().optional(),
  RETENTION_POLICY: z.string().optional(),
});

/** Cached for this long, so a rotated secret is picked up within minutes without a call per request. */
const SECRET_MAX_AGE_SECONDS = 300;

/** The AWS runtime: DynamoDB, KMS, SQS, Secrets Manager and Jira Cloud. */
export function awsRuntime(env: NodeJS.ProcessEnv = process.env): Runtime {
  const parsed = awsEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      `function environment is incomplete or invalid: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  }
  const config = parsed.data;
  const required = <K extends keyof typeof config>(name: K): NonNullable<(typeof config)[K]> => {
    const value = config[name];
    if (value === undefined) throw new ConfigError(`this function has no ${name}`);
    return value as NonNullable<(typeof config)[K]>;
  };
  const deployed = deployedTenantsJson(env);
  const tenants = deployed ? Tenants.fromJson(deployed.json, deployed.source) : new Tenants({});
  const dynamo = new DynamoDBClient(AWS_CLIENT_CONFIG);
  const vault = new DynamoTokenVault(dynamo, config.VAULT_TABLE_NAME);
  const keys = new TenantKeys(new KmsKeyRing(new KMSClient(AWS_CLIENT_CONFIG), config.KEY_ID), vault);
  const secret = async (ref: SecretRef) => {
    if (!('secretArn' in ref)) throw new ConfigError('in AWS, secrets are referenced by {"secretArn": …}');
    return stringSecret(ref.secretArn);
  };
  let queue: JobQueue | undefined;
  let audit: DynamoAuditLog | undefined;
  let access: DynamoAccessStore | undefined;
  let metrics: AccessMetrics | undefined;
  const jira = new SecretConfiguredJira(() => required('JIRA_SECRET_ARN'), tenants);
  return {
    pseudonymizer: new Pseudonymizer({ keys, vault }),
    retention: new Retention(
      tenants.retention(Retention.fromJson(config.RETENTION_POLICY, 'RETENTION_POLICY').config),
    ),
    vault,
    tenants,
    get queue() {
      queue ??= new SqsJobQueue(new SQSClient(AWS_CLIENT_CONFIG), required('QUEUE_URL'));
      return queue;
    },
    get audit() {
      audit ??= new DynamoAuditLog(dynamo, {
        tableName: required('AUDIT_TABLE_NAME'),
        ...(config.AUDIT_RETENTION_DAYS !== undefined && { retentionDays: config.AUDIT_RETENTION_DAYS }),
      });
      return audit;
    },
    links: new DynamoIssueLinks(dynamo, config.VAULT_TABLE_NAME),
    trackerFor: (tenant) => jira.trackerFor(tenant),
    repliesFor: repliesOf(tenants, secret),
    isOwnAccount: async (accountId) => accountId === (await jira.ownAccountId()),
    webhookSecrets: {
      secretsFor: async (tenant) => {
        const known = tenants.configFor(tenant);
        const ref = known?.webhookSecret;
        const prefix = config.WEBHOOK_SECRET_PREFIX;
        if (!ref && (known === undefined || prefix === undefined)) return [];
        // Secrets Manager failing is a 503 the servicedesk retries, never a 401 it gives up on.
        return [ref ? await secret(ref) : await stringSecret(`${prefix}${tenant}`)];
      },
    },
    jiraWebhookSecrets: async () => [await stringSecret(required('JIRA_WEBHOOK_SECRET_ARN'))],
    get access() {
      access ??= new DynamoAccessStore(dynamo, required('ACCESS_TABLE_NAME'));
      return access;
    },
    accessPolicy: parseAccessPolicy(config.ACCESS_POLICY, 'ACCESS_POLICY'),
    get metrics() {
      metrics ??= powertoolsMetrics(config.POWERTOOLS_SERVICE_NAME ?? 'ticket-proxy');
      return metrics;
    },
    // The deployment's tenants: a full scan of the vault has no place on a request path.
    knownTenants: async () => tenants.names(),
  };
}

let secrets: SecretsProvider | undefined;

/** A secret's value by ARN or name, cached; `json` parses it. */
async function readSecret(id: string, transform?: 'json'): Promise<unknown> {
  try {
    secrets ??= new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient(AWS_CLIENT_CONFIG) });
    return await secrets.get(id, { transform, maxAge: SECRET_MAX_AGE_SECONDS });
  } catch (error) {
    throw new DependencyError(
      ErrorCode.SECRET_UNAVAILABLE,
      'could not read a secret from Secrets Manager',
      error,
    );
  }
}

/** A string secret long enough to be a key: a blank or missing value must never become an HMAC key. */
async function stringSecret(id: string): Promise<string> {
  const value = await readSecret(id);
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) {
    throw new DependencyError(ErrorCode.SECRET_UNAVAILABLE, 'a secret is empty or too short; fill it in');
  }
  return value;
}

/** Builds the Jira clients from their secret on first use, and again when the secret changes. */
class SecretConfiguredJira {
  readonly #arn: () => string;
  readonly #tenants: Tenants;
  #raw: string | undefined;
  #trackers = new Map<string, JiraCloudTracker>();

  constructor(arn: () => string, tenants: Tenants) {
    this.#arn = arn;
    this.#tenants = tenants;
  }

  trackerFor(tenant: string): TicketTracker {
    // Every call reads the (cached) secret, so each method resolves the current client.
    const current = () => this.#current(tenant);
    return {
      findIssue: async (source) => (await current()).findIssue(source),
      createIssue: async (content) => (await current()).createIssue(content),
      updateIssue: async (key, content) => (await current()).updateIssue(key, content),
      syncedItems: async (key) => (await current()).syncedItems(key),
      addComment: async (key, comment) => (await current()).addComment(key, comment),
      addAttachment: async (key, attachment) => (await current()).addAttachment(key, attachment),
    };
  }

  async ownAccountId(): Promise<string> {
    return (await this.#current('')).ownAccountId();
  }

  async #current(tenant: string): Promise<JiraCloudTracker> {
    const secret = await readSecret(this.#arn(), 'json');
    const raw = JSON.stringify(secret);
    if (raw !== this.#raw) {
      this.#raw = raw;
      this.#trackers = new Map();
    }
    let tracker = this.#trackers.get(tenant);
    if (!tracker) {
      const parsed = jiraConfigSchema.safeParse(secret);
      if (!parsed.success) {
        throw new DependencyError(ErrorCode.TRACKER_UNAVAILABLE, 'the Jira secret is not filled in yet');
      }
      tracker = new JiraCloudTracker(jiraConfigFor(parsed.data, this.#tenants.configFor(tenant)));
      this.#trackers.set(tenant, tracker);
    }
    return tracker;
  }
}
