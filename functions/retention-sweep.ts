import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import type { AuditLog } from '../lib/audit/audit-log.ts';
import { DynamoAuditLog } from '../lib/audit/dynamo-audit-log.ts';
import { type SweepReport, sweepExpired } from '../lib/retention/sweep.ts';
import { DynamoTokenVault } from '../lib/vault/dynamo-token-vault.ts';
import type { TokenVault } from '../lib/vault/token-vault.ts';

/**
 * The scheduled retention sweep. It needs no key: deleting an item is what destroys its data key.
 * Each ticket deleted is recorded in the audit log.
 */
export function createRetentionSweepHandler(
  deps: () => { vault: TokenVault; audit: Pick<AuditLog, 'append'> },
  logger: Logger = new Logger({ serviceName: 'retention-sweep' }),
): (event?: unknown, context?: Context) => Promise<SweepReport> {
  return async (_event, context) => {
    // The invocation's ids (function_request_id) on its lines; the sweep appends no keys of its own.
    if (context) logger.addContext(context);
    const { vault, audit } = deps();
    const report = await sweepExpired(vault, audit);
    logger.info('retention sweep done', { ...report });
    return report;
  };
}

let aws: { vault: TokenVault; audit: DynamoAuditLog } | undefined;
export const handler = createRetentionSweepHandler(() => {
  const { VAULT_TABLE_NAME: table, AUDIT_TABLE_NAME: auditTable, AUDIT_RETENTION_DAYS: days } = process.env;
  if (!table || !auditTable) throw new Error('VAULT_TABLE_NAME and AUDIT_TABLE_NAME must be set');
  const client = new DynamoDBClient({});
  aws ??= {
    vault: new DynamoTokenVault(client, table),
    audit: new DynamoAuditLog(client, {
      tableName: auditTable,
      ...(days && { retentionDays: Number(days) }),
    }),
  };
  return aws;
});
