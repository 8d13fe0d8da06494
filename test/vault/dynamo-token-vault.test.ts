import type { IncomingMessage } from 'node:http';
import { DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedDynamo, openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { ErrorCode, TokenCollisionError } from '../../lib/errors.ts';
import { KeyPurpose } from '../../lib/keys/key-ring.ts';
import { TokenKind } from '../../lib/pseudonymize/token.ts';
import { DynamoTokenVault } from '../../lib/vault/dynamo-token-vault.ts';
import type { TicketReference, VaultEntry } from '../../lib/vault/token-vault.ts';
import { VaultTable } from '../../lib/vault/vault-table.ts';
import { type DynamoRequest, dynamoOperation, InterceptingProxy } from '../support/intercepting-proxy.ts';
import type { LoopbackReply } from '../support/loopback-server.ts';

let dynamo: EmbeddedDynamo;
let vault: DynamoTokenVault;

beforeAll(async () => {
  dynamo = await openEmbeddedDynamo();
  vault = new DynamoTokenVault(dynamo.client);
});
afterAll(() => dynamo.close());

const DAY = 24 * 60 * 60 * 1000;
const now = new Date();
const at = (days: number) => new Date(now.getTime() + days * DAY);
let n = 0;
const letters = (i: number) =>
  String(i)
    .padStart(6, '0')
    .replace(/\d/g, (d) => 'ABCDEFGHIJ'[Number(d)] ?? 'A');
const entry = (overrides: Partial<VaultEntry> = {}): VaultEntry => ({
  tenant: 'ballerup',
  token: `CPR_AAAAAAAAAA${letters(++n)}`,
  kind: TokenKind.CPR,
  fingerprint: Uint8Array.from({ length: 32 }, () => n % 256),
  ciphertext: Uint8Array.of(1, 2, 3, n % 256),
  wrappedKey: Uint8Array.of(9, 9, n % 256),
  createdAt: '2026-11-22T00:00:00.000Z',
  ...overrides,
});
const ticket = (expiresInDays = 90, id = `SD-${++n}`): TicketReference => ({
  tenant: 'ballerup',
  ticketId: id,
  expiresAt: at(expiresInDays),
});
const partition = async (pk: string) =>
  (
    await dynamo.client.send(
      new QueryCommand({
        TableName: VaultTable.defaultName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: pk } },
      }),
    )
  ).Items ?? [];

