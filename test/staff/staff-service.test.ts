import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupFor, Role } from '../../lib/access/grant.ts';
import { AuditAction, type AuditRecord } from '../../lib/audit/audit-log.ts';
import type { Principal } from '../../lib/auth/principal.ts';
import { TokenKind } from '../../lib/pseudonymize/token.ts';
import type { EmbeddedRuntime } from '../../lib/runtime/embedded.ts';
import { type StaffService, staffServiceFor } from '../../lib/staff/staff-service.ts';
import { putTestGrant } from '../support/grants.ts';
import { testRuntime } from '../support/runtime.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();
const PURPOSE = 'Borgeren ringede og bad om status på sagen';
const LOOKUP = 'Borgeren har bedt om indsigt i hvem der har set oplysningerne';
const DAY = 24 * 60 * 60 * 1000;
const JENS_CPR = '010190-1234';

let runtime: EmbeddedRuntime;
let staff: StaffService;
const tokens = { jens: '', jensName: '', jensEgedal: '', mette: '' };

const person = (subject: string, grants: [string, Role][]): Principal => ({
  subject,
  mfa: true,
  groups: grants.map(([tenant, role]) => groupFor(tenant, role)),
});

const grant = (user: string, tenant: string, role: Role) => putTestGrant(runtime.access, user, tenant, role);

const alice = person('alice', [['ballerup', Role.REIDENTIFIER]]);
const bob = person('bob', [['ballerup', Role.REIDENTIFIER]]);
const erik = person('erik', [['egedal', Role.REIDENTIFIER]]);
const dora = person('dora', [['ballerup', Role.DPO]]);

beforeAll(async () => {
  runtime = await testRuntime(await tempDir(), { ballerup: {}, egedal: {} });
  staff = staffServiceFor(runtime);
  const ticket = (ticketId: string, tenant = 'ballerup') => ({
    tenant,
    ticketId,
    expiresAt: new Date(Date.now() + 90 * DAY),
  });
  // Jens in two tickets of Ballerup (one token) and one of Egedal (another token: tokens are per tenant).
  [tokens.jens, tokens.jensName] = (await runtime.pseudonymizer.tokenize(ticket('SD-1'), [
    { kind: TokenKind.CPR, value: JENS_CPR },
    { kind: TokenKind.NAME, value: 'Jens Hansen' },
  ])) as [string, string];
  await runtime.pseudonymizer.tokenize(ticket('SD-2'), [{ kind: TokenKind.CPR, value: '0101901234' }]);
  [tokens.jensEgedal] = (await runtime.pseudonymizer.tokenize(ticket('SD-9', 'egedal'), [
    { kind: TokenKind.CPR, value: JENS_CPR },
  ])) as [string];
  [tokens.mette] = (await runtime.pseudonymizer.tokenize(ticket('SD-3'), [
    { kind: TokenKind.CPR, value: '020290-2345' },
  ])) as [string];
  await grant('alice', 'ballerup', Role.REIDENTIFIER);
  await grant('bob', 'ballerup', Role.REIDENTIFIER);
  await grant('erik', 'egedal', Role.REIDENTIFIER);
  await grant('dora', 'ballerup', Role.DPO);
});
afterAll(() => runtime.close());

