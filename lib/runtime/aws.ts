import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { z } from 'zod';
import { ConfigError, DependencyError, ErrorCode } from '../errors.ts';
import { KmsKeyRing } from '../keys/kms-key-ring.ts';
import { TenantKeys } from '../keys/tenant-keys.ts';
import { Pseudonymizer } from '../pseudonymize/pseudonymizer.ts';
import { Retention } from '../retention/retention-policy.ts';
import { JiraCloudTracker, jiraConfigSchema } from '../tracker/jira-cloud-tracker.ts';
import type { TicketTracker } from '../tracker/ticket-tracker.ts';
import { DynamoTokenVault } from '../vault/dynamo-token-vault.ts';
import { MIN_SECRET_LENGTH } from '../webhook/signature.ts';
import type { Runtime } from './runtime.ts';

/** Environment the CDK stack gives the functions. Names and ARNs only: secrets stay in Secrets Manager. */
const awsEnvSchema = z.object({
  VAULT_TABLE_NAME: z.string().min(3),
  KEY_ID: z.string().min(1),
  /** JSON: tenant → ARN of the secret its servicedesk signs webhooks with. */
  WEBHOOK_SECRET_ARNS: z
    .string()
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not JSON' });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string(), z.string().min(1))),
  JIRA_SECRET_ARN: z.string().min(1),
  RETENTION_POLICY: z.string().optional(),
});

/** Cached for this long, so a rotated secret is picked up within minutes without a call per request. */
const SECRET_MAX_AGE_SECONDS = 300;

/** The AWS runtime: DynamoDB, KMS, Secrets Manager and Jira Cloud. */
export function awsRuntime(env: NodeJS.ProcessEnv = process.env): Runtime {
  const parsed = awsEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      `function environment is incomplete: ${parsed.error.issues.map((i) => i.path).join(', ')}`,
    );
  }
  const config = parsed.data;
  const vault = new DynamoTokenVault(new DynamoDBClient({}), config.VAULT_TABLE_NAME);
  const keys = new TenantKeys(new KmsKeyRing(new KMSClient({}), config.KEY_ID), vault);
  return {
    pseudonymizer: new Pseudonymizer({ keys, vault }),
    retention: Retention.fromJson(config.RETENTION_POLICY, 'RETENTION_POLICY'),
    vault,
    tracker: new SecretConfiguredJiraTracker(config.JIRA_SECRET_ARN),
    webhookSecrets: {
      secretsFor: async (tenant) => {
        const arn = Object.hasOwn(config.WEBHOOK_SECRET_ARNS, tenant)
          ? config.WEBHOOK_SECRET_ARNS[tenant]
          : undefined;
        if (arn === undefined) return [];
        const secret = await readSecret(arn);
        // A blank or missing value must never become an HMAC key.
        return typeof secret === 'string' && secret.length >= MIN_SECRET_LENGTH ? [secret] : [];
      },
    },
  };
}

/** A secret's value, cached; `json` parses it. */
async function readSecret(arn: string, transform?: 'json'): Promise<unknown> {
  try {
    return await getSecret(arn, { transform, maxAge: SECRET_MAX_AGE_SECONDS });
  } catch (error) {
    throw new DependencyError(
      ErrorCode.SECRET_UNAVAILABLE,
      'could not read a secret from Secrets Manager',
      error,
    );
  }
}

/** Builds the Jira client from its secret on first use, and again when the secret changes. */
class SecretConfiguredJiraTracker implements TicketTracker {
  readonly #arn: string;
  #current: { raw: string; tracker: JiraCloudTracker } | undefined;

  constructor(arn: string) {
    this.#arn = arn;
  }

  async deliver(ticket: Parameters<TicketTracker['deliver']>[0]) {
    const secret = await readSecret(this.#arn, 'json');
    const raw = JSON.stringify(secret);
    if (this.#current?.raw !== raw) {
      const parsed = jiraConfigSchema.safeParse(secret);
      if (!parsed.success) {
        throw new DependencyError(ErrorCode.TRACKER_UNAVAILABLE, 'the Jira secret is not filled in yet');
      }
      this.#current = { raw, tracker: new JiraCloudTracker(parsed.data) };
    }
    return this.#current.tracker.deliver(ticket);
  }
}
