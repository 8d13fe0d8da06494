import { GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessTable, accessKeys } from '../../lib/access/access-table.ts';
import { DynamoAccessStore } from '../../lib/access/dynamo-access-store.ts';
import { type Block, type Grant, Role } from '../../lib/access/grant.ts';
import { type EmbeddedDynamo, openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { DependencyError, ErrorCode } from '../../lib/errors.ts';

let dynamo: EmbeddedDynamo;
let store: DynamoAccessStore;

// A fresh in-memory database per test: grants, blocks and counters of one test never meet another's.
beforeEach(async () => {
  dynamo = await openEmbeddedDynamo();
  store = new DynamoAccessStore(dynamo.client);
});
afterEach(() => dynamo.close());

const MINUTE = 60_000;
const NOW = new Date('2026-11-20T10:30:00.000Z');
const minutes = (n: number) => new Date(NOW.getTime() + n * MINUTE);

const grant = (overrides: Partial<Grant> = {}): Grant => ({
  user: 'user-alice',
  tenant: 'ballerup',
  role: Role.REIDENTIFIER,
  grantedBy: 'admin-bob',
  grantedAt: '2026-11-01T09:00:00.000Z',
  attestedBy: 'admin-bob',
  attestedAt: '2026-11-01T09:00:00.000Z',
  expiresAt: '2027-05-01T09:00:00.000Z',
  ...overrides,
});
const block = (overrides: Partial<Block> = {}): Block => ({
  user: 'user-alice',
  blockedAt: '2026-11-20T10:30:00.000Z',
  denials: 5,
  lastRecordId: 'AUD-000000000005',
  ...overrides,
});
const putRawItem = (item: Record<string, { S: string }>) =>
  dynamo.client.send(new PutItemCommand({ TableName: AccessTable.defaultName, Item: item }));
const storedItem = async (user: string, sk: string) =>
  (
    await dynamo.client.send(
      new GetItemCommand({
        TableName: AccessTable.defaultName,
        Key: { pk: { S: accessKeys.user(user) }, sk: { S: sk } },
      }),
    )
  ).Item;

describe('DynamoAccessStore grants (real DynamoDB client, dynalite)', () => {
  it('reads back a grant exactly as it was put, last use included', async () => {
    const withUse = grant({ lastUsedAt: '2026-11-19T08:00:00.000Z' });
    const withoutUse = grant({ role: Role.DPO });
    await store.putGrant(withUse);
    await store.putGrant(withoutUse);
    expect(await store.getGrant('user-alice', 'ballerup', Role.REIDENTIFIER)).toEqual(withUse);
    const read = await store.getGrant('user-alice', 'ballerup', Role.DPO);
    expect(read).toEqual(withoutUse);
    expect(read).not.toHaveProperty('lastUsedAt');
  });

  it('finds no grant for another role, tenant or user', async () => {
    await store.putGrant(grant());
    expect(await store.getGrant('user-alice', 'ballerup', Role.ADMIN)).toBeUndefined();
    expect(await store.getGrant('user-alice', 'egedal', Role.REIDENTIFIER)).toBeUndefined();
    expect(await store.getGrant('user-carol', 'ballerup', Role.REIDENTIFIER)).toBeUndefined();
  });

  it('replaces a grant put again for the same user, tenant and role', async () => {
    await store.putGrant(grant({ lastUsedAt: '2026-11-19T08:00:00.000Z' }));
    const renewed = grant({ expiresAt: '2027-06-01T00:00:00.000Z', attestedBy: 'admin-dora' });
    await store.putGrant(renewed);
    expect(await store.getGrant('user-alice', 'ballerup', Role.REIDENTIFIER)).toEqual(renewed);
    expect(await store.listGrants()).toHaveLength(1);
  });

  it('lists every grant sorted by tenant, user and role, and filters by user, tenant or both', async () => {
    const grants = [
      grant({ user: 'user-carol', tenant: 'egedal', role: Role.REIDENTIFIER }),
      grant({ user: 'user-alice', tenant: 'egedal', role: Role.ADMIN }),
      grant({ user: 'user-carol', tenant: 'ballerup', role: Role.DPO }),
      grant({ user: 'user-alice', tenant: 'ballerup', role: Role.REIDENTIFIER }),
      grant({ user: 'user-alice', tenant: 'ballerup', role: Role.DPO }),
      grant({
        user: 'user-alice',
        tenant: 'albertslund',
        role: Role.REIDENTIFIER,
        expiresAt: NOW.toISOString(),
      }),
    ];
    for (const g of grants) await store.putGrant(g);
    // Blocks and counters share the users' partitions: they are not grants.
    await store.putBlock(block());
    await store.recordDenial('user-alice', NOW, minutes(-15));
    await store.countTokens('user-alice', NOW, 3);

    const names = (list: Grant[]) => list.map((g) => `${g.tenant}/${g.user}/${g.role}`);
    expect(names(await store.listGrants())).toEqual([
      'albertslund/user-alice/reidentifier',
      'ballerup/user-alice/dpo',
      'ballerup/user-alice/reidentifier',
      'ballerup/user-carol/dpo',
      'egedal/user-alice/admin',
      'egedal/user-carol/reidentifier',
    ]);
    expect(names(await store.listGrants({ user: 'user-carol' }))).toEqual([
      'ballerup/user-carol/dpo',
      'egedal/user-carol/reidentifier',
    ]);
    expect(names(await store.listGrants({ tenant: 'ballerup' }))).toEqual([
      'ballerup/user-alice/dpo',
      'ballerup/user-alice/reidentifier',
      'ballerup/user-carol/dpo',
    ]);
    expect(names(await store.listGrants({ user: 'user-alice', tenant: 'egedal' }))).toEqual([
      'egedal/user-alice/admin',
    ]);
    expect(await store.listGrants({ user: 'user-nobody' })).toEqual([]);
  });

  it('does not mistake one user for another whose id starts the same', async () => {
    await store.putGrant(grant({ user: 'user-alice' }));
    await store.putGrant(grant({ user: 'user-alice#2' }));
    expect((await store.listGrants({ user: 'user-alice' })).map((g) => g.user)).toEqual(['user-alice']);
  });

  it('treats a damaged grant item as no grant: not read, not listed', async () => {
    await store.putGrant(grant({ tenant: 'egedal' }));
    // Every field but expiresAt, written behind the store's back.
    await putRawItem({
      pk: { S: accessKeys.user('user-alice') },
      sk: { S: accessKeys.grant('ballerup', Role.REIDENTIFIER) },
      user: { S: 'user-alice' },
      tenant: { S: 'ballerup' },
      role: { S: Role.REIDENTIFIER },
      grantedBy: { S: 'admin-bob' },
      grantedAt: { S: '2026-11-01T09:00:00.000Z' },
      attestedBy: { S: 'admin-bob' },
      attestedAt: { S: '2026-11-01T09:00:00.000Z' },
    });
    // A role the system does not know.
    await putRawItem({
      ...Object.fromEntries(Object.entries(grant()).map(([k, v]) => [k, { S: String(v) }])),
      pk: { S: accessKeys.user('user-alice') },
      sk: { S: accessKeys.grant('ballerup', 'superuser') },
      role: { S: 'superuser' },
    });
    expect(await store.getGrant('user-alice', 'ballerup', Role.REIDENTIFIER)).toBeUndefined();
    expect((await store.listGrants()).map((g) => g.tenant)).toEqual(['egedal']);
  });

  it('deletes a grant, and says false when there was none to delete', async () => {
    await store.putGrant(grant());
    expect(await store.deleteGrant('user-alice', 'ballerup', Role.REIDENTIFIER)).toBe(true);
    expect(await store.getGrant('user-alice', 'ballerup', Role.REIDENTIFIER)).toBeUndefined();
    expect(await store.deleteGrant('user-alice', 'ballerup', Role.REIDENTIFIER)).toBe(false);
    expect(await store.deleteGrant('user-nobody', 'ballerup', Role.ADMIN)).toBe(false);
  });

  it('marks a grant used, only ever moving the last use forward', async () => {
    await store.putGrant(grant());
    await store.markUsed('user-alice', 'ballerup', Role.REIDENTIFIER, NOW);
    expect((await store.getGrant('user-alice', 'ballerup', Role.REIDENTIFIER))?.lastUsedAt).toBe(
      NOW.toISOString(),
    );
    // A slower request that started earlier finishes later: it must not move the last use back.
    await store.markUsed('user-alice', 'ballerup', Role.REIDENTIFIER, minutes(-5));
    expect((await store.getGrant('user-alice', 'ballerup', Role.REIDENTIFIER))?.lastUsedAt).toBe(
      NOW.toISOString(),
    );
    await store.markUsed('user-alice', 'ballerup', Role.REIDENTIFIER, minutes(5));
    expect((await store.getGrant('user-alice', 'ballerup', Role.REIDENTIFIER))?.lastUsedAt).toBe(
      minutes(5).toISOString(),
    );
  });

  it('never recreates a grant revoked before its use was marked', async () => {
    await store.putGrant(grant());
    await store.deleteGrant('user-alice', 'ballerup', Role.REIDENTIFIER);
    await expect(store.markUsed('user-alice', 'ballerup', Role.REIDENTIFIER, NOW)).resolves.toBeUndefined();
    expect(await storedItem('user-alice', accessKeys.grant('ballerup', Role.REIDENTIFIER))).toBeUndefined();
    expect(await store.listGrants()).toEqual([]);
  });

  it('leaves every other field of the grant as it was when marking it used', async () => {
    const original = grant();
    await store.putGrant(original);
    await store.markUsed('user-alice', 'ballerup', Role.REIDENTIFIER, NOW);
    expect(await store.getGrant('user-alice', 'ballerup', Role.REIDENTIFIER)).toEqual({
      ...original,
      lastUsedAt: NOW.toISOString(),
    });
  });
});

describe('DynamoAccessStore denials', () => {
  it('counts the denials since `since`, this one included', async () => {
    const since = (at: Date) => new Date(at.getTime() - 15 * MINUTE);
    expect(await store.recordDenial('user-alice', minutes(0), since(minutes(0)))).toBe(1);
    expect(await store.recordDenial('user-alice', minutes(5), since(minutes(5)))).toBe(2);
    expect(await store.recordDenial('user-alice', minutes(10), since(minutes(10)))).toBe(3);
    // At minute 20 the window starts at minute 5: the denial at minute 0 no longer counts.
    expect(await store.recordDenial('user-alice', minutes(20), since(minutes(20)))).toBe(3);
    // At minute 40 only this one is left in the window.
    expect(await store.recordDenial('user-alice', minutes(40), since(minutes(40)))).toBe(1);
  });

  it('counts a denial made exactly at `since`, and not one a millisecond before', async () => {
    await store.recordDenial('user-alice', minutes(0), minutes(-15));
    expect(await store.recordDenial('user-alice', minutes(15), minutes(0))).toBe(2);
    await store.recordDenial('user-carol', minutes(0), minutes(-15));
    expect(await store.recordDenial('user-carol', minutes(15), new Date(minutes(0).getTime() + 1))).toBe(1);
  });

  it('counts two denials in the same millisecond as two', async () => {
    await store.recordDenial('user-alice', NOW, minutes(-15));
    expect(await store.recordDenial('user-alice', NOW, minutes(-15))).toBe(2);
  });

  it('counts each user’s denials apart', async () => {
    for (let i = 0; i < 3; i++) await store.recordDenial('user-alice', minutes(i), minutes(-15));
    expect(await store.recordDenial('user-carol', minutes(3), minutes(-15))).toBe(1);
    expect(await store.recordDenial('user-alice', minutes(4), minutes(-15))).toBe(4);
  });

  it('lets a denial expire by TTL a day after it stops counting', async () => {
    await store.recordDenial('user-alice', NOW, minutes(-15));
    const { Items: items = [] } = await dynamo.client.send(
      new QueryCommand({
        TableName: AccessTable.defaultName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :denial)',
        ExpressionAttributeValues: {
          ':pk': { S: accessKeys.user('user-alice') },
          ':denial': { S: 'DENIAL#' },
        },
      }),
    );
    expect(items).toHaveLength(1);
    const nowSeconds = NOW.getTime() / 1000;
    expect(Number(items[0]?.[AccessTable.timeToLiveAttribute]?.N)).toBe(nowSeconds + 15 * 60 + 24 * 60 * 60);
  });
});

