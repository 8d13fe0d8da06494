import { randomBytes } from 'node:crypto';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DependencyError, ErrorCode, TicketProxyError } from '../errors.ts';
import { epochSeconds } from '../vault/vault-table.ts';
import type { AccessStore } from './access-store.ts';
import { AccessTable, accessKeys } from './access-table.ts';
import { type Block, type Grant, isRole, type Role } from './grant.ts';

type Item = Record<string, AttributeValue>;

const DAY_SECONDS = 24 * 60 * 60;
const GRANT_FIELDS = [
  'user',
  'tenant',
  'role',
  'grantedBy',
  'grantedAt',
  'attestedBy',
  'attestedAt',
  'expiresAt',
] as const;

/** Grants, blocks and counters on DynamoDB (dynalite locally). */
export class DynamoAccessStore implements AccessStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string = AccessTable.defaultName) {
    this.#client = client;
    this.#table = tableName;
  }

  getGrant(user: string, tenant: string, role: Role): Promise<Grant | undefined> {
    return this.#guard('read a grant', async () => {
      const { Item: item } = await this.#client.send(
        new GetItemCommand({
          TableName: this.#table,
          Key: key(user, accessKeys.grant(tenant, role)),
          ConsistentRead: true,
        }),
      );
      return item && toGrant(item);
    });
  }

  listGrants(filter: { user?: string; tenant?: string } = {}): Promise<Grant[]> {
    return this.#guard('list grants', async () => {
      const items =
        filter.user === undefined
          ? await this.#scan('begins_with(sk, :prefix)', { ':prefix': { S: accessKeys.grantPrefix } })
          : await this.#query(filter.user, accessKeys.grantPrefix);
      return items
        .flatMap((item) => toGrant(item) ?? [])
        .filter((g) => filter.tenant === undefined || g.tenant === filter.tenant)
        .sort(
          (a, b) =>
            a.tenant.localeCompare(b.tenant) || a.user.localeCompare(b.user) || a.role.localeCompare(b.role),
        );
    });
  }

  putGrant(grant: Grant): Promise<void> {
    return this.#guard('write a grant', async () => {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: {
            ...key(grant.user, accessKeys.grant(grant.tenant, grant.role)),
            ...Object.fromEntries(GRANT_FIELDS.map((f) => [f, { S: grant[f] }])),
            ...(grant.lastUsedAt && { lastUsedAt: { S: grant.lastUsedAt } }),
          },
        }),
      );
    });
  }

  deleteGrant(user: string, tenant: string, role: Role): Promise<boolean> {
    return this.#guard('delete a grant', () =>
      this.#deleteExisting(key(user, accessKeys.grant(tenant, role))),
    );
  }

  markUsed(user: string, tenant: string, role: Role, at: Date): Promise<void> {
    return this.#guard('record a grant’s use', async () => {
      try {
        await this.#client.send(
          new UpdateItemCommand({
            TableName: this.#table,
            Key: key(user, accessKeys.grant(tenant, role)),
            UpdateExpression: 'SET lastUsedAt = :at',
            // Never recreate a grant revoked meanwhile, and never move the last use backwards.
            ConditionExpression:
              'attribute_exists(pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :at)',
            ExpressionAttributeValues: { ':at': { S: at.toISOString() } },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    });
  }

  recordDenial(user: string, at: Date, since: Date): Promise<number> {
    return this.#guard('record a rejected attempt', async () => {
      const window = Math.max(0, epochSeconds(at) - epochSeconds(since));
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: {
            ...key(user, accessKeys.denial(at, randomBytes(6).toString('hex'))),
            [AccessTable.timeToLiveAttribute]: { N: String(epochSeconds(at) + window + DAY_SECONDS) },
          },
        }),
      );
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': { S: accessKeys.user(user) },
            ':from': { S: accessKeys.denialsSince(since) },
            ':to': { S: accessKeys.denialsEnd },
          },
          Select: 'COUNT',
          ConsistentRead: true,
        }),
      );
      return page.Count ?? 0;
    });
  }

  getBlock(user: string): Promise<Block | undefined> {
    return this.#guard('read a block', async () => {
      const { Item: item } = await this.#client.send(
        new GetItemCommand({
          TableName: this.#table,
          Key: key(user, accessKeys.block),
          ConsistentRead: true,
        }),
      );
      return item && toBlock(item);
    });
  }

  putBlock(block: Block): Promise<boolean> {
    return this.#guard('write a block', async () => {
      try {
        await this.#client.send(
          new PutItemCommand({
            TableName: this.#table,
            Item: {
              ...key(block.user, accessKeys.block),
              user: { S: block.user },
              blockedAt: { S: block.blockedAt },
              denials: { N: String(block.denials) },
              lastRecordId: { S: block.lastRecordId },
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    });
  }

  deleteBlock(user: string): Promise<boolean> {
    return this.#guard('delete a block', async () => {
      const denials = await this.#query(user, accessKeys.denialPrefix);
      await Promise.all(
        denials.map((item) =>
          this.#client.send(
            new DeleteItemCommand({ TableName: this.#table, Key: { pk: item.pk, sk: item.sk } as Item }),
          ),
        ),
      );
      return this.#deleteExisting(key(user, accessKeys.block));
    });
  }

  listBlocks(): Promise<Block[]> {
    return this.#guard('list blocks', async () =>
      (await this.#scan('sk = :block', { ':block': { S: accessKeys.block } }))
        .map(toBlock)
        .sort((a, b) => a.blockedAt.localeCompare(b.blockedAt)),
    );
  }

  countTokens(user: string, at: Date, count: number): Promise<number> {
    return this.#guard('count re-identified tokens', async () => {
      const out = await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: key(user, accessKeys.rate(at)),
          UpdateExpression: 'ADD tokens :n SET #ttl = :ttl',
          ExpressionAttributeNames: { '#ttl': AccessTable.timeToLiveAttribute },
          ExpressionAttributeValues: {
            ':n': { N: String(count) },
            ':ttl': { N: String(epochSeconds(at) + 2 * DAY_SECONDS) },
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(out.Attributes?.tokens?.N ?? count);
    });
  }

  async #deleteExisting(Key: Item): Promise<boolean> {
    try {
      await this.#client.send(
        new DeleteItemCommand({ TableName: this.#table, Key, ConditionExpression: 'attribute_exists(pk)' }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  #query(user: string, prefix: string): Promise<Item[]> {
    return allPages((start) =>
      this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': { S: accessKeys.user(user) }, ':prefix': { S: prefix } },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      ),
    );
  }

  /** Grants and blocks are few (people, not tickets): a filtered scan is the simple way to list them. */
  #scan(filter: string, values: Item): Promise<Item[]> {
    return allPages((start) =>
      this.#client.send(
        new ScanCommand({
          TableName: this.#table,
          FilterExpression: filter,
          ExpressionAttributeValues: values,
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      ),
    );
  }

  async #guard<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof TicketProxyError) throw error;
      throw new DependencyError(ErrorCode.ACCESS_UNAVAILABLE, `access store could not ${what}`, error);
    }
  }
}

