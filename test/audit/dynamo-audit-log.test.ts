import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChainBreak } from '../../lib/audit/audit-chain.ts';
import { AuditAction, type AuditEntry, type AuditRecord } from '../../lib/audit/audit-log.ts';
import { AuditTable, auditKeys } from '../../lib/audit/audit-table.ts';
import { DynamoAuditLog } from '../../lib/audit/dynamo-audit-log.ts';
import { type EmbeddedDynamo, openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { ConfigError, DependencyError, ErrorCode } from '../../lib/errors.ts';

let dynamo: EmbeddedDynamo;
let log: DynamoAuditLog;

// A fresh in-memory database per test: each test reasons about one chain from seq 1.
beforeEach(async () => {
  dynamo = await openEmbeddedDynamo();
  log = new DynamoAuditLog(dynamo.client);
});
afterEach(() => dynamo.close());

const DAY = 24 * 60 * 60 * 1000;
const entry = (overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  actor: 'alice',
  source: 'cli',
  action: AuditAction.REIDENTIFY,
  tenant: 'ballerup',
  tokens: ['CPR_ABCDEFGHIJKLMNOP'],
  purpose: 'Borgeren ringede om sin sag',
  outcome: 'granted',
  ...overrides,
});
const all = async (records: AsyncIterable<AuditRecord>) => {
  const out: AuditRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
};
const key = (seq: number) => {
  const { pk, sk } = auditKeys.record(seq);
  return { pk: { S: pk }, sk: { S: sk } };
};
const stored = async (seq: number) =>
  (await dynamo.client.send(new GetItemCommand({ TableName: AuditTable.defaultName, Key: key(seq) }))).Item;
/** Changes one stored attribute behind the log's back. */
const setAttribute = (seq: number, name: string, value: { S: string } | { N: string }) =>
  dynamo.client.send(
    new UpdateItemCommand({
      TableName: AuditTable.defaultName,
      Key: key(seq),
      UpdateExpression: 'SET #name = :value',
      ExpressionAttributeNames: { '#name': name },
      ExpressionAttributeValues: { ':value': value },
    }),
  );