describe('StaffService: the data protection officer’s questions', () => {
  it('"who has seen this citizen’s data?" lists exactly the uses of the citizen’s tokens, across tickets and tenants', async () => {
    expect(tokens.jensEgedal).not.toBe(tokens.jens);
    const uses = [
      await staff.reidentify(alice, {
        tokens: [tokens.jens],
        purpose: PURPOSE,
        issueKey: 'DEV-1',
        source: 'api',
      }),
      await staff.reidentify(bob, { tokens: [tokens.mette], purpose: PURPOSE, source: 'api' }),
      await staff.reidentify(bob, {
        text: `Om ${tokens.jensName} og ${tokens.mette}`,
        purpose: PURPOSE,
        source: 'console',
      }),
      await staff.reidentify(erik, { tokens: [tokens.jensEgedal], purpose: PURPOSE, source: 'api' }),
      await staff.reidentify(person('mallory', []), {
        tokens: [tokens.jens],
        purpose: PURPOSE,
        source: 'api',
      }),
    ];
    expect(uses.map((u) => u.outcome)).toEqual(['granted', 'granted', 'granted', 'granted', 'refused']);
    // A write-back of the ticket's tokens, as the Jira webhook makes it.
    await runtime.audit.append({
      actor: 'system:write-back',
      source: 'jira-webhook',
      action: AuditAction.WRITE_BACK,
      tenant: 'ballerup',
      tokens: [tokens.jens],
      purpose: 'write-back',
      issueKey: 'DEV-1',
      outcome: 'granted',
    });

    const asOperator = await staff.whoHasSeen(
      { operator: 'dpo-cli', source: 'cli' },
      { cpr: ['0101901234'], name: ['jens  hansen'] },
      { purpose: LOOKUP },
    );
    if ('refused' in asOperator) throw new Error('refused');
    const seen = asOperator.rows.filter((r) => r.seen).map((r) => [r.actor, r.tenant, r.tokens]);
    expect(seen).toEqual([
      ['alice', 'ballerup', [tokens.jens]],
      ['bob', 'ballerup', [tokens.jensName]],
      ['erik', 'egedal', [tokens.jensEgedal]],
      ['system:write-back', 'ballerup', [tokens.jens]],
    ]);
    expect(asOperator.rows.filter((r) => !r.seen).map((r) => [r.actor, r.reason])).toEqual([
      ['mallory', 'NO_GRANT'],
    ]);
    // The lookup itself is recorded, with the tokens and never the CPR number or name asked for.
    expect(asOperator.record).toMatchObject({
      action: AuditAction.DPO_LOOKUP,
      actor: 'dpo-cli',
      outcome: 'granted',
      purpose: LOOKUP,
    });
    expect(asOperator.record.tokens).toEqual(
      expect.arrayContaining([tokens.jens, tokens.jensEgedal, tokens.jensName]),
    );
    expect(JSON.stringify(asOperator.record)).not.toMatch(/0101901234|010190|jens hansen/i);

    // A DPO of Ballerup sees Ballerup only.
    const asDora = await staff.whoHasSeen(
      { principal: dora, source: 'api' },
      { cpr: [JENS_CPR] },
      { purpose: LOOKUP },
    );
    if ('refused' in asDora) throw new Error('refused');
    expect(asDora.tokens.map((t) => t.tenant)).toEqual(['ballerup']);
    expect(asDora.rows.filter((r) => r.seen).map((r) => r.actor)).toEqual(['alice', 'system:write-back']);
  });

  it('refuses a lookup without a purpose, recording it, and one by someone who is not a DPO', async () => {
    const noPurpose = await staff.whoHasSeen({ principal: dora, source: 'api' }, { cpr: [JENS_CPR] }, {});
    expect(noPurpose).toMatchObject({
      refused: 'PURPOSE_MISSING',
      record: { outcome: 'denied', action: AuditAction.DPO_LOOKUP },
    });
    const notDpo = await staff.whoHasSeen(
      { principal: alice, source: 'api' },
      { cpr: [JENS_CPR] },
      { purpose: LOOKUP },
    );
    expect(notDpo).toMatchObject({ refused: 'NO_GRANT', record: { actor: 'alice', outcome: 'denied' } });
  });

  it('"what did this user re-identify, and why?" for a DPO, recorded as a read', async () => {
    const result = await staff.activity(dora, 'bob', 'api');
    if ('refused' in result) throw new Error('refused');
    expect(result.records.map((r) => [r.action, r.outcome, r.purpose])).toEqual([
      [AuditAction.REIDENTIFY, 'granted', PURPOSE],
      [AuditAction.REIDENTIFY, 'granted', PURPOSE],
    ]);
    expect(result.record).toMatchObject({ action: AuditAction.AUDIT_READ, actor: 'dora', subject: 'bob' });
  });

  it("shows a DPO only records of their tenants and of their tenants' users", async () => {
    const result = await staff.records(dora, {}, 'api');
    if ('refused' in result) throw new Error('refused');
    const actors = new Set(result.records.map((r: AuditRecord) => r.actor));
    expect(actors.has('alice')).toBe(true);
    expect(actors.has('erik')).toBe(false);
    expect(
      result.records.every(
        (r) => r.tenant.split(',').includes('ballerup') || ['alice', 'bob', 'dora'].includes(r.actor),
      ),
    ).toBe(true);
  });

  it('answers a page at a time, oldest first, and says whether more follow', async () => {
    const whole = await staff.records(dora, {}, 'api');
    if ('refused' in whole) throw new Error('refused');
    expect(whole.more).toBe(false);
    const seen: number[] = [];
    let afterSeq: number | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await staff.records(dora, afterSeq === undefined ? {} : { afterSeq }, 'api', 2);
      if ('refused' in page) throw new Error('refused');
      expect(page.records.length).toBeLessThanOrEqual(2);
      seen.push(...page.records.map((r) => r.seq));
      if (!page.more) break;
      afterSeq = page.records.at(-1)?.seq;
    }
    // Every record of the whole answer once, in order; later pages also hold the reads of earlier ones.
    expect(seen.slice(0, whole.records.length)).toEqual(whole.records.map((r) => r.seq));
    expect(new Set(seen).size).toBe(seen.length);
    const activity = await staff.activity(dora, 'bob', 'api', { limit: 1 });
    if ('refused' in activity) throw new Error('refused');
    expect(activity).toMatchObject({ more: true, records: [{ actor: 'bob' }] });
    const rest = await staff.activity(dora, 'bob', 'api', { afterSeq: activity.records[0]?.seq as number });
    if ('refused' in rest) throw new Error('refused');
    expect(rest.more).toBe(false);
    expect(rest.records.every((r) => r.actor === 'bob' && r.seq > (activity.records[0]?.seq as number))).toBe(
      true,
    );
  });

  it("does not show a Ballerup DPO a Ballerup user's records in another tenant", async () => {
    await grant('bob', 'egedal', Role.REIDENTIFIER);
    const bobBoth = person('bob', [
      ['ballerup', Role.REIDENTIFIER],
      ['egedal', Role.REIDENTIFIER],
    ]);
    const inEgedal = await staff.reidentify(bobBoth, {
      tokens: [tokens.jensEgedal],
      purpose: PURPOSE,
      source: 'api',
    });
    expect(inEgedal.outcome).toBe('granted');
    const activity = await staff.activity(dora, 'bob', 'api');
    if ('refused' in activity) throw new Error('refused');
    expect(activity.records.some((r) => r.tenant.includes('egedal'))).toBe(false);
    const records = await staff.records(dora, { actor: 'bob' }, 'api');
    if ('refused' in records) throw new Error('refused');
    expect(records.records.some((r) => r.tenant.includes('egedal'))).toBe(false);
  });

  it("counts a DPO's lookups towards the tokens-per-hour alarm (guessing CPR numbers)", async () => {
    const counted: string[] = [];
    const guessing = staffServiceFor(
      Object.assign(Object.create(runtime), {
        accessPolicy: { ...runtime.accessPolicy, maxTokensPerHour: 3 },
        metrics: { count: (metric: string) => counted.push(metric) },
      }),
    );
    const guesses = ['0101901111', '0101901112', '0101901113', '0101901114'];
    await guessing.whoHasSeen({ principal: dora, source: 'api' }, { cpr: guesses }, { purpose: LOOKUP });
    expect(counted).toContain('ReidentifyRateExceeded');
  });

  it('gives the access review with last use, and the chain check', async () => {
    const review = await staff.accessReview(dora, 'api');
    if ('refused' in review) throw new Error('refused');
    const alices = review.rows.find((r) => r.user === 'alice');
    expect(alices).toMatchObject({ status: 'active', unused: false, lastUsedAt: expect.any(String) });
    expect(review.rows.some((r) => r.tenant === 'egedal')).toBe(false);
    const verified = await staff.verify(dora, 'api');
    expect(verified).toMatchObject({ verdict: { intact: true } });
  });
});