describe('DynamoAccessStore blocks', () => {
  it('puts a block and reads it back', async () => {
    expect(await store.getBlock('user-alice')).toBeUndefined();
    expect(await store.putBlock(block())).toBe(true);
    expect(await store.getBlock('user-alice')).toEqual(block());
    expect(await store.getBlock('user-carol')).toBeUndefined();
  });

  it('keeps the first block when the user is blocked again', async () => {
    const first = block();
    expect(await store.putBlock(first)).toBe(true);
    expect(
      await store.putBlock(
        block({ blockedAt: '2026-11-20T11:00:00.000Z', denials: 9, lastRecordId: 'AUD-9' }),
      ),
    ).toBe(false);
    expect(await store.getBlock('user-alice')).toEqual(first);
  });

  it('still blocks when the block item is damaged (only its key left)', async () => {
    await putRawItem({ pk: { S: accessKeys.user('user-alice') }, sk: { S: accessKeys.block } });
    expect(await store.getBlock('user-alice')).toEqual({
      user: 'user-alice',
      blockedAt: '',
      denials: 0,
      lastRecordId: '',
    });
    expect((await store.listBlocks()).map((b) => b.user)).toEqual(['user-alice']);
    // And the damaged block is not overwritten by a new one.
    expect(await store.putBlock(block())).toBe(false);
  });

  it('deletes a block, and says false when the user was not blocked', async () => {
    await store.putBlock(block());
    expect(await store.deleteBlock('user-alice')).toBe(true);
    expect(await store.getBlock('user-alice')).toBeUndefined();
    expect(await store.deleteBlock('user-alice')).toBe(false);
    // Blocking again after an unblock works.
    expect(await store.putBlock(block({ blockedAt: '2026-11-21T00:00:00.000Z' }))).toBe(true);
  });

  it('deleting a block leaves the user’s grants alone', async () => {
    await store.putGrant(grant());
    await store.putBlock(block());
    await store.deleteBlock('user-alice');
    expect(await store.getGrant('user-alice', 'ballerup', Role.REIDENTIFIER)).toEqual(grant());
  });

  it('lists every block, oldest first, and nothing else', async () => {
    await store.putGrant(grant({ user: 'user-dora' }));
    await store.recordDenial('user-dora', NOW, minutes(-15));
    await store.putBlock(block({ user: 'user-carol', blockedAt: '2026-11-20T12:00:00.000Z' }));
    await store.putBlock(block({ user: 'user-alice', blockedAt: '2026-11-20T09:00:00.000Z' }));
    await store.putBlock(block({ user: 'user-erik', blockedAt: '2026-11-20T10:00:00.000Z' }));
    expect((await store.listBlocks()).map((b) => b.user)).toEqual(['user-alice', 'user-erik', 'user-carol']);
  });

  it('lists no blocks in an empty table', async () => {
    expect(await store.listBlocks()).toEqual([]);
  });
});

