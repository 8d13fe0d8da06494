import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { ConfigError, DependencyError, ErrorCode, TicketProxyError } from '../errors.ts';
import { isToken } from '../pseudonymize/token.ts';
import { epochSeconds } from '../vault/vault-table.ts';
import { type ChainHead, type ChainVerdict, hashRecord, verifyAuditChain } from './audit-chain.ts';
import type {
  AuditAction,
  AuditEntry,
  AuditFilter,
  AuditLog,
  AuditOutcome,
  AuditRecord,
} from './audit-log.ts';
import {
  AuditTable,
  auditId,
  auditKeys,
  DEFAULT_AUDIT_RETENTION_DAYS,
  MAX_AUDIT_RETENTION_DAYS,
  seqOfKey,
} from './audit-table.ts';

type Item = Record<string, AttributeValue>;

const DAY_SECONDS = 24 * 60 * 60;

export interface DynamoAuditLogOptions {
  /** @default AuditTable.defaultName */
  tableName?: string;
  /**
   * Days a record is kept before DynamoDB's TTL removes it: at least six months, at most five years.
   * @default 184 (six months)
   */
  retentionDays?: number;
  /** Conditional puts tried before an append under contention gives up. @default 64 */
  maxAttempts?: number;
  /** Records per Query page when listing. @default DynamoDB's own (1 MB of items) */
  pageSize?: number;
}

/** The head pointer as stored, with when its record's retention ends. */
export interface StoredHead extends ChainHead {
  recordExpiresAt: Date;
}

interface Head {
  seq: number;
  hash: string;
  /** The head record's `ttl`, which the next record's must not undercut. */
  ttl: number;
}

/**
 * The audit log on DynamoDB (and on dynalite, the embedded default): one hash chain for the whole
 * system, records numbered 1, 2, 3, … with no gaps.
 *
 * An append reads the head, then writes record seq+1 under `attribute_not_exists`: of writers that
 * read the same head, exactly one wins; the others read the new head and try again. So processes
 * appending at once never fork the chain or leave a gap, and no lock or counter item is needed.
 *
 * A record's `ttl` is never earlier than its predecessor's, even when retention is shortened: TTL then
 * only ever removes the oldest records, and the chain that is left stays contiguous. Records past
 * their `ttl` that DynamoDB has not yet removed are not listed.
 */
export class DynamoAuditLog implements AuditLog {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #retentionSeconds: number;
  readonly #maxAttempts: number;
  readonly #pageSize: number | undefined;

  /** @param options the table name alone, like the vault's adapter takes it, or options */
  constructor(client: DynamoDBClient, options: DynamoAuditLogOptions | string = {}) {
    if (typeof options === 'string') options = { tableName: options };
    const days = options.retentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS;
    if (!Number.isInteger(days) || days < DEFAULT_AUDIT_RETENTION_DAYS || days > MAX_AUDIT_RETENTION_DAYS) {
      throw new ConfigError(
        `audit retention must be a whole number of days from ${DEFAULT_AUDIT_RETENTION_DAYS} (six months) to ${MAX_AUDIT_RETENTION_DAYS} (five years), not ${days}`,
      );
    }
    this.#client = client;
    this.#table = options.tableName ?? AuditTable.defaultName;
    this.#retentionSeconds = days * DAY_SECONDS;
    this.#maxAttempts = options.maxAttempts ?? 64;
    this.#pageSize = options.pageSize;
  }

  async append(entry: AuditEntry, now: Date = new Date()): Promise<AuditRecord> {
    assertAuditEntry(entry);
    return await this.#guard('append a record', async () => {
      for (let attempt = 1; ; attempt++) {
        const head = await this.#readHead();
        const seq = (head?.seq ?? 0) + 1;
        const prevHash = head?.hash ?? '';
        const fields = { ...entryFields(entry), seq, id: auditId(seq), time: now.toISOString() };
        const record: AuditRecord = { ...fields, prevHash, hash: hashRecord(fields, prevHash) };
        const ttl = Math.max(epochSeconds(now) + this.#retentionSeconds, head?.ttl ?? 0);
        try {
          await this.#client.send(
            new PutItemCommand({
              TableName: this.#table,
              Item: toItem(record, ttl),
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException) || attempt >= this.#maxAttempts)
            throw error;
          // Another writer took this seq. Spread the retries so the losers do not collide again.
          await delay(Math.random() * Math.min(50, 2 ** attempt));
          continue;
        }
        await this.#advanceHead(record, ttl);
        return record;
      }
    });
  }

