import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessGuard, type Attempt, Denial, GUARD_ACTOR } from '../../lib/access/access-guard.ts';
import { AccessMetric, type AccessMetrics } from '../../lib/access/access-metrics.ts';
import { type AccessPolicy, defaultAccessPolicy } from '../../lib/access/access-policy.ts';
import { AccessTable, accessKeys } from '../../lib/access/access-table.ts';
import { DynamoAccessStore } from '../../lib/access/dynamo-access-store.ts';
import { type Grant, groupFor, Role } from '../../lib/access/grant.ts';
import { AuditAction, type AuditRecord } from '../../lib/audit/audit-log.ts';
import { DynamoAuditLog } from '../../lib/audit/dynamo-audit-log.ts';
import type { Principal } from '../../lib/auth/principal.ts';
import { type EmbeddedDynamo, openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';

/** Counts what the guard emits, and keeps each call to check its dimensions. */
class RecordingMetrics implements AccessMetrics {
  readonly calls: { metric: AccessMetric; value: number; dimensions?: { tenant: string } }[] = [];

  count(metric: AccessMetric, value: number, dimensions?: { tenant: string }): void {
    this.calls.push({ metric, value, ...(dimensions && { dimensions }) });
  }

  total(metric: AccessMetric): number {
    return this.calls.filter((c) => c.metric === metric).reduce((sum, c) => sum + c.value, 0);
  }
}

const MINUTE = 60_000;
const START = new Date('2026-11-20T10:00:00.000Z');

let dynamo: EmbeddedDynamo;
let access: DynamoAccessStore;
let audit: DynamoAuditLog;
let metrics: RecordingMetrics;
let clock: Date;

// A fresh in-memory database per test: each test starts with no grants, no blocks and audit seq 1.
beforeEach(async () => {
  dynamo = await openEmbeddedDynamo();
  access = new DynamoAccessStore(dynamo.client);
  audit = new DynamoAuditLog(dynamo.client);
  metrics = new RecordingMetrics();
  clock = START;
});
afterEach(() => dynamo.close());

const guardWith = (policy: AccessPolicy = defaultAccessPolicy()) =>
  new AccessGuard({ access, audit, policy, metrics, now: () => clock });
const advance = (minutes: number) => {
  clock = new Date(clock.getTime() + minutes * MINUTE);
};

const ALICE = 'user-alice';
const principal = (overrides: Partial<Principal> = {}): Principal => ({
  subject: ALICE,
  mfa: true,
  groups: [groupFor('ballerup', Role.REIDENTIFIER)],
  ...overrides,
});
const attempt: Attempt = {
  source: 'api',
  action: AuditAction.REIDENTIFY,
  tokens: ['CPR_AAAAAAAAAAAAAAAA'],
  purpose: 'Borgeren ringede om sin sag',
  issueKey: 'DEV-7',
};
const giveGrant = (overrides: Partial<Grant> = {}) =>
  access.putGrant({
    user: ALICE,
    tenant: 'ballerup',
    role: Role.REIDENTIFIER,
    grantedBy: 'admin-bob',
    grantedAt: '2026-06-01T09:00:00.000Z',
    attestedBy: 'admin-bob',
    attestedAt: '2026-06-01T09:00:00.000Z',
    expiresAt: '2026-12-01T09:00:00.000Z',
    ...overrides,
  });
const records = async () => {
  const out: AuditRecord[] = [];
  for await (const r of audit.list({}, clock)) out.push(r);
  return out;
};
const blockRecords = async () => (await records()).filter((r) => r.action === AuditAction.USER_BLOCK);
/** The denial counter items in the user's partition, read behind the store's back. */
const storedDenials = async (user: string) =>
  (
    await dynamo.client.send(
      new QueryCommand({
        TableName: AccessTable.defaultName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :denial)',
        ExpressionAttributeValues: { ':pk': { S: accessKeys.user(user) }, ':denial': { S: 'DENIAL#' } },
        Select: 'COUNT',
      }),
    )
  ).Count;