describe('DynamoAccessStore token counters', () => {
  it('sums tokens within the clock hour and starts again in the next', async () => {
    expect(await store.countTokens('user-alice', new Date('2026-11-20T10:00:00.000Z'), 10)).toBe(10);
    expect(await store.countTokens('user-alice', new Date('2026-11-20T10:30:00.000Z'), 15)).toBe(25);
    expect(await store.countTokens('user-alice', new Date('2026-11-20T10:59:59.999Z'), 1)).toBe(26);
    expect(await store.countTokens('user-alice', new Date('2026-11-20T11:00:00.000Z'), 4)).toBe(4);
    expect(await store.countTokens('user-alice', new Date('2026-11-20T11:45:00.000Z'), 2)).toBe(6);
  });

  it('counts each user apart', async () => {
    await store.countTokens('user-alice', NOW, 30);
    expect(await store.countTokens('user-carol', NOW, 1)).toBe(1);
    expect(await store.countTokens('user-alice', NOW, 1)).toBe(31);
  });

  it('starts a new hour on the same minute of another day', async () => {
    await store.countTokens('user-alice', new Date('2026-11-20T10:15:00.000Z'), 40);
    expect(await store.countTokens('user-alice', new Date('2026-11-21T10:15:00.000Z'), 1)).toBe(1);
  });

  it('lets a counter expire by TTL two days after its hour', async () => {
    await store.countTokens('user-alice', NOW, 3);
    const item = await storedItem('user-alice', accessKeys.rate(NOW));
    expect(item?.tokens?.N).toBe('3');
    expect(Number(item?.[AccessTable.timeToLiveAttribute]?.N)).toBe(NOW.getTime() / 1000 + 2 * 24 * 60 * 60);
  });
});

