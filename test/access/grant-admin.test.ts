import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Denial } from '../../lib/access/access-guard.ts';
import { AccessMetric, type AccessMetrics } from '../../lib/access/access-metrics.ts';
import { defaultAccessPolicy } from '../../lib/access/access-policy.ts';
import { DynamoAccessStore } from '../../lib/access/dynamo-access-store.ts';
import { addMonths, type Grant, groupFor, Role } from '../../lib/access/grant.ts';
import {
  type Authority,
  checkGrantInput,
  GrantAdmin,
  type GrantChange,
  GrantRefusal,
} from '../../lib/access/grant-admin.ts';
import { AuditAction, type AuditLog, type AuditRecord } from '../../lib/audit/audit-log.ts';
import { DynamoAuditLog } from '../../lib/audit/dynamo-audit-log.ts';
import type { Principal } from '../../lib/auth/principal.ts';
import { type EmbeddedDynamo, openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { ErrorCode } from '../../lib/errors.ts';

const NOW = new Date('2026-11-20T10:00:00.000Z');
const OPERATOR: Authority = { operator: 'ops-kim', source: 'cli' };
const ADMIN = 'admin-bob';
const BOB: Principal = { subject: ADMIN, mfa: true, groups: [groupFor('ballerup', Role.ADMIN)] };
const asBob = (overrides: Partial<Principal> = {}): Authority => ({
  principal: { ...BOB, ...overrides },
  source: 'api',
});
const ALICE = { user: 'user-alice', tenant: 'ballerup', role: Role.REIDENTIFIER } as const;

let dynamo: EmbeddedDynamo;
let access: DynamoAccessStore;
let audit: DynamoAuditLog;
let deniedCount: number;
let clock: Date;

const metrics: AccessMetrics = {
  count: (metric, value) => {
    if (metric === AccessMetric.REQUESTS_DENIED) deniedCount += value;
  },
};

// A fresh in-memory database per test: grants, blocks and the audit chain start empty.
beforeEach(async () => {
  dynamo = await openEmbeddedDynamo();
  access = new DynamoAccessStore(dynamo.client);
  audit = new DynamoAuditLog(dynamo.client);
  deniedCount = 0;
  clock = NOW;
});
afterEach(() => dynamo.close());

const adminWith = (log: Pick<AuditLog, 'append'> = audit) =>
  new GrantAdmin({ access, audit: log, policy: defaultAccessPolicy(), metrics, now: () => clock });
const records = async () => {
  const out: AuditRecord[] = [];
  for await (const r of audit.list({}, clock)) out.push(r);
  return out;
};
const putGrant = (overrides: Partial<Grant> = {}) => {
  const grant: Grant = {
    ...ALICE,
    grantedBy: 'ops-kim',
    grantedAt: '2026-06-01T09:00:00.000Z',
    attestedBy: 'ops-kim',
    attestedAt: '2026-06-01T09:00:00.000Z',
    expiresAt: '2026-12-01T09:00:00.000Z',
    ...overrides,
  };
  return access.putGrant(grant).then(() => grant);
};
/** Bob, administrator of ballerup, with a live grant and MFA. */
const bobAdministers = (tenant = 'ballerup', overrides: Partial<Grant> = {}) =>
  putGrant({ user: ADMIN, tenant, role: Role.ADMIN, ...overrides });
const block = (user: string) =>
  access.putBlock({ user, blockedAt: NOW.toISOString(), denials: 5, lastRecordId: 'AUD-000000000001' });
const recordOf = (change: GrantChange) => ('record' in change ? change.record : undefined);

/** An audit log whose every append first notes what the store holds at that moment. */
const watchingLog = (look: () => Promise<unknown>) => {
  const seen: unknown[] = [];
  const log: Pick<AuditLog, 'append'> = {
    append: async (entry, now) => {
      seen.push(await look());
      return audit.append(entry, now);
    },
  };
  return { log, seen };
};
/** The real audit log on a table that does not exist: every append fails. */
const brokenLog = () => new DynamoAuditLog(dynamo.client, 'ticket-proxy-audit-missing');

describe('GrantAdmin with the operator’s authority (real store and audit log, dynalite)', () => {
  it('adds a grant for six months, recorded once before the grant exists', async () => {
    const { log, seen } = watchingLog(() => access.getGrant(ALICE.user, ALICE.tenant, ALICE.role));
    const change = await adminWith(log).add(OPERATOR, ALICE);
    const expiresAt = addMonths(NOW, 6).toISOString();
    expect(expiresAt).toBe('2027-05-20T10:00:00.000Z');
    expect(change).toMatchObject({ outcome: 'done' });
    expect(seen).toEqual([undefined]);
    expect(await records()).toEqual([recordOf(change)]);
    expect(recordOf(change)).toMatchObject({
      action: AuditAction.GRANT_ADD,
      actor: 'ops-kim',
      source: 'cli',
      tenant: 'ballerup',
      subject: 'user-alice',
      role: Role.REIDENTIFIER,
      expiresAt,
      outcome: 'granted',
      tokens: [],
      time: NOW.toISOString(),
    });
    const stored = await access.getGrant(ALICE.user, ALICE.tenant, ALICE.role);
    expect(stored).toEqual({
      ...ALICE,
      grantedBy: 'ops-kim',
      grantedAt: NOW.toISOString(),
      attestedBy: 'ops-kim',
      attestedAt: NOW.toISOString(),
      expiresAt,
    });
    expect(change).toMatchObject({ grant: stored });
  });

  it('adds a grant with the expiry asked for, up to exactly twelve months', async () => {
    const expiresAt = addMonths(NOW, 12);
    const change = await adminWith().add(OPERATOR, { ...ALICE, expiresAt });
    expect(change).toMatchObject({ outcome: 'done', record: { expiresAt: expiresAt.toISOString() } });
    expect((await access.getGrant(ALICE.user, ALICE.tenant, ALICE.role))?.expiresAt).toBe(
      expiresAt.toISOString(),
    );
  });

  it('keeps the last use when a grant is added again', async () => {
    await putGrant({ lastUsedAt: '2026-11-19T08:00:00.000Z' });
    await adminWith().add(OPERATOR, ALICE);
    expect(await access.getGrant(ALICE.user, ALICE.tenant, ALICE.role)).toMatchObject({
      grantedAt: NOW.toISOString(),
      lastUsedAt: '2026-11-19T08:00:00.000Z',
    });
  });

  it.each([
    ['in the past', new Date(NOW.getTime() - 1)],
    ['now', NOW],
    ['a millisecond past twelve months', new Date(addMonths(NOW, 12).getTime() + 1)],
    ['two years ahead', addMonths(NOW, 24)],
  ])('refuses an expiry %s with BAD_EXPIRY, recorded as denied, and adds nothing', async (_, expiresAt) => {
    const change = await adminWith().add(OPERATOR, { ...ALICE, expiresAt });
    expect(change).toMatchObject({ outcome: 'refused', reason: GrantRefusal.BAD_EXPIRY });
    expect(await records()).toEqual([recordOf(change)]);
    expect(recordOf(change)).toMatchObject({
      action: AuditAction.GRANT_ADD,
      actor: 'ops-kim',
      outcome: 'denied',
      reason: GrantRefusal.BAD_EXPIRY,
      subject: 'user-alice',
      expiresAt: expiresAt.toISOString(),
    });
    expect(await access.listGrants()).toEqual([]);
  });

  it('revokes a grant, recorded once while the grant still existed', async () => {
    await putGrant();
    const { log, seen } = watchingLog(() => access.getGrant(ALICE.user, ALICE.tenant, ALICE.role));
    const change = await adminWith(log).revoke(OPERATOR, ALICE);
    expect(change).toMatchObject({ outcome: 'done' });
    expect(seen).toEqual([expect.objectContaining({ user: 'user-alice' })]);
    expect(await records()).toEqual([recordOf(change)]);
    expect(recordOf(change)).toMatchObject({
      action: AuditAction.GRANT_REVOKE,
      actor: 'ops-kim',
      tenant: 'ballerup',
      subject: 'user-alice',
      role: Role.REIDENTIFIER,
      outcome: 'granted',
    });
    expect(recordOf(change)).not.toHaveProperty('expiresAt');
    expect(await access.getGrant(ALICE.user, ALICE.tenant, ALICE.role)).toBeUndefined();
  });

  it('re-attests a grant for six months from now, keeping its origin and last use', async () => {
    const old = await putGrant({ lastUsedAt: '2026-11-19T08:00:00.000Z' });
    clock = new Date('2026-11-25T12:00:00.000Z');
    const { log, seen } = watchingLog(() => access.getGrant(ALICE.user, ALICE.tenant, ALICE.role));
    const change = await adminWith(log).reattest(OPERATOR, ALICE);
    const expiresAt = '2027-05-25T12:00:00.000Z';
    expect(seen).toEqual([old]);
    expect(await records()).toEqual([recordOf(change)]);
    expect(recordOf(change)).toMatchObject({
      action: AuditAction.GRANT_REATTEST,
      actor: 'ops-kim',
      subject: 'user-alice',
      role: Role.REIDENTIFIER,
      expiresAt,
      outcome: 'granted',
      time: clock.toISOString(),
    });
    const renewed = { ...old, attestedBy: 'ops-kim', attestedAt: clock.toISOString(), expiresAt };
    expect(await access.getGrant(ALICE.user, ALICE.tenant, ALICE.role)).toEqual(renewed);
    expect(change).toMatchObject({ outcome: 'done', grant: renewed });
  });

  it('re-attests an expired grant from now, and for the months asked', async () => {
    await putGrant({ expiresAt: '2026-10-01T00:00:00.000Z' });
    const change = await adminWith().reattest(OPERATOR, { ...ALICE, months: 3 });
    expect(change).toMatchObject({ outcome: 'done', grant: { expiresAt: '2027-02-20T10:00:00.000Z' } });
  });

  it.each([0, 13, -1, 1.5])('refuses to re-attest for %s months with BAD_EXPIRY', async (months) => {
    const old = await putGrant();
    const change = await adminWith().reattest(OPERATOR, { ...ALICE, months });
    expect(change).toMatchObject({ outcome: 'refused', reason: GrantRefusal.BAD_EXPIRY });
    expect(await records()).toEqual([recordOf(change)]);
    expect(recordOf(change)).toMatchObject({ action: AuditAction.GRANT_REATTEST, outcome: 'denied' });
    expect(await access.getGrant(ALICE.user, ALICE.tenant, ALICE.role)).toEqual(old);
  });

  it('unblocks a user, recorded once while the block still stood', async () => {
    await block('user-alice');
    const { log, seen } = watchingLog(() => access.getBlock('user-alice'));
    const change = await adminWith(log).unblock(OPERATOR, 'user-alice');
    expect(change).toMatchObject({ outcome: 'done' });
    expect(seen).toEqual([expect.objectContaining({ user: 'user-alice' })]);
    expect(await records()).toEqual([recordOf(change)]);
    expect(recordOf(change)).toMatchObject({
      action: AuditAction.USER_UNBLOCK,
      actor: 'ops-kim',
      source: 'cli',
      tenant: '',
      subject: 'user-alice',
      outcome: 'granted',
    });
    expect(await access.getBlock('user-alice')).toBeUndefined();
  });

  it.each<[string, (admin: GrantAdmin) => Promise<GrantChange>]>([
    ['revoking a grant that does not exist', (admin) => admin.revoke(OPERATOR, ALICE)],
    ['re-attesting a grant that does not exist', (admin) => admin.reattest(OPERATOR, ALICE)],
    ['unblocking a user who is not blocked', (admin) => admin.unblock(OPERATOR, 'user-alice')],
  ])('records nothing when %s', async (_, change) => {
    await putGrant({ role: Role.DPO });
    expect(await change(adminWith())).toEqual({ outcome: 'not-found' });
    expect(await records()).toEqual([]);
  });

  it.each<
    [string, () => Promise<unknown>, (admin: GrantAdmin) => Promise<GrantChange>, () => Promise<unknown>]
  >([
    ['add', async () => undefined, (a) => a.add(OPERATOR, ALICE), () => access.listGrants()],
    ['revoke', () => putGrant(), (a) => a.revoke(OPERATOR, ALICE), () => access.listGrants()],
    ['reattest', () => putGrant(), (a) => a.reattest(OPERATOR, ALICE), () => access.listGrants()],
    [
      'unblock',
      () => block('user-alice'),
      (a) => a.unblock(OPERATOR, 'user-alice'),
      () => access.listBlocks(),
    ],
  ])('changes nothing on %s when the audit log cannot record it', async (_, arrange, change, state) => {
    await arrange();
    const before = await state();
    await expect(change(adminWith(brokenLog()))).rejects.toMatchObject({ code: ErrorCode.AUDIT_UNAVAILABLE });
    expect(await state()).toEqual(before);
  });
});

describe('GrantAdmin with a person’s authority', () => {
  it('lets an administrator of the tenant add a grant, recorded as theirs', async () => {
    await bobAdministers();
    const change = await adminWith().add(asBob(), ALICE);
    expect(change).toMatchObject({ outcome: 'done' });
    expect(await records()).toEqual([recordOf(change)]);
    expect(recordOf(change)).toMatchObject({
      action: AuditAction.GRANT_ADD,
      actor: ADMIN,
      source: 'api',
      tenant: 'ballerup',
      subject: 'user-alice',
      outcome: 'granted',
    });
    expect(await access.getGrant(ALICE.user, ALICE.tenant, ALICE.role)).toMatchObject({
      grantedBy: ADMIN,
      attestedBy: ADMIN,
    });
    // Using the administrator grant is a use of it.
    expect((await access.getGrant(ADMIN, 'ballerup', Role.ADMIN))?.lastUsedAt).toBe(NOW.toISOString());
  });

  it.each<[Denial, () => Promise<unknown>, Partial<Principal>]>([
    [Denial.NO_MFA, () => bobAdministers(), { mfa: false }],
    [Denial.NO_GROUP, () => bobAdministers(), { groups: [groupFor('ballerup', Role.REIDENTIFIER)] }],
    [Denial.NO_GRANT, () => bobAdministers('egedal'), { groups: [groupFor('egedal', Role.ADMIN)] }],
    [
      Denial.NO_GRANT,
      () => putGrant({ user: ADMIN, role: Role.DPO }),
      { groups: [groupFor('ballerup', Role.DPO)] },
    ],
    [Denial.GRANT_EXPIRED, () => bobAdministers('ballerup', { expiresAt: NOW.toISOString() }), {}],
  ])(
    'refuses a grant from someone who is not an administrator of the tenant (%s), recorded once',
    async (reason, arrange, who) => {
      await arrange();
      const change = await adminWith().add(asBob(who), ALICE);
      expect(change).toMatchObject({ outcome: 'refused', reason });
      expect(await records()).toEqual([recordOf(change)]);
      expect(recordOf(change)).toMatchObject({
        action: AuditAction.GRANT_ADD,
        actor: ADMIN,
        tenant: 'ballerup',
        subject: 'user-alice',
        role: Role.REIDENTIFIER,
        outcome: 'denied',
        reason,
      });
      expect(await access.getGrant(ALICE.user, ALICE.tenant, ALICE.role)).toBeUndefined();
      expect(deniedCount).toBe(1);
    },
  );

  it('refuses revoking and re-attesting by a non-administrator too, changing nothing', async () => {
    const old = await putGrant();
    const notAdmin = asBob({ mfa: false });
    const admin = adminWith();
    expect(await admin.revoke(notAdmin, ALICE)).toMatchObject({ outcome: 'refused', reason: Denial.NO_MFA });
    expect(await admin.reattest(notAdmin, ALICE)).toMatchObject({
      outcome: 'refused',
      reason: Denial.NO_MFA,
    });
    expect((await records()).map((r) => [r.action, r.outcome])).toEqual([
      [AuditAction.GRANT_REVOKE, 'denied'],
      [AuditAction.GRANT_REATTEST, 'denied'],
    ]);
    expect(await access.listGrants()).toEqual([old]);
  });

  it('refuses BAD_EXPIRY from an administrator as one denied record of theirs', async () => {
    await bobAdministers();
    const change = await adminWith().add(asBob(), { ...ALICE, expiresAt: addMonths(NOW, 13) });
    expect(change).toMatchObject({ outcome: 'refused', reason: GrantRefusal.BAD_EXPIRY });
    expect(await records()).toEqual([recordOf(change)]);
    expect(recordOf(change)).toMatchObject({ actor: ADMIN, outcome: 'denied', time: NOW.toISOString() });
    expect(deniedCount).toBe(1);
  });

  it.each<[string, (admin: GrantAdmin) => Promise<GrantChange>]>([
    ['add a grant', (a) => a.add(asBob(), { user: ADMIN, tenant: 'ballerup', role: Role.DPO })],
    ['re-attest a grant', (a) => a.reattest(asBob(), { user: ADMIN, tenant: 'ballerup', role: Role.ADMIN })],
    ['unblock', (a) => a.unblock(asBob(), ADMIN)],
  ])('refuses an administrator who tries to %s for themselves (OWN_ACCESS)', async (_, change) => {
    const own = await bobAdministers();
    const result = await change(adminWith());
    expect(result).toMatchObject({ outcome: 'refused', reason: GrantRefusal.OWN_ACCESS });
    expect(await records()).toEqual([recordOf(result)]);
    expect(recordOf(result)).toMatchObject({
      actor: ADMIN,
      subject: ADMIN,
      outcome: 'denied',
      tenant: 'ballerup',
    });
    expect((await access.listGrants()).map((g) => [g.role, g.expiresAt])).toEqual([
      [Role.ADMIN, own.expiresAt],
    ]);
  });

  it('lets an administrator revoke their own grant', async () => {
    await bobAdministers();
    const change = await adminWith().revoke(asBob(), { user: ADMIN, tenant: 'ballerup', role: Role.ADMIN });
    expect(change).toMatchObject({
      outcome: 'done',
      record: { actor: ADMIN, subject: ADMIN, outcome: 'granted' },
    });
    expect(await access.listGrants({ user: ADMIN })).toEqual([]);
  });

  it('records nothing for a revoke or re-attest of a grant that does not exist', async () => {
    await bobAdministers();
    const admin = adminWith();
    expect(await admin.revoke(asBob(), ALICE)).toEqual({ outcome: 'not-found' });
    expect(await admin.reattest(asBob(), ALICE)).toEqual({ outcome: 'not-found' });
    expect(await records()).toEqual([]);
  });

  it('lets an administrator of a tenant where the blocked user holds a grant unblock them', async () => {
    await bobAdministers('egedal');
    await bobAdministers('ballerup');
    await putGrant({ tenant: 'ballerup' });
    await block('user-alice');
    const change = await adminWith().unblock(
      asBob({ groups: [groupFor('egedal', Role.ADMIN), groupFor('ballerup', Role.ADMIN)] }),
      'user-alice',
    );
    expect(change).toMatchObject({ outcome: 'done' });
    expect(await records()).toEqual([recordOf(change)]);
    expect(recordOf(change)).toMatchObject({
      action: AuditAction.USER_UNBLOCK,
      actor: ADMIN,
      tenant: 'ballerup',
      subject: 'user-alice',
      outcome: 'granted',
    });
    expect(await access.getBlock('user-alice')).toBeUndefined();
  });

  it('refuses an unblock by an administrator of an unrelated tenant, and the block stands', async () => {
    await bobAdministers('egedal');
    await putGrant({ tenant: 'ballerup' });
    await block('user-alice');
    const change = await adminWith().unblock(
      asBob({ groups: [groupFor('egedal', Role.ADMIN)] }),
      'user-alice',
    );
    expect(change).toMatchObject({ outcome: 'refused', reason: Denial.NO_GRANT });
    expect(await records()).toEqual([recordOf(change)]);
    expect(recordOf(change)).toMatchObject({
      action: AuditAction.USER_UNBLOCK,
      actor: ADMIN,
      subject: 'user-alice',
      outcome: 'denied',
      reason: Denial.NO_GRANT,
    });
    expect(await access.getBlock('user-alice')).toMatchObject({ user: 'user-alice' });
  });

  it('refuses an unblock by a blocked administrator', async () => {
    await bobAdministers();
    await putGrant();
    await block('user-alice');
    await block(ADMIN);
    const change = await adminWith().unblock(asBob(), 'user-alice');
    expect(change).toMatchObject({ outcome: 'refused', reason: Denial.USER_BLOCKED });
    expect(await access.getBlock('user-alice')).toBeDefined();
  });

  it('counts an administrator’s refusals towards blocking them', async () => {
    await bobAdministers();
    const admin = adminWith();
    for (let i = 0; i < 5; i++) {
      await admin.add(asBob(), { user: ADMIN, tenant: 'ballerup', role: Role.REIDENTIFIER });
    }
    expect(await access.getBlock(ADMIN)).toMatchObject({ denials: 5 });
    expect(await admin.add(asBob(), ALICE)).toMatchObject({
      outcome: 'refused',
      reason: Denial.USER_BLOCKED,
    });
  });
});

describe('checkGrantInput', () => {
  it('accepts a subject, a tenant and a role', () => {
    expect(
      checkGrantInput({ user: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6', tenant: 'ballerup', role: 'dpo' }),
    ).toBe(undefined);
  });

  it.each([
    [{ user: '', tenant: 'ballerup', role: 'dpo' }, /^user /],
    [{ user: '   ', tenant: 'ballerup', role: 'dpo' }, /^user /],
    [{ user: 'a\nb', tenant: 'ballerup', role: 'dpo' }, /^user /],
    [{ user: 'x'.repeat(257), tenant: 'ballerup', role: 'dpo' }, /^user /],
    [{ tenant: 'ballerup', role: 'dpo' }, /^user /],
    [{ user: 'u', tenant: 'Ballerup', role: 'dpo' }, /^tenant /],
    [{ user: 'u', tenant: 'a#b', role: 'dpo' }, /^tenant /],
    [{ user: 'u', tenant: 'ballerup', role: 'owner' }, /^role must be one of reidentifier, dpo, admin$/],
  ])('refuses %j, naming the field', (input, message) => {
    expect(checkGrantInput(input)).toMatch(message);
  });
});

describe('GrantAdmin: bad expiries found in review', () => {
  it.each([
    ['NaN months', { months: Number.NaN }],
    ['infinite months', { months: Number.POSITIVE_INFINITY }],
  ])('refuses a re-attestation with %s as BAD_EXPIRY, recorded, without throwing', async (_, extra) => {
    await putGrant();
    const change = await adminWith().reattest(OPERATOR, { ...ALICE, ...extra });
    expect(change).toMatchObject({ outcome: 'refused', reason: GrantRefusal.BAD_EXPIRY });
    expect(recordOf(change)).toMatchObject({ outcome: 'denied', action: AuditAction.GRANT_REATTEST });
  });

  it('refuses an invalid expiry date as BAD_EXPIRY, recorded without it', async () => {
    const change = await adminWith().add(OPERATOR, { ...ALICE, expiresAt: new Date('not a date') });
    expect(change).toMatchObject({ outcome: 'refused', reason: GrantRefusal.BAD_EXPIRY });
    expect(recordOf(change)?.expiresAt).toBeUndefined();
    expect(await access.listGrants()).toEqual([]);
  });
});
