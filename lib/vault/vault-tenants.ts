import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DependencyError, ErrorCode } from '../errors.ts';
import { VaultTable } from './vault-table.ts';

const TENANT_PREFIX = 'TENANT#';

/**
 * Every tenant the vault holds keys for (a tenant gets its keys with its first token), sorted.
 * A full scan, projected to the key: meant for the operator's CLI, not for a request path.
 * @throws DependencyError VAULT_UNAVAILABLE when the table cannot be read.
 */
export async function listVaultTenants(
  client: DynamoDBClient,
  tableName: string = VaultTable.defaultName,
): Promise<string[]> {
  const tenants = new Set<string>();
  let start: Record<string, AttributeValue> | undefined;
  try {
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: tableName,
          FilterExpression: 'begins_with(pk, :tenant)',
          ExpressionAttributeValues: { ':tenant': { S: TENANT_PREFIX } },
          ProjectionExpression: 'pk',
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) tenants.add((item.pk?.S ?? '').slice(TENANT_PREFIX.length));
      start = page.LastEvaluatedKey;
    } while (start);
  } catch (error) {
    throw new DependencyError(ErrorCode.VAULT_UNAVAILABLE, 'vault could not list tenants', error);
  }
  return [...tenants].filter(Boolean).sort();
}