describe('DynamoAccessStore failures', () => {
  const missing = () => new DynamoAccessStore(dynamo.client, 'ticket-proxy-access-missing');

  it.each<[string, (s: DynamoAccessStore) => Promise<unknown>]>([
    ['getGrant', (s) => s.getGrant('user-alice', 'ballerup', Role.REIDENTIFIER)],
    ['listGrants', (s) => s.listGrants()],
    ['listGrants by user', (s) => s.listGrants({ user: 'user-alice' })],
    ['putGrant', (s) => s.putGrant(grant())],
    ['deleteGrant', (s) => s.deleteGrant('user-alice', 'ballerup', Role.REIDENTIFIER)],
    ['markUsed', (s) => s.markUsed('user-alice', 'ballerup', Role.REIDENTIFIER, NOW)],
    ['recordDenial', (s) => s.recordDenial('user-alice', NOW, minutes(-15))],
    ['getBlock', (s) => s.getBlock('user-alice')],
    ['putBlock', (s) => s.putBlock(block())],
    ['deleteBlock', (s) => s.deleteBlock('user-alice')],
    ['listBlocks', (s) => s.listBlocks()],
    ['countTokens', (s) => s.countTokens('user-alice', NOW, 1)],
  ])('turns an SDK failure in %s into a retryable ACCESS_UNAVAILABLE', async (_, call) => {
    const error = await call(missing()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({
      name: 'DependencyError',
      code: ErrorCode.ACCESS_UNAVAILABLE,
      retryable: true,
      message: expect.stringMatching(/^access store could not /),
      cause: expect.objectContaining({ name: 'ResourceNotFoundException' }),
    });
    // The message names what failed, never whom it concerned.
    expect((error as Error).message).not.toContain('user-alice');
  });

  it('reports ACCESS_UNAVAILABLE, never "not blocked", when the database cannot be reached', async () => {
    await store.putBlock(block());
    await dynamo.close();
    await expect(store.getBlock('user-alice')).rejects.toMatchObject({ code: ErrorCode.ACCESS_UNAVAILABLE });
    // Reopen so afterEach has something to close.
    dynamo = await openEmbeddedDynamo();
  });
});