describe('AccessGuard refusals (real access store and audit log, dynalite)', () => {
  it.each<[Denial, () => Promise<unknown>, Partial<Principal>]>([
    [
      Denial.USER_BLOCKED,
      async () => {
        await giveGrant();
        await access.putBlock({
          user: ALICE,
          blockedAt: START.toISOString(),
          denials: 5,
          lastRecordId: 'AUD-1',
        });
      },
      {},
    ],
    [Denial.NO_MFA, () => giveGrant(), { mfa: false }],
    [Denial.NO_GRANT, async () => giveGrant({ role: Role.DPO }), {}],
    [Denial.GRANT_EXPIRED, () => giveGrant({ expiresAt: START.toISOString() }), {}],
    [Denial.NO_GROUP, () => giveGrant(), { groups: [groupFor('ballerup', Role.DPO)] }],
  ])('refuses with %s and leaves exactly one denied record by the subject', async (reason, arrange, who) => {
    await arrange();
    const admission = await guardWith().admit(principal(who), Role.REIDENTIFIER, 'ballerup', attempt);
    expect(admission).toEqual({ denied: reason, record: expect.objectContaining({ seq: 1 }) });
    const stored = await records();
    expect(stored).toEqual([(admission as { record: AuditRecord }).record]);
    expect(stored[0]).toMatchObject({
      ...attempt,
      actor: ALICE,
      tenant: 'ballerup',
      outcome: 'denied',
      reason,
      time: START.toISOString(),
    });
    expect(metrics.total(AccessMetric.REQUESTS_DENIED)).toBe(1);
    expect(metrics.total(AccessMetric.USER_BLOCKED)).toBe(0);
  });

  it('checks the block before anything else, then MFA, then the grant', async () => {
    const guard = guardWith();
    // No MFA and no grant: the missing second factor is named.
    expect(
      await guard.admit(principal({ mfa: false, groups: [] }), Role.ADMIN, 'ballerup', attempt),
    ).toMatchObject({ denied: Denial.NO_MFA });
    await access.putBlock({ user: ALICE, blockedAt: START.toISOString(), denials: 5, lastRecordId: 'AUD-1' });
    expect(
      await guard.admit(principal({ mfa: false, groups: [] }), Role.ADMIN, 'ballerup', attempt),
    ).toMatchObject({ denied: Denial.USER_BLOCKED });
  });

  it('names NO_GROUP when one grant is live without its group and another has expired', async () => {
    await giveGrant({ tenant: 'ballerup', expiresAt: START.toISOString() });
    await giveGrant({ tenant: 'egedal' });
    const admission = await guardWith().admit(
      principal({ groups: [] }),
      Role.REIDENTIFIER,
      undefined,
      attempt,
    );
    expect(admission).toMatchObject({ denied: Denial.NO_GROUP, record: { tenant: '' } });
  });

  it('refuses an expired grant even when the group is there, from the very millisecond it expires', async () => {
    await giveGrant({ expiresAt: new Date(START.getTime() + 1).toISOString() });
    const guard = guardWith();
    expect(await guard.admit(principal(), Role.REIDENTIFIER, 'ballerup', attempt)).toHaveProperty('granted');
    clock = new Date(START.getTime() + 1);
    expect(await guard.admit(principal(), Role.REIDENTIFIER, 'ballerup', attempt)).toMatchObject({
      denied: Denial.GRANT_EXPIRED,
    });
  });

  it('does not take a grant in another tenant for the tenant asked about', async () => {
    await giveGrant({ tenant: 'egedal' });
    const admission = await guardWith().admit(
      principal({ groups: [groupFor('egedal', Role.REIDENTIFIER), groupFor('ballerup', Role.REIDENTIFIER)] }),
      Role.REIDENTIFIER,
      'ballerup',
      attempt,
    );
    expect(admission).toMatchObject({ denied: Denial.NO_GRANT, record: { tenant: 'ballerup' } });
  });
});

