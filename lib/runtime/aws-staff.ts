import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { parseAccessPolicy } from '../access/access-policy.ts';
import { DynamoAccessStore } from '../access/dynamo-access-store.ts';
import { powertoolsMetrics } from '../access/powertools-metrics.ts';
import { DynamoAuditLog } from '../audit/dynamo-audit-log.ts';
import { ConfigError } from '../errors.ts';
import { KmsKeyRing } from '../keys/kms-key-ring.ts';
import { TenantKeys } from '../keys/tenant-keys.ts';
import { Pseudonymizer } from '../pseudonymize/pseudonymizer.ts';
import { DynamoTokenVault } from '../vault/dynamo-token-vault.ts';
import { AWS_CLIENT_CONFIG } from './aws-client-config.ts';
import { deployedTenantsJson } from './deployed-tenants.ts';
import type { StaffRuntime } from './runtime.ts';

const REQUIRED = ['VAULT_TABLE_NAME', 'KEY_ID', 'AUDIT_TABLE_NAME', 'ACCESS_TABLE_NAME'] as const;

/**
 * The staff API's runtime in AWS: the vault and its keys, the audit log, grants and metrics, and
 * nothing else. Kept apart from `awsRuntime` so that the staff function's bundle holds no Jira
 * client, queue, servicedesk adapter or detector it never uses.
 * @throws ConfigError naming every missing variable
 */
export function awsStaffRuntime(env: NodeJS.ProcessEnv = process.env): StaffRuntime {
  const missing = REQUIRED.filter((name) => !env[name]);
  if (missing.length > 0) throw new ConfigError(`the staff function has no ${missing.join(', ')}`);
  const [vaultTable, keyId, auditTable, accessTable] = REQUIRED.map((name) => env[name] as string) as [
    string,
    string,
    string,
    string,
  ];
  const days = env.AUDIT_RETENTION_DAYS;
  const dynamo = new DynamoDBClient(AWS_CLIENT_CONFIG);
  const vault = new DynamoTokenVault(dynamo, vaultTable);
  const tenantNames = namesOf(deployedTenantsJson(env));
  return {
    pseudonymizer: new Pseudonymizer({
      keys: new TenantKeys(new KmsKeyRing(new KMSClient(AWS_CLIENT_CONFIG), keyId), vault),
      vault,
    }),
    vault,
    audit: new DynamoAuditLog(dynamo, {
      tableName: auditTable,
      ...(days && { retentionDays: Number(days) }),
    }),
    access: new DynamoAccessStore(dynamo, accessTable),
    accessPolicy: parseAccessPolicy(env.ACCESS_POLICY, 'ACCESS_POLICY'),
    metrics: powertoolsMetrics(env.POWERTOOLS_SERVICE_NAME ?? 'staff-api'),
    knownTenants: async () => tenantNames,
  };
}

/** The deployment's tenants, from the configuration the stack validated at synthesis. */
function namesOf(deployed: { json: string; source: string } | undefined): string[] {
  if (!deployed) return [];
  try {
    return Object.keys(JSON.parse(deployed.json) as object).sort();
  } catch {
    throw new ConfigError(`${deployed.source} is not valid JSON`);
  }
}