  /**
   * Records oldest first, page by page; the filter is applied here, after reading. Only `now` decides
   * which records count as expired.
   */
  async *list(filter: AuditFilter = {}, now: Date = new Date()): AsyncIterable<AuditRecord> {
    const nowSeconds = epochSeconds(now);
    let start: Item | undefined;
    do {
      const page = await this.#guard('read records', () =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
            ExpressionAttributeValues: {
              ':pk': { S: auditKeys.chain },
              ':first': { S: auditKeys.record((filter.afterSeq ?? 0) + 1).sk },
              ':last': { S: auditKeys.lastRecord.sk },
            },
            ConsistentRead: true,
            ExclusiveStartKey: start,
            Limit: this.#pageSize,
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        if (expired(item, nowSeconds)) continue;
        const record = fromItem(item);
        if (matches(record, filter)) yield record;
      }
      start = page.LastEvaluatedKey;
    } while (start);
  }

  /** The pointer to the last record written, if any record ever was. */
  head(): Promise<StoredHead | undefined> {
    return this.#guard('read the head', async () => {
      const { Item: item } = await this.#client.send(
        new GetItemCommand({ TableName: this.#table, Key: keyOf(auditKeys.head), ConsistentRead: true }),
      );
      if (!item?.seq?.N || item.hash?.S === undefined) return undefined;
      return {
        seq: Number(item.seq.N),
        id: item.id?.S ?? auditId(Number(item.seq.N)),
        hash: item.hash.S,
        recordExpiresAt: new Date(Number(item.recordTtl?.N ?? 0) * 1000),
      };
    });
  }

  /**
   * Checks the whole chain, and against the head pointer unless the head's record is past retention.
   * The head is read first, so records appended while the chain is read cannot look like a cut.
   */
  async verify(now: Date = new Date()): Promise<ChainVerdict> {
    const head = await this.head();
    const live = head && head.recordExpiresAt.getTime() > now.getTime() ? head : undefined;
    return verifyAuditChain(this.list({}, now), { head: live });
  }

  /** The later of the newest record and the head pointer (which lags when a writer stopped in between). */
  async #readHead(): Promise<Head | undefined> {
    const [newest, pointer] = await Promise.all([
      this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :seq)',
          ExpressionAttributeValues: { ':pk': { S: auditKeys.chain }, ':seq': { S: auditKeys.seqPrefix } },
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
      ),
      this.#client.send(
        new GetItemCommand({ TableName: this.#table, Key: keyOf(auditKeys.head), ConsistentRead: true }),
      ),
    ]);
    const record = newest.Items?.[0];
    // The key, not the stored seq: a record damaged by hand is verification's to report, and must
    // not stop the log from taking new records.
    const fromRecord = record && {
      seq: seqOfKey(record.sk?.S ?? ''),
      hash: record.hash?.S ?? '',
      ttl: Number(record[AuditTable.timeToLiveAttribute]?.N ?? 0),
    };
    const item = pointer.Item;
    const fromPointer = item && {
      seq: Number(item.seq?.N),
      hash: item.hash?.S ?? '',
      ttl: Number(item.recordTtl?.N ?? 0),
    };
    if (fromRecord && !Number.isSafeInteger(fromRecord.seq)) {
      throw new Error('the newest audit record has a malformed key');
    }
    if (!fromPointer || !Number.isSafeInteger(fromPointer.seq)) return fromRecord;
    return !fromRecord || fromPointer.seq > fromRecord.seq ? fromPointer : fromRecord;
  }

  /** Moves the head pointer forward to `record`, unless a later record's writer already moved it further. */
  async #advanceHead(record: AuditRecord, ttl: number): Promise<void> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: {
            ...keyOf(auditKeys.head),
            seq: { N: String(record.seq) },
            id: { S: record.id },
            hash: { S: record.hash },
            recordTtl: { N: String(ttl) },
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #seq < :seq',
          ExpressionAttributeNames: { '#seq': 'seq' },
          ExpressionAttributeValues: { ':seq': { N: String(record.seq) } },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** SDK errors become AUDIT_UNAVAILABLE; callers never see SDK types or table details. */
  async #guard<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof TicketProxyError) throw error;
      throw new DependencyError(ErrorCode.AUDIT_UNAVAILABLE, `audit log could not ${what}`, error);
    }
  }
}

/**
 * The log is append-only and kept for years: a value in it could not be taken back. So tokens must
 * be tokens, never what a caller was given in their place.
 */
function assertAuditEntry(entry: AuditEntry): void {
  const notTokens = [...entry.tokens, ...(entry.withheld ?? [])].filter((t) => !isToken(t)).length;
  if (notTokens > 0) throw new TypeError(`audit entry names ${notTokens} string(s) that are not tokens`);
  if (!entry.actor.trim()) throw new TypeError('audit entry has no actor');
}

