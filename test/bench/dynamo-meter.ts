// Counts what a DynamoDB client asks for, the way on-demand DynamoDB bills it: requests, items (a batch
// counts each of its items) and the capacity units the database reports, split into reads and writes.
// An AWS SDK middleware on the bench's own client; nothing in lib/ knows about it.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const READS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand']);
const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

export interface DynamoCounts {
  readRequests: number;
  /** Items read: 1 for GetItem, each key of a BatchGetItem, each item a Query or Scan returned. */
  readItems: number;
  /** Read request units (RRU), as the database reported them (ReturnConsumedCapacity). */
  readUnits: number;
  writeRequests: number;
  /** Items written: 1 for PutItem, UpdateItem and DeleteItem, each item of a batch or transaction. */
  writeItems: number;
  /** Write request units (WRU), as reported. */
  writeUnits: number;
}

export const zero = (): DynamoCounts => ({
  readRequests: 0,
  readItems: 0,
  readUnits: 0,
  writeRequests: 0,
  writeItems: 0,
  writeUnits: 0,
});

type Input = Record<string, unknown>;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const lengths = (record: unknown, key?: string) =>
  sum(
    Object.values((record ?? {}) as Record<string, unknown>).map((v) =>
      key ? (((v as Input)[key] as unknown[] | undefined)?.length ?? 0) : ((v as unknown[])?.length ?? 0),
    ),
  );

function itemsWritten(command: string, input: Input): number {
  if (command === 'BatchWriteItemCommand') return lengths(input.RequestItems);
  if (command === 'TransactWriteItemsCommand')
    return (input.TransactItems as unknown[] | undefined)?.length ?? 0;
  return 1;
}

function itemsRead(command: string, input: Input, output: Input): number {
  if (command === 'BatchGetItemCommand') return lengths(input.RequestItems, 'Keys');
  if (command === 'QueryCommand' || command === 'ScanCommand') return Number(output.Count ?? 0);
  return 1;
}

function units(output: Input): number {
  const consumed = output.ConsumedCapacity as { CapacityUnits?: number } | { CapacityUnits?: number }[];
  const all = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  return sum(all.map((c) => c.CapacityUnits ?? 0));
}

/** Starts counting every request the client sends; `take()` returns the counts since the last take. */
export function meterDynamo(client: DynamoDBClient): { total: DynamoCounts; take(): DynamoCounts } {
  const total = zero();
  let mark = zero();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      const input = args.input as Input;
      const isRead = READS.has(command);
      const isWrite = WRITES.has(command);
      if (isRead || isWrite) input.ReturnConsumedCapacity ??= 'TOTAL';
      const result = await next(args);
      const output = (result.output ?? {}) as unknown as Input;
      if (isRead) {
        total.readRequests++;
        total.readItems += itemsRead(command, input, output);
        total.readUnits += units(output);
      } else if (isWrite) {
        total.writeRequests++;
        total.writeItems += itemsWritten(command, input);
        total.writeUnits += units(output);
      }
      return result;
    },
    { step: 'initialize', name: 'benchDynamoMeter' },
  );
  return {
    total,
    take() {
      const since = Object.fromEntries(
        Object.entries(total).map(([k, v]) => [k, v - mark[k as keyof DynamoCounts]]),
      ) as unknown as DynamoCounts;
      mark = { ...total };
      return since;
    },
  };
}

/** Counts divided by a number of tickets. */
export const perTicket = (counts: DynamoCounts, tickets: number): DynamoCounts =>
  Object.fromEntries(
    Object.entries(counts).map(([k, v]) => [k, v / Math.max(1, tickets)]),
  ) as unknown as DynamoCounts;
