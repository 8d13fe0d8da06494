import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { DependencyError, ErrorCode, TicketProxyError, TokenCollisionError } from '../errors.ts';
import type { KeyPurpose } from '../keys/key-ring.ts';
import type { TokenKind } from '../pseudonymize/token.ts';
import type { TicketRecord, TicketReference, TokenVault, VaultEntry } from './token-vault.ts';
import { epochSeconds, parsePartition, TTL_GRACE_SECONDS, VaultTable, vaultKeys } from './vault-table.ts';

type Item = Record<string, AttributeValue>;

const BATCH_WRITE_LIMIT = 25;
/** DynamoDB returns unprocessed items under throttling; after this many rounds the vault counts as down. */
const BATCH_ROUNDS = 8;
const WRITE_CONCURRENCY = 16;

const keyOf = ({ pk, sk }: { pk: string; sk: string }): Item => ({ pk: { S: pk }, sk: { S: sk } });

/** `:e` (retention end) and `:ttl` (a week later), as expression values. */
const expiry = (date: Date) => ({
  ':e': { N: String(epochSeconds(date)) },
  ':ttl': { N: String(epochSeconds(date) + TTL_GRACE_SECONDS) },
});
/** The same, as item attributes. */
const stamp = (values: ReturnType<typeof expiry>) => ({ expiresAt: values[':e'], ttl: values[':ttl'] });
const seconds = (item: Item | undefined) => Number(item?.expiresAt?.N ?? 0);

/** Deletes only what is still expired: anything a writer renewed since the sweep looked stays. */
const STILL_EXPIRED = { ConditionExpression: 'expiresAt <= :now' } as const;