describe('DynamoAuditLog (real DynamoDB client, dynalite)', () => {
  it('numbers and chains records, and lists them oldest first', async () => {
    const first = await log.append(entry());
    const second = await log.append(entry({ actor: 'bob', outcome: 'denied', reason: 'PURPOSE_MISSING' }));
    expect(first).toMatchObject({ seq: 1, id: 'AUD-000000000001', prevHash: '', actor: 'alice' });
    expect(second).toMatchObject({
      seq: 2,
      id: 'AUD-000000000002',
      prevHash: first.hash,
      reason: 'PURPOSE_MISSING',
    });
    expect(await all(log.list())).toEqual([first, second]);
    expect(await log.verify()).toMatchObject({ intact: true, count: 2, last: { id: 'AUD-000000000002' } });
  });

  it('lets 20 concurrent appends from separate clients all land, with no gap and no fork', async () => {
    const clients = Array.from(
      { length: 5 },
      () =>
        new DynamoDBClient({
          endpoint: dynamo.endpoint,
          region: 'eu-north-1',
          credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        }),
    );
    try {
      const logs = clients.map((c) => new DynamoAuditLog(c));
      const appended = await Promise.all(
        Array.from({ length: 20 }, (_, i) => logs[i % logs.length]?.append(entry({ actor: `user-${i}` }))),
      );
      const records = await all(log.list());
      expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(new Set(records.map((r) => r.actor)).size).toBe(20);
      expect([...appended].sort((a, b) => (a?.seq ?? 0) - (b?.seq ?? 0))).toEqual(records);
      expect(await log.verify()).toMatchObject({ intact: true, count: 20 });
      expect(await log.head()).toMatchObject({ seq: 20, hash: records[19]?.hash });
    } finally {
      for (const c of clients) c.destroy();
    }
  });

  it('keeps records six months by default (DynamoDB TTL), up to five years when configured', async () => {
    const now = new Date('2026-11-20T12:00:00Z');
    await log.append(entry(), now);
    await new DynamoAuditLog(dynamo.client, { retentionDays: 5 * 365 }).append(entry(), now);
    const seconds = now.getTime() / 1000;
    expect(Number((await stored(1))?.ttl?.N)).toBe(seconds + 184 * 86_400);
    expect(Number((await stored(2))?.ttl?.N)).toBe(seconds + 5 * 365 * 86_400);
  });

  it.each([30, 183, 1828, 200.5, Number.NaN])('refuses a retention of %s days', (days) => {
    expect(() => new DynamoAuditLog(dynamo.client, { retentionDays: days })).toThrow(ConfigError);
  });

  it('never lets a record expire before the one before it, even when retention is shortened', async () => {
    const now = new Date();
    await new DynamoAuditLog(dynamo.client, { retentionDays: 1000 }).append(entry(), now);
    await log.append(entry(), new Date(now.getTime() + DAY));
    expect((await stored(2))?.ttl?.N).toBe((await stored(1))?.ttl?.N);
  });

  it('hides records past retention, and the chain left is intact', async () => {
    const now = new Date();
    await log.append(entry({ actor: 'old' }), new Date(now.getTime() - 200 * DAY));
    await log.append(entry({ actor: 'new' }), now);
    expect((await all(log.list({}, now))).map((r) => r.actor)).toEqual(['new']);
    expect(await log.verify(now)).toMatchObject({ intact: true, count: 1, first: { seq: 2 } });
  });

  it('goes on numbering after every record has expired', async () => {
    const now = new Date();
    const old = await log.append(entry(), new Date(now.getTime() - 400 * DAY));
    expect(await log.verify(now)).toEqual({ intact: true, count: 0 });
    await dynamo.client.send(new DeleteItemCommand({ TableName: AuditTable.defaultName, Key: key(1) })); // TTL
    expect(await log.append(entry(), now)).toMatchObject({ seq: 2, prevHash: old.hash });
    expect(await log.verify(now)).toMatchObject({ intact: true, count: 1 });
  });

  it('goes on after a writer that stopped before moving the head pointer', async () => {
    await log.append(entry());
    const second = await log.append(entry());
    await log.append(entry());
    // The head pointer as the writer of record 3 would have left it had it stopped in between.
    await dynamo.client.send(
      new PutItemCommand({
        TableName: AuditTable.defaultName,
        Item: {
          pk: { S: auditKeys.head.pk },
          sk: { S: auditKeys.head.sk },
          seq: { N: '2' },
          id: { S: second.id },
          hash: { S: second.hash },
          recordTtl: (await stored(2))?.ttl ?? { N: '0' },
        },
      }),
    );
    expect(await log.append(entry())).toMatchObject({ seq: 4 });
    expect(await log.verify()).toMatchObject({ intact: true, count: 4 });
  });

  describe('verify finds tampering in the table', () => {
    beforeEach(async () => {
      for (const actor of ['a', 'b', 'c', 'd']) await log.append(entry({ actor }));
    });

    it('a changed attribute', async () => {
      await setAttribute(2, 'actor', { S: 'mallory' });
      expect(await log.verify()).toMatchObject({ intact: false, seq: 2, reason: ChainBreak.ALTERED });
    });

    it('a removed attribute', async () => {
      await dynamo.client.send(
        new UpdateItemCommand({
          TableName: AuditTable.defaultName,
          Key: key(3),
          UpdateExpression: 'REMOVE purpose',
        }),
      );
      expect(await log.verify()).toMatchObject({ intact: false, seq: 3, reason: ChainBreak.ALTERED });
    });

    it('a deleted record', async () => {
      await dynamo.client.send(new DeleteItemCommand({ TableName: AuditTable.defaultName, Key: key(2) }));
      expect(await log.verify()).toMatchObject({ intact: false, seq: 3, reason: ChainBreak.GAP });
    });

    it('a record made to expire early', async () => {
      await setAttribute(3, 'ttl', { N: '1' });
      expect(await log.verify()).toMatchObject({ intact: false, seq: 4, reason: ChainBreak.GAP });
    });

    it('a damaged newest record, and the log still takes new records', async () => {
      await setAttribute(4, 'seq', { N: '99' });
      expect(await log.append(entry())).toMatchObject({ seq: 5 });
      expect(await log.verify()).toMatchObject({ intact: false, id: 'AUD-000000000004' });
    });

    it('two records swapped in place (each key holding the other record)', async () => {
      const [two, three] = [await stored(2), await stored(3)];
      const put = (seq: number, item: typeof two) =>
        dynamo.client.send(
          new PutItemCommand({ TableName: AuditTable.defaultName, Item: { ...item, ...key(seq) } }),
        );
      await put(2, three);
      await put(3, two);
      expect(await log.verify()).toMatchObject({ intact: false, id: 'AUD-000000000003' });
    });

    it('a grant change whose subject or expiry was altered', async () => {
      await log.append(
        entry({
          action: AuditAction.GRANT_ADD,
          tokens: [],
          subject: 'bob',
          role: 'reidentifier',
          expiresAt: '2027-05-01T00:00:00.000Z',
        }),
      );
      expect(await log.verify()).toMatchObject({ intact: true, count: 5 });
      await setAttribute(5, 'expiresAt', { S: '2099-01-01T00:00:00.000Z' });
      expect(await log.verify()).toMatchObject({ intact: false, seq: 5, reason: ChainBreak.ALTERED });
    });

    it('the newest record deleted', async () => {
      await dynamo.client.send(new DeleteItemCommand({ TableName: AuditTable.defaultName, Key: key(4) }));
      expect(await log.verify()).toMatchObject({
        intact: false,
        seq: 4,
        id: 'AUD-000000000004',
        reason: ChainBreak.TRUNCATED,
      });
    });
  });

  it('lists page by page, and filters by actor, tenant, token and time', async () => {
    const paged = new DynamoAuditLog(dynamo.client, { pageSize: 2 });
    const t0 = new Date('2026-11-20T09:00:00Z');
    for (let i = 0; i < 5; i++) {
      await paged.append(
        entry({
          actor: i % 2 ? 'bob' : 'alice',
          tenant: i === 4 ? 'ballerup,egedal' : 'ballerup',
          tokens: i === 3 ? ['NAME_ABCDEFGHIJKLMNOP'] : ['CPR_ABCDEFGHIJKLMNOP'],
        }),
        new Date(t0.getTime() + i * 60_000),
      );
    }
    const seqs = async (filter: Parameters<DynamoAuditLog['list']>[0]) =>
      (await all(paged.list(filter, t0))).map((r) => r.seq);
    expect(await seqs({})).toEqual([1, 2, 3, 4, 5]);
    expect(await seqs({ actor: 'bob' })).toEqual([2, 4]);
    expect(await seqs({ tenant: 'egedal' })).toEqual([5]);
    expect(await seqs({ token: 'NAME_ABCDEFGHIJKLMNOP' })).toEqual([4]);
    expect(await seqs({ since: new Date(t0.getTime() + 3 * 60_000) })).toEqual([4, 5]);
    // Where a page of the staff API ended: the records after that one, with the other filters too.
    expect(await seqs({ afterSeq: 2 })).toEqual([3, 4, 5]);
    expect(await seqs({ afterSeq: 2, actor: 'bob' })).toEqual([4]);
    expect(await seqs({ afterSeq: 5 })).toEqual([]);
  });

  it('refuses an entry naming anything but tokens, and writes nothing', async () => {
    await expect(log.append(entry({ tokens: ['0101901234'] }))).rejects.toThrow(
      /names 1 string\(s\) that are not tokens/,
    );
    await expect(log.append(entry({ withheld: ['Jens Hansen'] }))).rejects.toThrow(TypeError);
    expect(await all(log.list())).toEqual([]);
  });

  it('turns SDK failures into AUDIT_UNAVAILABLE', async () => {
    const down = new DynamoDBClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'eu-north-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    try {
      const broken = new DynamoAuditLog(down);
      const failure = { name: 'DependencyError', code: ErrorCode.AUDIT_UNAVAILABLE, retryable: true };
      await expect(broken.append(entry())).rejects.toMatchObject(failure);
      await expect(all(broken.list())).rejects.toBeInstanceOf(DependencyError);
      await expect(broken.verify()).rejects.toMatchObject(failure);
    } finally {
      down.destroy();
    }
  });
});