describe('AccessGuard admissions', () => {
  it('admits with a live grant, MFA and the group, and records and counts nothing', async () => {
    await giveGrant();
    const admission = await guardWith().admit(principal(), Role.REIDENTIFIER, 'ballerup', attempt);
    expect(admission).toEqual({ granted: [await access.getGrant(ALICE, 'ballerup', Role.REIDENTIFIER)] });
    expect(await records()).toEqual([]);
    expect(metrics.calls).toEqual([]);
    expect(await storedDenials(ALICE)).toBe(0);
  });

  it('without a tenant, admits to every tenant with a live grant and its group, and only those', async () => {
    await giveGrant({ tenant: 'ballerup' });
    await giveGrant({ tenant: 'egedal' });
    await giveGrant({ tenant: 'albertslund', expiresAt: START.toISOString() });
    await giveGrant({ tenant: 'gladsaxe' });
    await giveGrant({ tenant: 'furesoe', role: Role.DPO });
    const groups = ['ballerup', 'egedal', 'albertslund', 'furesoe'].map((t) =>
      groupFor(t, Role.REIDENTIFIER),
    );
    const guard = guardWith();

    const all = await guard.admit(principal({ groups }), Role.REIDENTIFIER, undefined, attempt);
    expect('granted' in all && all.granted.map((g) => g.tenant)).toEqual(['ballerup', 'egedal']);

    const one = await guard.admit(principal({ groups }), Role.REIDENTIFIER, 'egedal', attempt);
    expect('granted' in one && one.granted.map((g) => g.tenant)).toEqual(['egedal']);
    expect(await records()).toEqual([]);
  });

  it('refuses without a tenant when no tenant admits, recording the tenant as ""', async () => {
    await giveGrant({ tenant: 'albertslund', expiresAt: START.toISOString() });
    const admission = await guardWith().admit(
      principal({ groups: [groupFor('albertslund', Role.REIDENTIFIER)] }),
      Role.REIDENTIFIER,
      undefined,
      attempt,
    );
    expect(admission).toMatchObject({ denied: Denial.GRANT_EXPIRED, record: { tenant: '', actor: ALICE } });
  });

  it('asks for the group ticket-proxy:<tenant>:<role>, nothing like it', async () => {
    await giveGrant();
    const near = [
      groupFor('ballerup', Role.DPO),
      groupFor('egedal', Role.REIDENTIFIER),
      'ballerup:reidentifier',
      'ticket-proxy:ballerup:reidentifier:extra',
      'TICKET-PROXY:BALLERUP:REIDENTIFIER',
      'ticket-proxy:ballerup',
    ];
    const guard = guardWith();
    expect(
      await guard.admit(principal({ groups: near }), Role.REIDENTIFIER, 'ballerup', attempt),
    ).toMatchObject({
      denied: Denial.NO_GROUP,
    });
    expect(
      await guard.admit(
        principal({ groups: [...near, 'ticket-proxy:ballerup:reidentifier'] }),
        Role.REIDENTIFIER,
        'ballerup',
        attempt,
      ),
    ).toHaveProperty('granted');
  });

  it('admits to any of several roles, returning the grants that admitted', async () => {
    await giveGrant({ role: Role.ADMIN });
    await giveGrant({ role: Role.REIDENTIFIER });
    const admission = await guardWith().admit(
      principal({ groups: [groupFor('ballerup', Role.ADMIN), groupFor('ballerup', Role.REIDENTIFIER)] }),
      [Role.DPO, Role.ADMIN],
      'ballerup',
      attempt,
    );
    expect('granted' in admission && admission.granted.map((g) => g.role)).toEqual([Role.ADMIN]);
  });

  it('marks the last use of a DPO’s and an administrator’s grants when admitting them', async () => {
    await giveGrant({ role: Role.DPO });
    await giveGrant({ role: Role.ADMIN, tenant: 'ballerup' });
    await giveGrant({ role: Role.ADMIN, tenant: 'egedal' });
    const groups = [
      groupFor('ballerup', Role.DPO),
      groupFor('ballerup', Role.ADMIN),
      groupFor('egedal', Role.ADMIN),
    ];
    const guard = guardWith();
    await guard.admit(principal({ groups }), Role.DPO, 'ballerup', attempt);
    advance(1);
    await guard.admit(principal({ groups }), Role.ADMIN, undefined, attempt);
    const used = (await access.listGrants({ user: ALICE })).map((g) => [g.tenant, g.role, g.lastUsedAt]);
    expect(used).toEqual([
      ['ballerup', Role.ADMIN, '2026-11-20T10:01:00.000Z'],
      ['ballerup', Role.DPO, '2026-11-20T10:00:00.000Z'],
      ['egedal', Role.ADMIN, '2026-11-20T10:01:00.000Z'],
    ]);
  });

  it('does not mark a re-identifier’s grant used on admission (only a value handed out uses it)', async () => {
    await giveGrant({ role: Role.REIDENTIFIER });
    expect(await guardWith().admit(principal(), Role.REIDENTIFIER, 'ballerup', attempt)).toHaveProperty(
      'granted',
    );
    expect((await access.getGrant(ALICE, 'ballerup', Role.REIDENTIFIER))?.lastUsedAt).toBeUndefined();
  });

  it('does not mark a grant used when the admission is refused', async () => {
    await giveGrant({ role: Role.DPO });
    await guardWith().admit(principal({ groups: [] }), Role.DPO, 'ballerup', attempt);
    expect((await access.getGrant(ALICE, 'ballerup', Role.DPO))?.lastUsedAt).toBeUndefined();
  });
});

