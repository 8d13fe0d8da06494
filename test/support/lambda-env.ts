import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeSecretsManager } from './fake-secrets-manager.ts';

/**
 * Points the Lambda handlers' runtime (lib/runtime/aws.ts, configured by environment as the stack
 * configures it) at loopback stand-ins: each tenant's webhook secret and the Jira secret go into the
 * fake Secrets Manager, the tenants into a bundle's `tenants.json`, and every endpoint into the
 * environment, as the real SDK clients read them.
 */
export function pointLambdaAt(stand: {
  dynamo: string;
  kms: string;
  keyId: string;
  secrets: FakeSecretsManager;
  sqs: string;
  jira: string;
  /** Webhook secret of each tenant. */
  tenants: Record<string, string>;
}): void {
  for (const [tenant, secret] of Object.entries(stand.tenants)) {
    stand.secrets.secrets.set(`ticket-proxy/webhook/${tenant}`, secret);
  }
  // The tenants' configuration as the stack writes it into each function's bundle.
  const bundle = mkdtempSync(join(tmpdir(), 'ticket-proxy-bundle-'));
  process.once('exit', () => rmSync(bundle, { recursive: true, force: true }));
  const tenants = Object.fromEntries(Object.keys(stand.tenants).map((t) => [t, {}]));
  writeFileSync(join(bundle, 'tenants.json'), JSON.stringify(tenants));
  stand.secrets.secrets.set(
    'arn:jira',
    JSON.stringify({ baseUrl: stand.jira, email: 'bot@example.invalid', apiToken: 'tok', projectKey: 'DEV' }),
  );
  Object.assign(process.env, {
    AWS_REGION: 'eu-north-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: stand.dynamo,
    AWS_ENDPOINT_URL_KMS: stand.kms,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: stand.secrets.url,
    AWS_ENDPOINT_URL_SQS: stand.sqs,
    QUEUE_URL: `${stand.sqs}/123456789012/ticket-proxy-jobs.fifo`,
    VAULT_TABLE_NAME: 'ticket-proxy-vault',
    KEY_ID: stand.keyId,
    LAMBDA_TASK_ROOT: bundle,
    TENANTS_CONFIG_FILE: 'tenants.json',
    WEBHOOK_SECRET_PREFIX: 'ticket-proxy/webhook/',
    JIRA_SECRET_ARN: 'arn:jira',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
}