describe('DynamoTokenVault (real DynamoDB client, dynalite)', () => {
  it('stores entries with their ticket and reads them back while the ticket lives', async () => {
    const e = entry();
    await vault.recordTokens(ticket(), [e]);
    expect(await vault.getToken(e.tenant, e.token, now)).toEqual(e);
    expect(await vault.getToken('egedal', e.token, now)).toBeUndefined();
  });

  it("lists the tokens a ticket uses, and only that ticket's", async () => {
    const [a, b, c] = [entry(), entry(), entry()];
    const t = ticket();
    await vault.recordTokens(t, [a, b]);
    await vault.recordTokens(ticket(), [c]);
    expect(await vault.tokensOfTicket('ballerup', t.ticketId)).toEqual(new Set([a.token, b.token]));
    expect(await vault.tokensOfTicket('egedal', t.ticketId)).toEqual(new Set());
  });

  it('refuses to read a token once every ticket using it has expired, before TTL or sweep remove it', async () => {
    const e = entry();
    await vault.recordTokens(ticket(10), [e]);
    expect(await vault.getToken(e.tenant, e.token, at(9))).toEqual(e);
    expect(await vault.getToken(e.tenant, e.token, at(11))).toBeUndefined();
  });

  it('records the ticket with its expiry and the issue it became', async () => {
    const t = ticket(30);
    await vault.recordTokens(t, [entry()]);
    await vault.recordDelivery(t.tenant, t.ticketId, 'DEV-7');
    expect(await vault.getTicket(t.tenant, t.ticketId)).toEqual({
      ...t,
      expiresAt: new Date(Math.ceil(t.expiresAt.getTime() / 1000) * 1000),
      firstSeen: expect.any(Date),
      issueKey: 'DEV-7',
    });
    const { firstSeen } = (await vault.getTicket(t.tenant, t.ticketId)) ?? {};
    await vault.recordTokens({ ...t, expiresAt: at(40) }, [entry()]);
    expect((await vault.getTicket(t.tenant, t.ticketId))?.firstSeen).toEqual(firstSeen);
  });

  it('records when the issue was last set out to be created, and keeps it beside the delivery', async () => {
    const t = ticket(30);
    await vault.recordTokens(t, [entry()]);
    expect((await vault.getTicket(t.tenant, t.ticketId))?.createAttemptAt).toBeUndefined();
    const first = new Date('2026-11-22T10:00:00.123Z');
    expect(await vault.recordCreateAttempt(t.tenant, t.ticketId, first, undefined)).toBe(true);
    expect((await vault.getTicket(t.tenant, t.ticketId))?.createAttemptAt).toEqual(first);
    const second = new Date('2026-11-22T10:20:00.000Z');
    // Compare-and-set: a writer that read no mark, or another mark, loses to the one that wrote first.
    expect(await vault.recordCreateAttempt(t.tenant, t.ticketId, second, undefined)).toBe(false);
    expect(await vault.recordCreateAttempt(t.tenant, t.ticketId, second, new Date(0))).toBe(false);
    expect(await vault.recordCreateAttempt(t.tenant, t.ticketId, second, first)).toBe(true);
    // Clearing takes only the mark it names: one that proved to have made nothing.
    await vault.clearCreateAttempt(t.tenant, t.ticketId, first);
    expect((await vault.getTicket(t.tenant, t.ticketId))?.createAttemptAt).toEqual(second);
    await vault.clearCreateAttempt(t.tenant, t.ticketId, second);
    expect((await vault.getTicket(t.tenant, t.ticketId))?.createAttemptAt).toBeUndefined();
    expect(await vault.recordCreateAttempt(t.tenant, t.ticketId, second, undefined)).toBe(true);
    await vault.recordDelivery(t.tenant, t.ticketId, 'DEV-8');
    // Once the issue is recorded, nobody sets out to create it again.
    expect(await vault.recordCreateAttempt(t.tenant, t.ticketId, new Date(), second)).toBe(false);
    // A later event of the ticket leaves both alone.
    await vault.recordTokens({ ...t, expiresAt: at(40) }, [entry()]);
    expect(await vault.getTicket(t.tenant, t.ticketId)).toMatchObject({
      issueKey: 'DEV-8',
      createAttemptAt: second,
    });
    const [item] = (await partition(`TICKET#${t.tenant}#${t.ticketId}`)).filter((i) => i.sk?.S === 'TICKET');
    expect(item?.createAttemptAt).toEqual({ S: '2026-11-22T10:20:00.000Z' });
  });

  it('records no create attempt for a ticket that is not there (swept meanwhile): no item appears', async () => {
    const id = `SD-GONE-${++n}`;
    expect(await vault.recordCreateAttempt('ballerup', id, new Date(), undefined)).toBe(false);
    expect(await vault.getTicket('ballerup', id)).toBeUndefined();
    expect(await partition(`TICKET#ballerup#${id}`)).toEqual([]);
  });

  it('keeps the first value of a token, and keeps the token as long as its longest-living ticket', async () => {
    const e = entry();
    await vault.recordTokens(ticket(10), [e]);
    await vault.recordTokens(ticket(100), [{ ...e, ciphertext: Uint8Array.of(7), createdAt: 'later' }]);
    expect(await vault.getToken(e.tenant, e.token, at(50))).toEqual(e);
    const [tokenItem] = (await partition(`TOKEN#ballerup#${e.token}`)).filter((i) => i.sk?.S === 'TOKEN');
    expect(Number(tokenItem?.expiresAt?.N)).toBe(Math.ceil(at(100).getTime() / 1000));
  });

  it('detects a collision and takes back the references it had just written', async () => {
    const e = entry();
    await vault.recordTokens(ticket(), [e]);
    const other = ticket();
    await expect(
      vault.recordTokens(other, [{ ...e, fingerprint: new Uint8Array(32) }]),
    ).rejects.toBeInstanceOf(TokenCollisionError);
    expect(await partition(`TICKET#ballerup#${other.ticketId}`)).toHaveLength(1); // the ticket item only
    expect((await partition(`TOKEN#ballerup#${e.token}`)).map((i) => i.sk?.S)).not.toContain(
      `REF#${other.ticketId}`,
    );
  });

  it('survives concurrent writers of the same token, and still catches a concurrent collision', async () => {
    const e = entry();
    await Promise.all(Array.from({ length: 8 }, () => vault.recordTokens(ticket(), [e])));
    expect(await vault.getToken(e.tenant, e.token, now)).toEqual(e);
    const f = entry();
    const results = await Promise.allSettled([
      vault.recordTokens(ticket(), [f]),
      vault.recordTokens(ticket(), [{ ...f, fingerprint: new Uint8Array(32).fill(255) }]),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('handles more references than one BatchWriteItem takes', async () => {
    const many = Array.from({ length: 40 }, () => entry());
    await vault.recordTokens(ticket(), many);
    const stored = await Promise.all(many.map((e) => vault.getToken(e.tenant, e.token, now)));
    expect(stored).toEqual(many);
  });

  describe('forgetting expired tickets', () => {
    it('deletes a ticket, its references, and every token only it used', async () => {
      const t = ticket(5);
      const [mine, shared] = [entry(), entry()];
      await vault.recordTokens(t, [mine, shared]);
      await vault.recordTokens(ticket(50), [shared]);
      expect(await vault.forgetTicket(t.tenant, t.ticketId, at(6))).toEqual({
        ticketRemoved: true,
        tokensDeleted: 1,
      });
      expect(await partition(`TOKEN#ballerup#${mine.token}`)).toEqual([]);
      expect(await partition(`TICKET#ballerup#${t.ticketId}`)).toEqual([]);
      expect(await vault.getToken(shared.tenant, shared.token, at(6))).toEqual(shared);
    });

    it('leaves a ticket alone that was renewed after it was found expired', async () => {
      const t = ticket(5);
      const e = entry();
      await vault.recordTokens(t, [e]);
      await vault.recordTokens({ ...t, expiresAt: at(60) }, [e]);
      expect(await vault.forgetTicket(t.tenant, t.ticketId, at(6))).toEqual({
        ticketRemoved: false,
        tokensDeleted: 0,
      });
      expect(await vault.getToken(e.tenant, e.token, at(6))).toEqual(e);
    });

    it('lists expired tickets only', async () => {
      const expired = ticket(-1);
      const live = ticket(1);
      await vault.recordTokens(expired, [entry()]);
      await vault.recordTokens(live, [entry()]);
      const found = [];
      for await (const t of vault.expiredTickets(now)) found.push(t.ticketId);
      expect(found).toContain(expired.ticketId);
      expect(found).not.toContain(live.ticketId);
    });

    it('deletes orphan tokens that an interrupted write left without a ticket', async () => {
      const e = entry();
      await dynamo.client.send(
        new PutItemCommand({
          TableName: VaultTable.defaultName,
          Item: {
            pk: { S: `TOKEN#ballerup#${e.token}` },
            sk: { S: 'TOKEN' },
            fp: { B: e.fingerprint },
            ct: { B: e.ciphertext },
            dk: { B: e.wrappedKey },
            version: { N: '1' },
            expiresAt: { N: String(Math.floor(now.getTime() / 1000) - 10) },
          },
        }),
      );
      const deleted = await vault.deleteOrphanTokens(now);
      expect(deleted.find((d) => d.tenant === 'ballerup')?.tokensDeleted).toBeGreaterThanOrEqual(1);
      expect(await partition(`TOKEN#ballerup#${e.token}`)).toEqual([]);
    });
  });

  it('stores a tenant key once, and returns the winner to a late writer', async () => {
    const first = Uint8Array.of(1, 1, 1);
    expect(await vault.putTenantKeyIfAbsent('t1', KeyPurpose.TOKEN_DERIVATION, first)).toEqual(first);
    expect(await vault.putTenantKeyIfAbsent('t1', KeyPurpose.TOKEN_DERIVATION, Uint8Array.of(2))).toEqual(
      first,
    );
    expect(await vault.getTenantKey('t1', KeyPurpose.TOKEN_DERIVATION)).toEqual(first);
    expect(await vault.getTenantKey('t1', KeyPurpose.VALUE_ENCRYPTION)).toBeUndefined();
  });

  it('reports an unreachable database as VAULT_UNAVAILABLE, without SDK types', async () => {
    const broken = await openEmbeddedDynamo();
    await broken.close();
    const offline = new DynamoTokenVault(broken.client, VaultTable.defaultName);
    await expect(offline.recordTokens(ticket(), [entry()])).rejects.toMatchObject({
      code: ErrorCode.VAULT_UNAVAILABLE,
      retryable: true,
    });
    // The Jira writer then creates nothing: an attempt it could not record is not made.
    await expect(
      offline.recordCreateAttempt('ballerup', 'SD-1', new Date(), undefined),
    ).rejects.toMatchObject({
      code: ErrorCode.VAULT_UNAVAILABLE,
      retryable: true,
    });
  });
});

describe('DynamoTokenVault between other writers (network-edge interleavings)', () => {
  let proxy: InterceptingProxy;
  let client: DynamoDBClient;
  let sweeper: DynamoTokenVault;

  beforeAll(async () => {
    proxy = await new InterceptingProxy(dynamo.endpoint).start();
    client = new DynamoDBClient({
      endpoint: proxy.url,
      region: 'eu-north-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 3,
    });
    sweeper = new DynamoTokenVault(client);
  });
  afterAll(async () => {
    client.destroy();
    await proxy.stop();
  });

  it("knows its own create-attempt mark when the SDK sends it again after the answer was lost (DynamoDB's 500 after the write)", async () => {
    const t = ticket(30);
    await vault.recordTokens(t, [entry()]);
    const lost = await new LostAnswerProxy(dynamo.endpoint).start();
    const retrying = new DynamoDBClient({
      endpoint: lost.url,
      region: 'eu-north-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 3,
    });
    try {
      const at = new Date('2026-11-23T08:00:00.000Z');
      expect(
        await new DynamoTokenVault(retrying).recordCreateAttempt(t.tenant, t.ticketId, at, undefined),
      ).toBe(true);
      // The update went out twice: the first was carried out and its answer lost.
      expect(lost.updates).toBe(2);
      expect((await vault.getTicket(t.tenant, t.ticketId))?.createAttemptAt).toEqual(at);
      // Another writer that read no mark still loses, answer lost or not.
      expect(await vault.recordCreateAttempt(t.tenant, t.ticketId, new Date(), undefined)).toBe(false);
      // Clearing takes the nonce with the mark.
      await vault.clearCreateAttempt(t.tenant, t.ticketId, at);
      const [item] = (await partition(`TICKET#${t.tenant}#${t.ticketId}`)).filter(
        (i) => i.sk?.S === 'TICKET',
      );
      expect(item?.createAttemptAt).toBeUndefined();
      expect(item?.createAttemptNonce).toBeUndefined();
    } finally {
      retrying.destroy();
      await lost.stop();
    }
  });

  const deleting = (pk: string, sk: string) => (r: DynamoRequest) =>
    r.operation === 'DeleteItem' && r.body.Key?.pk?.S === pk && r.body.Key?.sk?.S === sk;

  it('does not delete a token that was deleted and written again after the sweep looked at it', async () => {
    const e = entry();
    const old = ticket(5);
    await vault.recordTokens(old, [e]);
    const isTokenDelete = deleting(`TOKEN#ballerup#${e.token}`, 'TOKEN');
    proxy.before = async (r) => {
      if (!isTokenDelete(r)) return false;
      // TTL removes the item, and a new ticket brings the same value back: version 1 again.
      await vault.forgetTicket(old.tenant, old.ticketId, at(6));
      await vault.recordTokens(ticket(50), [{ ...e, ciphertext: Uint8Array.of(42, 42) }]);
      return true;
    };
    await sweeper.forgetTicket(old.tenant, old.ticketId, at(6));
    expect(await vault.getToken(e.tenant, e.token, at(6))).toMatchObject({ token: e.token });
  });

  it('leaves a ticket renewed after the sweep found it expired, and its tokens', async () => {
    const e = entry();
    const t = ticket(5);
    await vault.recordTokens(t, [e]);
    const isReferenceDelete = deleting(`TOKEN#ballerup#${e.token}`, `REF#${t.ticketId}`);
    proxy.before = async (r) => {
      if (!isReferenceDelete(r)) return false;
      await vault.recordTokens({ ...t, expiresAt: at(60) }, [e]);
      return true;
    };
    expect(await sweeper.forgetTicket(t.tenant, t.ticketId, at(6))).toEqual({
      ticketRemoved: false,
      tokensDeleted: 0,
    });
    expect(await vault.getToken(e.tenant, e.token, at(6))).toEqual(e);
  });

  it('rides out short throttling through the SDK’s retries, and fails closed when it persists', async () => {
    const e = entry();
    proxy.throttle = 2;
    await sweeper.recordTokens(ticket(), [e]);
    expect(proxy.throttled).toBe(2);
    expect(await vault.getToken(e.tenant, e.token, now)).toEqual(e);

    const f = entry();
    proxy.throttle = 3; // every attempt of the first request
    await expect(sweeper.recordTokens(ticket(), [f])).rejects.toMatchObject({
      code: ErrorCode.VAULT_UNAVAILABLE,
      retryable: true,
    });
    proxy.throttle = 0;
    expect(await vault.getToken(f.tenant, f.token, now)).toBeUndefined();
  });
});

describe('DynamoTokenVault retention edges', () => {
  it('counts a token as expired from the second its last ticket expires', async () => {
    const e = entry();
    const expiresAt = new Date(Math.ceil(at(3).getTime() / 1000) * 1000);
    await vault.recordTokens({ tenant: 'ballerup', ticketId: `SD-${++n}`, expiresAt }, [e]);
    expect(await vault.getToken(e.tenant, e.token, new Date(expiresAt.getTime() - 1000))).toEqual(e);
    expect(await vault.getToken(e.tenant, e.token, expiresAt)).toBeUndefined();
  });

  it('shortens the references of tokens an earlier event used when the ticket closes early', async () => {
    const t = ticket(365);
    const [kept, removed] = [entry(), entry()];
    await vault.recordTokens(t, [kept, removed]);
    // The CPR number was edited out and the ticket closed: 90 days now.
    await vault.recordTokens({ ...t, expiresAt: at(90) }, [kept]);
    expect(await vault.getToken(removed.tenant, removed.token, at(91))).toBeUndefined();
    expect(await vault.forgetTicket(t.tenant, t.ticketId, at(91))).toEqual({
      ticketRemoved: true,
      tokensDeleted: 2,
    });
  });
});

/** Carries out the first create-attempt update, then answers as DynamoDB does when it failed after the write: 500. */
class LostAnswerProxy extends InterceptingProxy {
  updates = 0;

  protected override async handle(req: IncomingMessage, raw: string): Promise<LoopbackReply> {
    const operation = dynamoOperation(req);
    if (operation !== 'UpdateItem' || !raw.includes('createAttemptAt = :at')) return super.handle(req, raw);
    const reply = await super.handle(req, raw);
    if (++this.updates > 1) return reply;
    return {
      status: 500,
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
        message: 'Internal server error',
      },
    };
  }
}