describe('AccessGuard.usable', () => {
  const usable = async (who: Partial<Principal> = {}) =>
    (await guardWith().usable(principal(who))).map((g) => [g.tenant, g.role]);

  it('gives the live grants whose group the principal has, with MFA and not blocked', async () => {
    await giveGrant();
    expect(await guardWith().usable(principal())).toEqual([
      await access.getGrant(ALICE, 'ballerup', Role.REIDENTIFIER),
    ]);
  });

  it('gives every tenant and role with a live grant and its group, and only those', async () => {
    await giveGrant({ tenant: 'ballerup' });
    await giveGrant({ tenant: 'egedal' });
    await giveGrant({ tenant: 'albertslund', expiresAt: START.toISOString() });
    await giveGrant({ tenant: 'gladsaxe' });
    await giveGrant({ tenant: 'ballerup', role: Role.DPO });
    await giveGrant({ tenant: 'furesoe', role: Role.ADMIN });
    await access.putGrant({
      user: 'user-bob',
      tenant: 'herlev',
      role: Role.REIDENTIFIER,
      grantedBy: 'admin-bob',
      grantedAt: '2026-06-01T09:00:00.000Z',
      attestedBy: 'admin-bob',
      attestedAt: '2026-06-01T09:00:00.000Z',
      expiresAt: '2026-12-01T09:00:00.000Z',
    });
    const groups = [
      groupFor('ballerup', Role.REIDENTIFIER),
      groupFor('egedal', Role.REIDENTIFIER),
      groupFor('albertslund', Role.REIDENTIFIER),
      groupFor('ballerup', Role.DPO),
      groupFor('furesoe', Role.ADMIN),
      // A group without a grant gives nothing, nor does another user's grant.
      groupFor('roskilde', Role.REIDENTIFIER),
      groupFor('herlev', Role.REIDENTIFIER),
    ];
    expect((await usable({ groups })).sort()).toEqual(
      [
        ['ballerup', Role.REIDENTIFIER],
        ['egedal', Role.REIDENTIFIER],
        ['ballerup', Role.DPO],
        ['furesoe', Role.ADMIN],
      ].sort(),
    );
  });

  it('gives nothing to a blocked user, even with a live grant, MFA and the group', async () => {
    await giveGrant();
    await access.putBlock({ user: ALICE, blockedAt: START.toISOString(), denials: 5, lastRecordId: 'AUD-1' });
    expect(await usable()).toEqual([]);
    await access.deleteBlock(ALICE);
    expect(await usable()).toEqual([['ballerup', Role.REIDENTIFIER]]);
  });

  it('gives nothing without a second factor', async () => {
    await giveGrant();
    expect(await usable({ mfa: false })).toEqual([]);
  });

  it('gives no grant without its group, nothing like it', async () => {
    await giveGrant();
    expect(await usable({ groups: [] })).toEqual([]);
    expect(
      await usable({
        groups: [
          groupFor('ballerup', Role.DPO),
          groupFor('egedal', Role.REIDENTIFIER),
          'ballerup:reidentifier',
          'TICKET-PROXY:BALLERUP:REIDENTIFIER',
          'ticket-proxy:ballerup:reidentifier:extra',
        ],
      }),
    ).toEqual([]);
  });

  it('gives no grant without a grant: the group alone is not enough', async () => {
    expect(await usable()).toEqual([]);
  });

  it('drops a grant from the very millisecond it expires, and one whose expiry is not a date', async () => {
    await giveGrant({ expiresAt: new Date(START.getTime() + 1).toISOString() });
    await giveGrant({ tenant: 'egedal', expiresAt: 'never' });
    const groups = [groupFor('ballerup', Role.REIDENTIFIER), groupFor('egedal', Role.REIDENTIFIER)];
    expect(await usable({ groups })).toEqual([['ballerup', Role.REIDENTIFIER]]);
    clock = new Date(START.getTime() + 1);
    expect(await usable({ groups })).toEqual([]);
  });

  it('records nothing: no audit record, no denial counted, no metric, no grant marked used', async () => {
    await giveGrant({ role: Role.DPO });
    await giveGrant({ role: Role.ADMIN });
    const groups = [groupFor('ballerup', Role.DPO), groupFor('ballerup', Role.ADMIN)];
    const guard = guardWith();
    // More calls than it takes refusals to block, of every kind admit would refuse.
    for (let i = 0; i < 3; i++) {
      expect(await guard.usable(principal({ groups }))).toHaveLength(2);
      expect(await guard.usable(principal({ groups, mfa: false }))).toEqual([]);
      expect(await guard.usable(principal({ groups: [] }))).toEqual([]);
      expect(await guard.usable(principal({ subject: 'user-nobody' }))).toEqual([]);
    }
    expect(await records()).toEqual([]);
    expect(metrics.calls).toEqual([]);
    expect(await storedDenials(ALICE)).toBe(0);
    expect(await storedDenials('user-nobody')).toBe(0);
    expect(await access.listBlocks()).toEqual([]);
    expect((await access.listGrants({ user: ALICE })).map((g) => g.lastUsedAt)).toEqual([
      undefined,
      undefined,
    ]);
  });

  it('gives exactly the grants admit admits with', async () => {
    await giveGrant({ tenant: 'ballerup' });
    await giveGrant({ tenant: 'egedal', expiresAt: START.toISOString() });
    await giveGrant({ tenant: 'gladsaxe' });
    await giveGrant({ tenant: 'ballerup', role: Role.DPO });
    const who = principal({
      groups: [
        groupFor('ballerup', Role.REIDENTIFIER),
        groupFor('egedal', Role.REIDENTIFIER),
        groupFor('ballerup', Role.DPO),
      ],
    });
    const guard = guardWith();
    const offered = (await guard.usable(who)).map((g) => `${g.tenant}/${g.role}`);
    expect(offered.sort()).toEqual(['ballerup/dpo', 'ballerup/reidentifier'].sort());
    for (const tenant of ['ballerup', 'egedal', 'gladsaxe']) {
      for (const role of [Role.REIDENTIFIER, Role.DPO]) {
        const admission = await guard.admit(who, role, tenant, attempt);
        expect('granted' in admission, `${tenant}/${role}`).toBe(offered.includes(`${tenant}/${role}`));
      }
    }
  });
});

