import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DependencyError, ErrorCode, TicketProxyError, TokenCollisionError } from '../errors.ts';
import type { KeyPurpose } from '../keys/key-ring.ts';
import type { TokenKind } from '../pseudonymize/token.ts';
import type { TokenVault, VaultEntry } from './token-vault.ts';
import { VaultTable, vaultKeys } from './vault-table.ts';

type Item = Record<string, AttributeValue>;

const BATCH_GET_LIMIT = 100;
/** DynamoDB returns unprocessed keys under throttling; after this many rounds the vault counts as down. */
const BATCH_GET_ROUNDS = 8;
const PUT_CONCURRENCY = 16;
const ONLY_IF_NEW = {
  ConditionExpression: 'attribute_not_exists(#pk)',
  ExpressionAttributeNames: { '#pk': 'pk' },
};

const keyOf = (tenant: string, token: string): Item => {
  const { pk, sk } = vaultKeys.token(tenant, token);
  return { pk: { S: pk }, sk: { S: sk } };
};

/** The token vault on DynamoDB (and on dynalite, the embedded default). */
export class DynamoTokenVault implements TokenVault {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string = VaultTable.defaultName) {
    this.#client = client;
    this.#table = tableName;
  }

  async recordTokens(entries: readonly VaultEntry[]): Promise<void> {
    return this.#guard('record tokens', async () => {
      const stored = await this.#fingerprints(entries);
      const missing = entries.filter((entry) => {
        const fingerprint = stored.get(`${entry.tenant}#${entry.token}`);
        if (fingerprint) assertSameValue(entry, fingerprint);
        return !fingerprint;
      });
      for (let i = 0; i < missing.length; i += PUT_CONCURRENCY) {
        await Promise.all(missing.slice(i, i + PUT_CONCURRENCY).map((entry) => this.#putNew(entry)));
      }
    });
  }

  async getToken(tenant: string, token: string): Promise<VaultEntry | undefined> {
    return this.#guard('read a token', async () => {
      const out = await this.#client.send(
        new GetItemCommand({ TableName: this.#table, Key: keyOf(tenant, token), ConsistentRead: true }),
      );
      const item = out.Item;
      if (!item?.ct?.B || !item.dk?.B || !item.fp?.B || !item.kind?.S) return undefined;
      return {
        tenant,
        token,
        kind: item.kind.S as TokenKind,
        fingerprint: item.fp.B,
        ciphertext: item.ct.B,
        wrappedKey: item.dk.B,
        createdAt: item.created?.S ?? '',
      };
    });
  }

  async getTenantKey(tenant: string, purpose: KeyPurpose): Promise<Uint8Array | undefined> {
    return this.#guard('read a tenant key', async () => {
      const { pk, sk } = vaultKeys.tenantKey(tenant, purpose);
      const out = await this.#client.send(
        new GetItemCommand({
          TableName: this.#table,
          Key: { pk: { S: pk }, sk: { S: sk } },
          ConsistentRead: true,
        }),
      );
      return out.Item?.wrapped?.B;
    });
  }

  async putTenantKeyIfAbsent(tenant: string, purpose: KeyPurpose, wrapped: Uint8Array): Promise<Uint8Array> {
    return this.#guard('store a tenant key', async () => {
      const { pk, sk } = vaultKeys.tenantKey(tenant, purpose);
      try {
        await this.#client.send(
          new PutItemCommand({
            TableName: this.#table,
            Item: {
              pk: { S: pk },
              sk: { S: sk },
              wrapped: { B: wrapped },
              created: { S: new Date().toISOString() },
            },
            ...ONLY_IF_NEW,
          }),
        );
        return wrapped;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const winner = await this.getTenantKey(tenant, purpose);
        if (!winner) throw error;
        return winner;
      }
    });
  }

  /** Fingerprints of the entries already stored, by `tenant#token`, read in batches. */
  async #fingerprints(entries: readonly VaultEntry[]): Promise<Map<string, Uint8Array>> {
    const found = new Map<string, Uint8Array>();
    const unique = [...new Map(entries.map((e) => [`${e.tenant}#${e.token}`, e])).values()];
    for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
      let keys: Item[] | undefined = unique
        .slice(i, i + BATCH_GET_LIMIT)
        .map((e) => keyOf(e.tenant, e.token));
      for (let attempt = 0; keys && keys.length > 0; attempt++) {
        if (attempt >= BATCH_GET_ROUNDS) throw new Error('BatchGetItem left keys unprocessed');
        if (attempt > 0) await delay(Math.min(1000, 25 * 2 ** attempt));
        const out: BatchGetItemCommandOutput = await this.#client.send(
          new BatchGetItemCommand({
            RequestItems: {
              [this.#table]: { Keys: keys, ConsistentRead: true, ProjectionExpression: 'pk, fp' },
            },
          }),
        );
        for (const item of out.Responses?.[this.#table] ?? []) {
          if (item.pk?.S && item.fp?.B) found.set(item.pk.S.slice('TOKEN#'.length), item.fp.B);
        }
        keys = out.UnprocessedKeys?.[this.#table]?.Keys;
      }
    }
    return found;
  }

  async #putNew(entry: VaultEntry): Promise<void> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: {
            ...keyOf(entry.tenant, entry.token),
            tenant: { S: entry.tenant },
            kind: { S: entry.kind },
            fp: { B: entry.fingerprint },
            ct: { B: entry.ciphertext },
            dk: { B: entry.wrappedKey },
            created: { S: entry.createdAt },
          },
          ...ONLY_IF_NEW,
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Another writer stored this token first: fine if it is the same value.
      const stored = await this.getToken(entry.tenant, entry.token);
      if (!stored) throw error;
      assertSameValue(entry, stored.fingerprint);
    }
  }

  /** SDK errors become the vault's own; callers never see SDK types or table details. */
  async #guard<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof TicketProxyError) throw error;
      throw new DependencyError(ErrorCode.VAULT_UNAVAILABLE, `vault could not ${what}`, error);
    }
  }
}

function assertSameValue(entry: VaultEntry, storedFingerprint: Uint8Array): void {
  if (Buffer.compare(entry.fingerprint, storedFingerprint) !== 0) {
    throw new TokenCollisionError(entry.tenant, entry.token);
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
