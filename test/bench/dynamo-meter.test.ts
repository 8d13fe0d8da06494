import {
  BatchWriteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { VaultTable } from '../../lib/vault/vault-table.ts';
import { meterDynamo, perTicket } from './dynamo-meter.ts';

const dynamo = await openEmbeddedDynamo();
afterAll(() => dynamo.close());
const TableName = VaultTable.defaultName;
const item = (sk: string) => ({ pk: { S: 'METER#1' }, sk: { S: sk }, v: { S: 'x'.repeat(10) } });

describe('meterDynamo', () => {
  it('counts requests, items and capacity units, split into reads and writes', async () => {
    const meter = meterDynamo(dynamo.client);
    await dynamo.client.send(new PutItemCommand({ TableName, Item: item('A') }));
    await dynamo.client.send(
      new BatchWriteItemCommand({
        RequestItems: { [TableName]: ['B', 'C', 'D'].map((sk) => ({ PutRequest: { Item: item(sk) } })) },
      }),
    );
    const writes = meter.take();
    expect(writes).toMatchObject({ writeRequests: 2, writeItems: 4, writeUnits: 4, readRequests: 0 });

    await dynamo.client.send(new GetItemCommand({ TableName, Key: { pk: item('A').pk, sk: item('A').sk } }));
    await dynamo.client.send(
      new QueryCommand({
        TableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'METER#1' } },
      }),
    );
    const reads = meter.take();
    expect(reads).toMatchObject({ readRequests: 2, readItems: 5, writeRequests: 0 });
    expect(reads.readUnits).toBeGreaterThan(0);
    expect(meter.total.writeItems).toBe(4);
    expect(perTicket(writes, 2).writeItems).toBe(2);
  });
});