describe('StaffService.me', () => {
  /** Every audit record so far. */
  const allRecords = async () => {
    const out: AuditRecord[] = [];
    for await (const r of runtime.audit.list({})) out.push(r);
    return out;
  };
  /** A service like `staff`, counting the metrics it emits. */
  const counting = () => {
    const counted: string[] = [];
    const service = staffServiceFor(
      Object.assign(Object.create(runtime), {
        metrics: { count: (metric: string) => counted.push(metric) },
      }),
    );
    return { service, counted };
  };

  beforeAll(async () => {
    await grant('freja', 'ballerup', Role.REIDENTIFIER);
    await grant('freja', 'egedal', Role.REIDENTIFIER);
    await grant('freja', 'ballerup', Role.DPO);
    await putTestGrant(runtime.access, 'freja', 'egedal', Role.ADMIN, new Date(Date.now() - 60_000));
  });

  it('gives the person’s grants, and as usable the live ones whose group they have', async () => {
    const freja = person('freja', [
      ['ballerup', Role.REIDENTIFIER],
      ['ballerup', Role.DPO],
      ['egedal', Role.ADMIN],
    ]);
    const me = await staff.me(freja);
    expect(me.principal).toBe(freja);
    expect(me.blocked).toBeUndefined();
    expect(me.grants.map((g) => `${g.tenant}/${g.role}`).sort()).toEqual(
      ['ballerup/dpo', 'ballerup/reidentifier', 'egedal/admin', 'egedal/reidentifier'].sort(),
    );
    // Not the Egedal grant without its group, nor the expired one with it.
    expect(me.usable.map((g) => `${g.tenant}/${g.role}`).sort()).toEqual(
      ['ballerup/dpo', 'ballerup/reidentifier'].sort(),
    );
    expect(me.usable.every((u) => me.grants.some((g) => g.tenant === u.tenant && g.role === u.role))).toBe(
      true,
    );
  });

  it('offers nothing to use without a second factor, nor to a blocked person, and says so', async () => {
    const freja = person('freja', [['ballerup', Role.REIDENTIFIER]]);
    const noMfa = await staff.me({ ...freja, mfa: false });
    expect(noMfa.usable).toEqual([]);
    expect(noMfa.grants).toHaveLength(4);

    await runtime.access.putBlock({
      user: 'gorm',
      blockedAt: new Date().toISOString(),
      denials: 5,
      lastRecordId: 'AUD-1',
    });
    await grant('gorm', 'ballerup', Role.REIDENTIFIER);
    const blocked = await staff.me(person('gorm', [['ballerup', Role.REIDENTIFIER]]));
    expect(blocked).toMatchObject({ usable: [], blocked: { user: 'gorm', denials: 5 } });
    expect(blocked.grants).toHaveLength(1);
  });

  it('records nothing and counts no refusal, however often it is asked, even by someone admit would refuse', async () => {
    const { service, counted } = counting();
    const before = (await allRecords()).length;
    for (let i = 0; i < 6; i++) {
      await service.me(person('hugo', [['ballerup', Role.REIDENTIFIER]]));
      await service.me({ ...person('freja', [['ballerup', Role.REIDENTIFIER]]), mfa: false });
      await service.me(person('freja', []));
    }
    expect((await allRecords()).length).toBe(before);
    expect(counted).toEqual([]);
    expect(await runtime.access.getBlock('hugo')).toBeUndefined();
    expect(await runtime.access.getBlock('freja')).toBeUndefined();
    // Nor is a DPO's grant used by showing it.
    expect((await runtime.access.getGrant('freja', 'ballerup', Role.DPO))?.lastUsedAt).toBeUndefined();
  });
});
