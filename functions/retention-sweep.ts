import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type SweepReport, sweepExpired } from '../lib/retention/sweep.ts';
import { DynamoTokenVault } from '../lib/vault/dynamo-token-vault.ts';
import type { TokenVault } from '../lib/vault/token-vault.ts';

/** The scheduled retention sweep. It needs no key: deleting an item is what destroys its data key. */
export function createRetentionSweepHandler(
  vault: () => TokenVault,
  logger: Logger = new Logger({ serviceName: 'retention-sweep' }),
): () => Promise<SweepReport> {
  return async () => {
    const report = await sweepExpired(vault());
    logger.info('retention sweep done', { ...report });
    return report;
  };
}

let vault: TokenVault | undefined;
export const handler = createRetentionSweepHandler(() => {
  const table = process.env.VAULT_TABLE_NAME;
  if (!table) throw new Error('VAULT_TABLE_NAME is not set');
  vault ??= new DynamoTokenVault(new DynamoDBClient({}), table);
  return vault;
});