describe('AccessGuard blocking', () => {
  const lastBlockRecord = async () => (await blockRecords()).at(-1);

  it('blocks the user at the fifth refusal in 15 minutes, audited once, before storing the block', async () => {
    const guard = guardWith();
    const refusals: AuditRecord[] = [];
    // Refusals of different kinds and tenants all count.
    const tries: [Partial<Principal>, string][] = [
      [{ mfa: false }, 'ballerup'],
      [{}, 'egedal'],
      [{ groups: [] }, 'ballerup'],
      [{ mfa: false }, 'ballerup'],
    ];
    await giveGrant();
    for (const [who, tenant] of tries) {
      const admission = await guard.admit(principal(who), Role.REIDENTIFIER, tenant, attempt);
      if ('record' in admission) refusals.push(admission.record);
      advance(3);
    }
    expect(refusals).toHaveLength(4);
    expect(await access.getBlock(ALICE)).toBeUndefined();
    expect(await blockRecords()).toEqual([]);

    const fifth = await guard.admit(principal({ mfa: false }), Role.REIDENTIFIER, 'ballerup', attempt);
    expect(fifth).toMatchObject({ denied: Denial.NO_MFA });
    const stored = await records();
    expect(stored.map((r) => [r.action, r.outcome, r.reason])).toEqual([
      ...Array(4).fill([AuditAction.REIDENTIFY, 'denied', expect.any(String)]),
      [AuditAction.REIDENTIFY, 'denied', Denial.NO_MFA],
      [AuditAction.USER_BLOCK, 'granted', expect.stringContaining('5 rejected attempts in 15 minutes')],
    ]);
    const fifthRecord = (fifth as { record: AuditRecord }).record;
    const blockRecord = stored[5];
    expect(blockRecord).toMatchObject({
      actor: GUARD_ACTOR,
      subject: ALICE,
      source: 'api',
      tenant: '',
      tokens: [],
      time: clock.toISOString(),
    });
    expect(blockRecord?.reason).toContain(fifthRecord.id);
    expect(await access.getBlock(ALICE)).toEqual({
      user: ALICE,
      blockedAt: blockRecord?.time,
      denials: 5,
      lastRecordId: fifthRecord.id,
    });
    expect(metrics.total(AccessMetric.USER_BLOCKED)).toBe(1);
  });

  it('refuses a blocked user with USER_BLOCKED even with a valid grant, MFA and group, counting no further', async () => {
    await giveGrant();
    const guard = guardWith();
    for (let i = 0; i < 5; i++) {
      await guard.admit(principal({ mfa: false }), Role.REIDENTIFIER, 'ballerup', attempt);
      advance(1);
    }
    expect(await access.getBlock(ALICE)).toBeDefined();
    expect(await storedDenials(ALICE)).toBe(5);

    for (let i = 0; i < 3; i++) {
      const admission = await guard.admit(principal(), Role.REIDENTIFIER, 'ballerup', attempt);
      expect(admission).toMatchObject({
        denied: Denial.USER_BLOCKED,
        record: { reason: Denial.USER_BLOCKED },
      });
      advance(1);
    }
    // Each refusal of the blocked user is recorded, but none is counted towards another block.
    const stored = await records();
    expect(stored.filter((r) => r.reason === Denial.USER_BLOCKED)).toHaveLength(3);
    expect(await blockRecords()).toHaveLength(1);
    expect(stored).toHaveLength(5 + 1 + 3);
    expect(await storedDenials(ALICE)).toBe(5);
    expect(metrics.total(AccessMetric.REQUESTS_DENIED)).toBe(8);
    expect(metrics.total(AccessMetric.USER_BLOCKED)).toBe(1);
  });

  it('does not block for refusals spread over more than the window', async () => {
    const guard = guardWith();
    // Minutes 0, 4, 8, 12, 16: at minute 16 the window reaches back to minute 1.
    for (let i = 0; i < 5; i++) {
      await guard.admit(principal({ mfa: false }), Role.REIDENTIFIER, 'ballerup', attempt);
      if (i < 4) advance(4);
    }
    expect(await access.getBlock(ALICE)).toBeUndefined();
    expect(await blockRecords()).toEqual([]);
    expect(metrics.total(AccessMetric.USER_BLOCKED)).toBe(0);

    // One more at minute 17: minutes 4 to 17 hold five refusals.
    advance(1);
    await guard.admit(principal({ mfa: false }), Role.REIDENTIFIER, 'ballerup', attempt);
    expect(await access.getBlock(ALICE)).toMatchObject({ denials: 5 });
  });

  it('follows the policy’s limit and window', async () => {
    const policy = { ...defaultAccessPolicy(), maxDenials: 2, denialWindowMinutes: 1 };
    const guard = guardWith(policy);
    await guard.admit(principal({ mfa: false }), Role.REIDENTIFIER, 'ballerup', attempt);
    advance(2);
    await guard.admit(principal({ mfa: false }), Role.REIDENTIFIER, 'ballerup', attempt);
    expect(await access.getBlock(ALICE)).toBeUndefined();
    clock = new Date(clock.getTime() + 30_000);
    await guard.admit(principal({ mfa: false }), Role.REIDENTIFIER, 'ballerup', attempt);
    expect(await access.getBlock(ALICE)).toMatchObject({ denials: 2 });
    expect((await lastBlockRecord())?.reason).toContain('2 rejected attempts in 1 minutes');
  });

  it('blocks only the user who was refused', async () => {
    const guard = guardWith();
    for (let i = 0; i < 5; i++) {
      await guard.admit(principal({ mfa: false }), Role.REIDENTIFIER, 'ballerup', attempt);
      await guard.admit(
        principal({ subject: `user-${i}`, mfa: false }),
        Role.REIDENTIFIER,
        'ballerup',
        attempt,
      );
    }
    expect((await access.listBlocks()).map((b) => b.user)).toEqual([ALICE]);
    expect((await lastBlockRecord())?.subject).toBe(ALICE);
  });

  it('counts a refusal recorded elsewhere (counted) towards the block', async () => {
    const guard = guardWith();
    for (let i = 0; i < 4; i++)
      await guard.admit(principal({ mfa: false }), Role.REIDENTIFIER, 'ballerup', attempt);
    // A re-identification that found no value is recorded by its use case, then counted here.
    const noValue = await audit.append(
      { ...attempt, actor: ALICE, tenant: 'ballerup', outcome: 'denied', reason: 'NO_VALUE' },
      clock,
    );
    await guard.counted(ALICE, noValue);
    expect(await access.getBlock(ALICE)).toMatchObject({ denials: 5, lastRecordId: noValue.id });
    expect(metrics.total(AccessMetric.REQUESTS_DENIED)).toBe(5);
  });

  it('sends no user id as a metric dimension', async () => {
    const guard = guardWith();
    for (let i = 0; i < 6; i++)
      await guard.admit(principal({ mfa: false }), Role.REIDENTIFIER, 'ballerup', attempt);
    expect(metrics.calls.length).toBeGreaterThan(0);
    expect(JSON.stringify(metrics.calls)).not.toContain(ALICE);
  });
});

