import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { VaultTable } from '../../lib/vault/vault-table.ts';

/** Every attribute of every vault item as text (binary read as UTF-8 and Latin-1), for leak searches. */
export async function storedText(
  client: DynamoDBClient,
  table: string = VaultTable.defaultName,
): Promise<string> {
  const parts: string[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      for (const value of Object.values(item)) {
        if (value.S !== undefined) parts.push(value.S);
        if (value.B !== undefined)
          parts.push(Buffer.from(value.B).toString('utf8'), Buffer.from(value.B).toString('latin1'));
        if (value.N !== undefined) parts.push(value.N);
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return parts.join('\n');
}