/** Every item of a Query or Scan, page after page. */
async function allPages(
  page: (start: Item | undefined) => Promise<{ Items?: Item[]; LastEvaluatedKey?: Item }>,
) {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const out = await page(start);
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

const key = (user: string, sk: string): Item => ({ pk: { S: accessKeys.user(user) }, sk: { S: sk } });

/** A damaged item is no grant at all: it grants nothing, and the review does not show it. */
function toGrant(item: Item): Grant | undefined {
  const fields = Object.fromEntries(GRANT_FIELDS.map((f) => [f, item[f]?.S]));
  if (GRANT_FIELDS.some((f) => fields[f] === undefined) || !isRole(fields.role)) return undefined;
  return {
    ...(fields as Omit<Grant, 'lastUsedAt'>),
    ...(item.lastUsedAt?.S && { lastUsedAt: item.lastUsedAt.S }),
  };
}

/** A block item, damaged or not, still blocks: the user is taken from its key. */
function toBlock(item: Item): Block {
  return {
    user: item.user?.S ?? (item.pk?.S ?? '').slice(accessKeys.user('').length),
    blockedAt: item.blockedAt?.S ?? '',
    denials: Number(item.denials?.N ?? 0),
    lastRecordId: item.lastRecordId?.S ?? '',
  };
}
