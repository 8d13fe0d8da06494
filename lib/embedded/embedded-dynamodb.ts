import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { Level } from 'level';
import { ErrorCode, TicketProxyError } from '../errors.ts';
import { VaultTable } from '../vault/vault-table.ts';

export interface EmbeddedDynamo {
  client: DynamoDBClient;
  endpoint: string;
  close(): Promise<void>;
}

export interface EmbeddedDynamoOptions {
  /** Data directory; the database lives in `dataDir/dynamodb`. Omit for an in-memory database (tests). */
  dataDir?: string;
  /** Tables to create if missing. @default [VaultTable.defaultName] */
  tables?: readonly string[];
}

/**
 * DynamoDB on this machine: dynalite on LevelDB, spoken to through the real AWS SDK client.
 * LevelDB admits one process, so the first process to open a data directory serves it on loopback
 * and publishes its endpoint; later processes (the CLI while `npm start` runs) connect to that.
 */
export async function openEmbeddedDynamo(options: EmbeddedDynamoOptions = {}): Promise<EmbeddedDynamo> {
  const embedded = options.dataDir ? await openOnDisk(options.dataDir) : await serve(undefined);
  try {
    for (const table of options.tables ?? [VaultTable.defaultName]) await ensureTable(embedded.client, table);
  } catch (error) {
    await embedded.close();
    throw error;
  }
  return embedded;
}

async function openOnDisk(dataDir: string): Promise<EmbeddedDynamo> {
  const path = join(dataDir, 'dynamodb');
  const endpointFile = join(dataDir, 'dynamodb.endpoint');
  await mkdir(path, { recursive: true, mode: 0o700 });
  if (await canLock(path)) {
    const embedded = await serve(path);
    await writeFile(endpointFile, embedded.endpoint, { mode: 0o600 });
    return {
      ...embedded,
      close: async () => {
        await rm(endpointFile, { force: true });
        await embedded.close();
      },
    };
  }
  const endpoint = (await readFile(endpointFile, 'utf8').catch(() => '')).trim();
  const client = endpoint ? clientFor(endpoint) : undefined;
  if (
    !client ||
    !(await client.send(new ListTablesCommand({ Limit: 1 })).then(
      () => true,
      () => false,
    ))
  ) {
    client?.destroy();
    throw new TicketProxyError(
      ErrorCode.DATA_DIR_IN_USE,
      `the database in ${path} is locked by another process that does not serve it; stop that process and retry`,
    );
  }
  return { client, endpoint, close: async () => client.destroy() };
}

async function canLock(path: string): Promise<boolean> {
  const probe = new Level(path);
  try {
    await probe.open();
    await probe.close();
    return true;
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED') return false;
    throw error;
  }
}

async function serve(path: string | undefined): Promise<EmbeddedDynamo> {
  const server = dynalite({ ...(path && { path }), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = clientFor(endpoint);
  return {
    client,
    endpoint,
    close: async () => {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function clientFor(endpoint: string): DynamoDBClient {
  // dynalite ignores credentials; the SDK still signs, so it needs some.
  return new DynamoDBClient({
    endpoint,
    region: 'eu-north-1',
    credentials: { accessKeyId: 'embedded', secretAccessKey: 'embedded' },
  });
}

async function ensureTable(client: DynamoDBClient, table: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: table }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client
    .send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: VaultTable.partitionKey, AttributeType: 'S' },
          { AttributeName: VaultTable.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: VaultTable.partitionKey, KeyType: 'HASH' },
          { AttributeName: VaultTable.sortKey, KeyType: 'RANGE' },
        ],
      }),
    )
    .catch((error: unknown) => {
      // Two processes may create the table at once; the loser finds it in use.
      if ((error as Error).name !== 'ResourceInUseException') throw error;
    });
  for (;;) {
    const out = await client.send(new DescribeTableCommand({ TableName: table }));
    if (out.Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