/** The token vault on DynamoDB (and on dynalite, the embedded default). */
export class DynamoTokenVault implements TokenVault {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string = VaultTable.defaultName) {
    this.#client = client;
    this.#table = tableName;
  }

  recordTokens(ticket: TicketReference, entries: readonly VaultEntry[]): Promise<void> {
    return this.#guard('record tokens', async () => {
      const expires = expiry(ticket.expiresAt);
      const tokens = new Set(entries.map((e) => e.token));
      // Tokens an earlier event of this ticket used keep being referenced, but only as long as the
      // ticket now lives: a ticket closed early must not keep them longer.
      const earlier = (await this.#partition(vaultKeys.ticket(ticket.tenant, ticket.ticketId).pk))
        .map((i) => i.sk?.S ?? '')
        .filter((sk) => sk.startsWith('REF#'))
        .map((sk) => sk.slice('REF#'.length));
      const referenced = [...new Set([...tokens, ...earlier])];
      // The ticket and the references first, the tokens last: a sweep running concurrently then never
      // finds a token unused while a live ticket is about to use it.
      await Promise.all([
        this.#client.send(
          new UpdateItemCommand({
            TableName: this.#table,
            Key: keyOf(vaultKeys.ticket(ticket.tenant, ticket.ticketId)),
            UpdateExpression:
              'SET expiresAt = :e, #ttl = :ttl, updated = :now, firstSeen = if_not_exists(firstSeen, :first)',
            ExpressionAttributeNames: { '#ttl': VaultTable.timeToLiveAttribute },
            ExpressionAttributeValues: {
              ...expires,
              ':now': { S: (ticket.seenAt ?? new Date()).toISOString() },
              ':first': { S: (ticket.startedAt ?? ticket.seenAt ?? new Date()).toISOString() },
            },
          }),
        ),
        this.#batchWrite(
          referenced.flatMap((token) => [
            {
              PutRequest: {
                Item: {
                  ...keyOf(vaultKeys.ticketRef(ticket.tenant, ticket.ticketId, token)),
                  ...stamp(expires),
                },
              },
            },
            {
              PutRequest: {
                Item: {
                  ...keyOf(vaultKeys.tokenRef(ticket.tenant, token, ticket.ticketId)),
                  ...stamp(expires),
                },
              },
            },
          ]),
        ),
      ]);
      for (let i = 0; i < entries.length; i += WRITE_CONCURRENCY) {
        await Promise.all(entries.slice(i, i + WRITE_CONCURRENCY).map((e) => this.#upsertToken(ticket, e)));
      }
    });
  }

  getToken(tenant: string, token: string, now: Date): Promise<VaultEntry | undefined> {
    return this.#guard('read a token', async () => {
      const { item, live } = await this.#tokenState(tenant, token, now);
      if (!item?.ct?.B || !item.dk?.B || !item.fp?.B || !item.kind?.S || !live) return undefined;
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

  recordDelivery(tenant: string, ticketId: string, issueKey: string): Promise<void> {
    // A ticket swept between sanitizing and delivery (it had already expired) has nothing to map.
    return this.#guard('record a delivery', async () => {
      await this.#updateTicket(tenant, ticketId, 'SET issueKey = :key', 'attribute_exists(pk)', {
        ':key': { S: issueKey },
      });
    });
  }

  recordCreateAttempt(
    tenant: string,
    ticketId: string,
    at: Date,
    previous: Date | undefined,
  ): Promise<boolean> {
    // Like a delivery, a ticket swept meanwhile is not written back into being.
    const unchanged = previous ? 'createAttemptAt = :previous' : 'attribute_not_exists(createAttemptAt)';
    // Names this call's mark. When an answer is lost after the write (a 500 or a reset connection) the
    // SDK sends the update again, and its condition fails on this very mark: the nonce tells that from
    // another writer's, where the mark's time alone could not (two writers in one millisecond).
    const nonce = randomUUID();
    return this.#guard('record a create attempt', async () => {
      const written = await this.#updateTicket(
        tenant,
        ticketId,
        'SET createAttemptAt = :at, createAttemptNonce = :nonce',
        `attribute_exists(pk) AND attribute_not_exists(issueKey) AND ${unchanged}`,
        {
          ':at': { S: at.toISOString() },
          ':nonce': { S: nonce },
          ...(previous && { ':previous': { S: previous.toISOString() } }),
        },
      );
      return written || (await this.#readTicket(tenant, ticketId))?.createAttemptNonce?.S === nonce;
    });
  }

  clearCreateAttempt(tenant: string, ticketId: string, at: Date): Promise<void> {
    return this.#guard('clear a create attempt', async () => {
      await this.#updateTicket(
        tenant,
        ticketId,
        'REMOVE createAttemptAt, createAttemptNonce',
        'createAttemptAt = :at',
        {
          ':at': { S: at.toISOString() },
        },
      );
    });
  }

  async #readTicket(tenant: string, ticketId: string): Promise<Item | undefined> {
    const { Item: item } = await this.#client.send(
      new GetItemCommand({
        TableName: this.#table,
        Key: keyOf(vaultKeys.ticket(tenant, ticketId)),
        ConsistentRead: true,
      }),
    );
    return item;
  }

  /** A conditional update of a ticket's record: false when the condition does not hold. */
  async #updateTicket(
    tenant: string,
    ticketId: string,
    update: string,
    condition: string,
    values: Item,
  ): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: keyOf(vaultKeys.ticket(tenant, ticketId)),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      ignoreConditionFailure(error);
      return false;
    }
  }

  tokensOfTicket(tenant: string, ticketId: string): Promise<ReadonlySet<string>> {
    return this.#guard('read the tokens of a ticket', async () => {
      const items = await this.#partition(vaultKeys.ticket(tenant, ticketId).pk);
      return new Set(
        items
          .map((i) => i.sk?.S ?? '')
          .flatMap((sk) => (sk.startsWith('REF#') ? [sk.slice('REF#'.length)] : [])),
      );
    });
  }

  getTicket(tenant: string, ticketId: string): Promise<TicketRecord | undefined> {
    return this.#guard('read a ticket', async () => {
      const item = await this.#readTicket(tenant, ticketId);
      if (!item) return undefined;
      return {
        tenant,
        ticketId,
        expiresAt: new Date(seconds(item) * 1000),
        firstSeen: new Date(item.firstSeen?.S ?? 0),
        issueKey: item.issueKey?.S,
        ...(item.createAttemptAt?.S && { createAttemptAt: new Date(item.createAttemptAt.S) }),
      };
    });
  }

  async *expiredTickets(now: Date): AsyncIterable<{ tenant: string; ticketId: string }> {
    for await (const item of this.#scanExpired('TICKET', now)) {
      const [tenant, ticketId] = parsePartition(item.pk?.S ?? '');
      yield { tenant, ticketId };
    }
  }

  forgetTicket(tenant: string, ticketId: string, now: Date) {
    return this.#guard('forget a ticket', async () => {
      const nowSeconds = epochSeconds(now);
      const items = await this.#partition(vaultKeys.ticket(tenant, ticketId).pk);
      const ticket = items.find((i) => i.sk?.S === 'TICKET');
      if (ticket && seconds(ticket) > nowSeconds) return { ticketRemoved: false, tokensDeleted: 0 };
      let tokensDeleted = 0;
      let referencesLeft = 0;
      for (const ref of items.filter((i) => i.sk?.S?.startsWith('REF#'))) {
        const token = (ref.sk?.S ?? '').slice('REF#'.length);
        await this.#deleteIfExpired(vaultKeys.tokenRef(tenant, token, ticketId), nowSeconds);
        if (await this.#deleteTokenIfUnused(tenant, token, now)) tokensDeleted++;
        if (!(await this.#deleteIfExpired(vaultKeys.ticketRef(tenant, ticketId, token), nowSeconds)))
          referencesLeft++;
      }
      // The ticket goes last, and only with all its references, so a later sweep can always find what is left.
      const ticketRemoved =
        referencesLeft === 0 && (await this.#deleteIfExpired(vaultKeys.ticket(tenant, ticketId), nowSeconds));
      return { ticketRemoved, tokensDeleted };
    });
  }

  deleteOrphanTokens(now: Date): Promise<{ tenant: string; tokensDeleted: number }[]> {
    return this.#guard('delete orphan tokens', async () => {
      const deleted = new Map<string, number>();
      for await (const item of this.#scanExpired('TOKEN', now)) {
        const [tenant, token] = parsePartition(item.pk?.S ?? '');
        if (await this.#deleteTokenIfUnused(tenant, token, now))
          deleted.set(tenant, (deleted.get(tenant) ?? 0) + 1);
      }
      return [...deleted].map(([tenant, tokensDeleted]) => ({ tenant, tokensDeleted }));
    });
  }

  getTenantKey(tenant: string, purpose: KeyPurpose): Promise<Uint8Array | undefined> {
    return this.#guard('read a tenant key', async () => {
      const out = await this.#client.send(
        new GetItemCommand({
          TableName: this.#table,
          Key: keyOf(vaultKeys.tenantKey(tenant, purpose)),
          ConsistentRead: true,
        }),
      );
      return out.Item?.wrapped?.B;
    });
  }

  putTenantKeyIfAbsent(tenant: string, purpose: KeyPurpose, wrapped: Uint8Array): Promise<Uint8Array> {
    return this.#guard('store a tenant key', async () => {
      try {
        await this.#client.send(
          new PutItemCommand({
            TableName: this.#table,
            Item: {
              ...keyOf(vaultKeys.tenantKey(tenant, purpose)),
              wrapped: { B: wrapped },
              created: { S: new Date().toISOString() },
            },
            ConditionExpression: 'attribute_not_exists(pk)',
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

  /**
   * Creates the token if it is new and otherwise leaves its value alone; either way bumps its version,
   * so a sweep that found it unused a moment ago will not delete it now; then raises its expiry to the
   * ticket's if that is later.
   */
  async #upsertToken(ticket: TicketReference, entry: VaultEntry): Promise<void> {
    const expires = expiry(ticket.expiresAt);
    const values = {
      ':tenant': { S: entry.tenant },
      ':kind': { S: entry.kind },
      ':fp': { B: entry.fingerprint },
      ':ct': { B: entry.ciphertext },
      ':dk': { B: entry.wrappedKey },
      ':created': { S: entry.createdAt },
      ':one': { N: '1' },
      ...expires,
    };
    const keep = [
      'tenant = if_not_exists(tenant, :tenant)',
      'kind = if_not_exists(kind, :kind)',
      'fp = if_not_exists(fp, :fp)',
      'ct = if_not_exists(ct, :ct)',
      'dk = if_not_exists(dk, :dk)',
      'created = if_not_exists(created, :created)',
      'expiresAt = if_not_exists(expiresAt, :e)',
      '#ttl = if_not_exists(#ttl, :ttl)',
    ].join(', ');
    const upsert = () =>
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: keyOf(vaultKeys.token(entry.tenant, entry.token)),
          UpdateExpression: `SET ${keep} ADD version :one`,
          ExpressionAttributeNames: { '#ttl': VaultTable.timeToLiveAttribute },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
    // The token must live as long as its longest-living ticket. Usually it already does (one write);
    // otherwise raise its expiry, and if the item vanished in between (TTL), write it again.
    for (let attempt = 1; ; attempt++) {
      const stored = (await upsert()).Attributes;
      if (!stored?.fp?.B || Buffer.compare(stored.fp.B, entry.fingerprint) !== 0) {
        // The reference just written points at another value's token: take it back before failing.
        await this.#batchWrite([
          { DeleteRequest: { Key: keyOf(vaultKeys.ticketRef(ticket.tenant, ticket.ticketId, entry.token)) } },
          { DeleteRequest: { Key: keyOf(vaultKeys.tokenRef(ticket.tenant, entry.token, ticket.ticketId)) } },
        ]);
        throw new TokenCollisionError(entry.tenant, entry.token, entry.fingerprint);
      }
      if (seconds(stored) >= Number(expires[':e'].N)) return;
      try {
        await this.#client.send(
          new UpdateItemCommand({
            TableName: this.#table,
            Key: keyOf(vaultKeys.token(entry.tenant, entry.token)),
            UpdateExpression: 'SET expiresAt = :e, #ttl = :ttl',
            ConditionExpression: 'expiresAt < :e',
            ExpressionAttributeNames: { '#ttl': VaultTable.timeToLiveAttribute },
            ExpressionAttributeValues: expires,
          }),
        );
        return;
      } catch (error) {
        ignoreConditionFailure(error);
        if (attempt >= 3) throw error;
      }
    }
  }

  async #tokenState(tenant: string, token: string, now: Date) {
    const items = await this.#partition(vaultKeys.token(tenant, token).pk);
    const item = items.find((i) => i.sk?.S === 'TOKEN');
    const nowSeconds = epochSeconds(now);
    const live = items.some((i) => i.sk?.S?.startsWith('REF#') && seconds(i) > nowSeconds);
    return { item, live };
  }

  /** Crypto-shredding: the token item holds the only wrapped copy of its value's data key. */
  async #deleteTokenIfUnused(tenant: string, token: string, now: Date): Promise<boolean> {
    const { item, live } = await this.#tokenState(tenant, token, now);
    if (!item || live) return false;
    try {
      await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#table,
          Key: keyOf(vaultKeys.token(tenant, token)),
          // The same incarnation of the item: a token deleted and written again since (TTL, another
          // sweep, a new ticket) has a new ciphertext (random IV), even if its version count matches.
          ConditionExpression: item.ct
            ? 'version = :v AND ct = :ct'
            : 'version = :v AND attribute_not_exists(ct)',
          ExpressionAttributeValues: { ':v': item.version ?? { N: '0' }, ...(item.ct && { ':ct': item.ct }) },
        }),
      );
      return true;
    } catch (error) {
      ignoreConditionFailure(error);
      return false;
    }
  }

  async #deleteIfExpired(key: { pk: string; sk: string }, nowSeconds: number): Promise<boolean> {
    try {
      await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#table,
          Key: keyOf(key),
          ...STILL_EXPIRED,
          ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
        }),
      );
      return true;
    } catch (error) {
      ignoreConditionFailure(error);
      return false;
    }
  }

  async #partition(pk: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: pk } },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Items of one kind (`sk`) expired at `now`. A full scan: the sweep runs daily, off the hot path. */
  async *#scanExpired(sk: 'TICKET' | 'TOKEN', now: Date): AsyncIterable<Item> {
    let start: Item | undefined;
    do {
      const page = await this.#guard('scan for expired items', () =>
        this.#client.send(
          new ScanCommand({
            TableName: this.#table,
            FilterExpression: 'sk = :sk AND expiresAt <= :now',
            ExpressionAttributeValues: { ':sk': { S: sk }, ':now': { N: String(epochSeconds(now)) } },
            ProjectionExpression: 'pk',
            ExclusiveStartKey: start,
          }),
        ),
      );
      yield* page.Items ?? [];
      start = page.LastEvaluatedKey;
    } while (start);
  }

  async #batchWrite(requests: WriteRequest[]): Promise<void> {
    for (let i = 0; i < requests.length; i += BATCH_WRITE_LIMIT) {
      let pending: WriteRequest[] | undefined = requests.slice(i, i + BATCH_WRITE_LIMIT);
      for (let round = 0; pending && pending.length > 0; round++) {
        if (round >= BATCH_ROUNDS) throw new Error('BatchWriteItem left items unprocessed');
        if (round > 0) await delay(Math.min(1000, 25 * 2 ** round));
        const out: BatchWriteItemCommandOutput = await this.#client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.#table]: pending } }),
        );
        pending = out.UnprocessedItems?.[this.#table];
      }
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

function ignoreConditionFailure(error: unknown): void {
  if (!(error instanceof ConditionalCheckFailedException)) throw error;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