describe('AccessGuard: fixes found in review', () => {
  it('refuses a grant whose expiry is not a date (a damaged grant grants nothing)', async () => {
    await giveGrant({ expiresAt: 'never' });
    const admission = await guardWith().admit(principal(), Role.REIDENTIFIER, 'ballerup', attempt);
    expect(admission).toMatchObject({ denied: Denial.GRANT_EXPIRED });
  });

  it('lets an unblocked user start afresh: one refusal after the unblock does not block again', async () => {
    const guard = guardWith();
    for (let i = 0; i < 5; i++)
      await guard.admit(principal({ mfa: false }), Role.REIDENTIFIER, 'ballerup', attempt);
    expect(await access.getBlock(ALICE)).toBeDefined();
    advance(5);
    expect(await access.deleteBlock(ALICE)).toBe(true);
    expect(await storedDenials(ALICE)).toBe(0);
    advance(1);
    await guard.admit(principal({ mfa: false }), Role.REIDENTIFIER, 'ballerup', attempt);
    expect(await access.getBlock(ALICE)).toBeUndefined();
  });

  it('records one block when refusals at the limit land at once', async () => {
    const guard = guardWith();
    for (let i = 0; i < 4; i++)
      await guard.admit(principal({ mfa: false }), Role.REIDENTIFIER, 'ballerup', attempt);
    await Promise.all(
      [1, 2, 3].map(() => guard.admit(principal({ mfa: false }), Role.REIDENTIFIER, 'ballerup', attempt)),
    );
    expect(await blockRecords()).toHaveLength(1);
    expect(metrics.total(AccessMetric.USER_BLOCKED)).toBe(1);
  });

  it('lifts a block again when its record cannot be written, and says so', async () => {
    const broken = new DynamoAuditLog(dynamo.client, 'no-such-table');
    const guard = new AccessGuard({
      access,
      audit: {
        append: (e, now) =>
          e.action === AuditAction.USER_BLOCK ? broken.append(e, now) : audit.append(e, now),
      },
      policy: defaultAccessPolicy(),
      metrics,
      now: () => clock,
    });
    for (let i = 0; i < 4; i++)
      await guard.admit(principal({ mfa: false }), Role.REIDENTIFIER, 'ballerup', attempt);
    await expect(
      guard.admit(principal({ mfa: false }), Role.REIDENTIFIER, 'ballerup', attempt),
    ).rejects.toMatchObject({
      code: 'AUDIT_UNAVAILABLE',
    });
    expect(await access.getBlock(ALICE)).toBeUndefined();
  });
});