/** The entry's own fields only, without undefined ones (which DynamoDB cannot store). */
function entryFields(entry: AuditEntry): AuditEntry {
  return {
    actor: entry.actor,
    source: entry.source,
    action: entry.action,
    tenant: entry.tenant,
    tokens: [...entry.tokens],
    ...(entry.purpose !== undefined && { purpose: entry.purpose }),
    ...(entry.issueKey !== undefined && { issueKey: entry.issueKey }),
    outcome: entry.outcome,
    ...(entry.reason !== undefined && { reason: entry.reason }),
    ...(entry.withheld !== undefined && { withheld: [...entry.withheld] }),
    ...(entry.subject !== undefined && { subject: entry.subject }),
    ...(entry.role !== undefined && { role: entry.role }),
    ...(entry.expiresAt !== undefined && { expiresAt: entry.expiresAt }),
    ...(entry.ticketId !== undefined && { ticketId: entry.ticketId }),
  };
}

const keyOf = ({ pk, sk }: { pk: string; sk: string }): Item => ({ pk: { S: pk }, sk: { S: sk } });
const strings = (values: readonly string[]): AttributeValue => ({ L: values.map((S) => ({ S })) });
const attribute = (name: string, value: string | undefined): Item =>
  value === undefined ? {} : { [name]: { S: value } };

function toItem(record: AuditRecord, ttl: number): Item {
  return {
    ...keyOf(auditKeys.record(record.seq)),
    seq: { N: String(record.seq) },
    id: { S: record.id },
    time: { S: record.time },
    actor: { S: record.actor },
    source: { S: record.source },
    action: { S: record.action },
    tenant: { S: record.tenant },
    tokens: strings(record.tokens),
    ...attribute('purpose', record.purpose),
    ...attribute('issueKey', record.issueKey),
    outcome: { S: record.outcome },
    ...attribute('reason', record.reason),
    ...(record.withheld && { withheld: strings(record.withheld) }),
    ...attribute('subject', record.subject),
    ...attribute('role', record.role),
    ...attribute('expiresAt', record.expiresAt),
    ...attribute('ticketId', record.ticketId),
    prevHash: { S: record.prevHash },
    hash: { S: record.hash },
    [AuditTable.timeToLiveAttribute]: { N: String(ttl) },
  };
}

/**
 * Reads whatever is stored, damaged or not: a missing or changed attribute must reach verification
 * as a record that fails its hash, not as an exception that hides which record it was.
 */
function fromItem(item: Item): AuditRecord {
  const seq = item.seq?.N === undefined ? Number.NaN : Number(item.seq.N);
  const text = (name: string) => item[name]?.S;
  const list = (name: string) => item[name]?.L?.map((v) => v.S ?? '');
  const withheld = list('withheld');
  return {
    seq,
    id: text('id') ?? '',
    time: text('time') ?? '',
    actor: text('actor') ?? '',
    source: text('source') ?? '',
    action: (text('action') ?? '') as AuditAction,
    tenant: text('tenant') ?? '',
    tokens: list('tokens') ?? [],
    ...field('purpose', text('purpose')),
    ...field('issueKey', text('issueKey')),
    outcome: (text('outcome') ?? '') as AuditOutcome,
    ...field('reason', text('reason')),
    ...(withheld && { withheld }),
    ...field('subject', text('subject')),
    ...field('role', text('role')),
    ...field('expiresAt', text('expiresAt')),
    ...field('ticketId', text('ticketId')),
    prevHash: text('prevHash') ?? '',
    hash: text('hash') ?? '',
  };
}

const field = <K extends string>(name: K, value: string | undefined) =>
  (value === undefined ? {} : { [name]: value }) as Partial<Record<K, string>>;

function expired(item: Item, nowSeconds: number): boolean {
  const ttl = item[AuditTable.timeToLiveAttribute]?.N;
  return ttl !== undefined && Number(ttl) <= nowSeconds;
}

function matches(record: AuditRecord, filter: AuditFilter): boolean {
  if (filter.since && !(Date.parse(record.time) >= filter.since.getTime())) return false;
  if (filter.actor !== undefined && record.actor !== filter.actor) return false;
  if (filter.action !== undefined && record.action !== filter.action) return false;
  if (filter.outcome !== undefined && record.outcome !== filter.outcome) return false;
  if (filter.until && !(Date.parse(record.time) < filter.until.getTime())) return false;
  if (filter.tenant !== undefined && !record.tenant.split(',').includes(filter.tenant)) return false;
  if (filter.token !== undefined && !record.tokens.includes(filter.token)) return false;
  return true;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
