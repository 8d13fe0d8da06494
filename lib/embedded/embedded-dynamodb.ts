import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { Agent, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import dynalite from 'dynalite';
import { Level } from 'level';
import { AccessTable } from '../access/access-table.ts';
import { AuditTable } from '../audit/audit-table.ts';
import { ErrorCode, TicketProxyError } from '../errors.ts';
import { VaultTable } from '../vault/vault-table.ts';

export interface EmbeddedDynamo {
  client: DynamoDBClient;
  /** `http://127.0.0.1:PORT` in memory, or `unix:PATH` for a data directory's database. */
  endpoint: string;
  close(): Promise<void>;
}

export interface EmbeddedDynamoOptions {
  /** Data directory; the database lives in `dataDir/dynamodb`. Omit for an in-memory database (tests). */
  dataDir?: string;
  /**
   * `serve`: this process serves the database itself, waiting up to 30 s for another holder (a CLI
   * run) to finish. `share`: use the database whoever serves it, taking over if they stop.
   * @default 'share'
   */
  role?: 'serve' | 'share';
  /** How long `serve` waits for another holder. @default 30 s */
  serveWaitMs?: number;
  /** Tables to create if missing (both layouts share the `pk`/`sk` key). @default the vault and audit tables */
  tables?: readonly string[];
}

// dynalite ignores region and credentials; the SDK still needs them to sign.
const EMBEDDED_CLIENT = {
  region: 'eu-north-1',
  credentials: { accessKeyId: 'embedded', secretAccessKey: 'embedded' },
} as const;

/** How long a sharing process keeps retrying while the database changes hands. */
const HANDOVER_MS = 10_000;
/** Unix socket paths are limited to about 107 bytes. */
const MAX_SOCKET_PATH = 100;
/** Failures that mean nobody serves the socket right now (the request did not get an answer). */
const NOT_SERVED = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

/**
 * DynamoDB on this machine: dynalite on LevelDB, spoken to through the real AWS SDK client.
 *
 * LevelDB admits one process. Whichever process holds the data directory's lock serves the database
 * on a Unix socket inside the 0700 data directory (other users of the machine cannot reach it); every
 * other process (the CLI while `npm start` runs) talks to that socket. When the serving process exits,
 * the next request from a sharing process takes the lock and serves the same socket itself.
 */
export async function openEmbeddedDynamo(options: EmbeddedDynamoOptions = {}): Promise<EmbeddedDynamo> {
  const embedded = options.dataDir
    ? await openOnDisk(options.dataDir, options.role ?? 'share', options.serveWaitMs ?? 30_000)
    : await serveInMemory();
  try {
    for (const table of options.tables ?? [
      VaultTable.defaultName,
      AuditTable.defaultName,
      AccessTable.defaultName,
    ])
      await ensureTable(embedded.client, table);
  } catch (error) {
    await embedded.close();
    throw error;
  }
  return embedded;
}

async function openOnDisk(
  dataDir: string,
  role: 'serve' | 'share',
  serveWaitMs: number,
): Promise<EmbeddedDynamo> {
  const database = new DataDirDatabase(dataDir);
  await mkdir(database.path, { recursive: true, mode: 0o700 });
  if (role === 'serve') {
    const deadline = Date.now() + serveWaitMs;
    while (!(await database.serveIfFree())) {
      if (Date.now() >= deadline) {
        throw new TicketProxyError(
          ErrorCode.DATA_DIR_IN_USE,
          `another process holds the database in ${dataDir} (another npm start, or a long CLI run); stop it or use another TICKET_PROXY_DATA_DIR`,
        );
      }
      await sleep(100);
    }
  } else {
    await database.serveIfFree();
  }
  const client = socketClient(database);
  return {
    client,
    endpoint: `unix:${database.socket}`,
    close: async () => {
      client.destroy();
      await database.stopServing();
    },
  };
}

/** One data directory's database, and this process's part in serving it. */
class DataDirDatabase {
  readonly path: string;
  readonly socket: string;
  readonly #lockPath: string;
  #serving: { lock: Level; close: () => Promise<void> } | undefined;
  #electing: Promise<boolean> | undefined;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'dynamodb');
    this.#lockPath = join(dataDir, 'dynamodb.lock');
    const local = join(dataDir, 'dynamodb.sock');
    // A deep data directory gets its socket in a private directory named after it.
    const hash = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
    this.socket =
      local.length <= MAX_SOCKET_PATH ? local : join(tmpdir(), `ticket-proxy-${hash}`, 'dynamodb.sock');
  }

  /** Serves the database if no other process holds it; true when this process serves it now. */
  serveIfFree(): Promise<boolean> {
    this.#electing ??= this.#serveIfFree().finally(() => {
      this.#electing = undefined;
    });
    return this.#electing;
  }

  async #serveIfFree(): Promise<boolean> {
    if (this.#serving) return true;
    // The lock is a LevelDB of its own, held while serving; the OS releases it if the process dies.
    const lock = new Level(this.#lockPath);
    try {
      await lock.open();
    } catch (error) {
      if ((error as { cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED') return false;
      throw error;
    }
    try {
      await mkdir(join(this.socket, '..'), { recursive: true, mode: 0o700 });
      await rm(this.socket, { force: true }); // left by an owner that crashed
      const server = dynalite({ path: this.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.socket, () => resolve());
      });
      this.#serving = {
        lock,
        close: () => closeGracefully(server),
      };
      return true;
    } catch (error) {
      await lock.close();
      throw error;
    }
  }

  async stopServing(): Promise<void> {
    const serving = this.#serving;
    this.#serving = undefined;
    if (!serving) return;
    await serving.close();
    await rm(this.socket, { force: true });
    await serving.lock.close();
  }
}

/** Sends every request to the socket; when nobody serves it, takes over serving and tries again. */
class SocketHandler extends NodeHttpHandler {
  readonly #database: DataDirDatabase;

  constructor(database: DataDirDatabase) {
    const httpAgent = new Agent({ keepAlive: true });
    // Every connection goes to the socket, whatever host the SDK names.
    httpAgent.createConnection = () => connect(database.socket);
    super({ httpAgent });
    this.#database = database;
  }

  override async handle(
    ...args: Parameters<NodeHttpHandler['handle']>
  ): ReturnType<NodeHttpHandler['handle']> {
    const deadline = Date.now() + HANDOVER_MS;
    for (;;) {
      try {
        return await super.handle(...args);
      } catch (error) {
        if (!NOT_SERVED.has((error as NodeJS.ErrnoException).code ?? '') || Date.now() >= deadline)
          throw error;
        // Requests here are reads or conditional writes, so sending one again is safe.
        await this.#database.serveIfFree();
        await sleep(20);
      }
    }
  }
}

function socketClient(database: DataDirDatabase): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: 'http://localhost',
    ...EMBEDDED_CLIENT,
    requestHandler: new SocketHandler(database),
  });
}

async function serveInMemory(): Promise<EmbeddedDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    ...EMBEDDED_CLIENT,
  });
  return {
    client,
    endpoint,
    close: async () => {
      client.destroy();
      await closeGracefully(server);
    },
  };
}

/** How long requests that are still being answered get before their connections are cut. */
const CLOSE_GRACE_MS = 2_000;

/**
 * Stops taking connections and waits for the requests in flight, which may come from other
 * processes sharing the data directory. Cutting them at once let dynalite answer one after its
 * database had closed, and it then threw out of a callback, killing this process.
 */
async function closeGracefully(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
  cut.unref();
  await closed;
  clearTimeout(cut);
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
    await sleep(10);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
