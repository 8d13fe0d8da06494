import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccessMetric, AccessMetrics } from '../../lib/access/access-metrics.ts';
import { defaultAccessPolicy } from '../../lib/access/access-policy.ts';
import { addMonths, groupFor, Role } from '../../lib/access/grant.ts';
import { AuditAction, type AuditRecord } from '../../lib/audit/audit-log.ts';
import { DynamoAuditLog } from '../../lib/audit/dynamo-audit-log.ts';
import type { Principal } from '../../lib/auth/principal.ts';
import { DependencyError, ErrorCode } from '../../lib/errors.ts';
import { TokenKind } from '../../lib/pseudonymize/token.ts';
import { reidentifyForStaff, type StaffReidentifyDeps } from '../../lib/reidentify/staff-reidentify.ts';
import type { EmbeddedRuntime } from '../../lib/runtime/embedded.ts';
import { putTestGrant } from '../support/grants.ts';
import { testRuntime } from '../support/runtime.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();
const PURPOSE = 'Borgeren ringede og bad om status på sagen';
const DAY = 24 * 60 * 60 * 1000;
// A Tuesday at 10:00 in Copenhagen: inside the default working hours.
const WORKDAY = new Date('2026-11-24T09:00:00Z');

let runtime: EmbeddedRuntime;
let cpr: string;
let email: string;
let egedalCpr: string;
let expired: string;
let secret: string;

beforeAll(async () => {
  runtime = await testRuntime(await tempDir(), { ballerup: {}, egedal: {} });
  const live = { tenant: 'ballerup', ticketId: 'SD-1', expiresAt: new Date(Date.now() + 90 * DAY) };
  [cpr, email, secret] = (await runtime.pseudonymizer.tokenize(live, [
    { kind: TokenKind.CPR, value: '010190-1234' },
    { kind: TokenKind.EMAIL, value: 'jens@example.dk' },
    { kind: TokenKind.SECRET, value: 'hunter2-hunter2' },
  ])) as [string, string, string];
  [egedalCpr] = (await runtime.pseudonymizer.tokenize({ ...live, tenant: 'egedal' }, [
    { kind: TokenKind.CPR, value: '020290-2345' },
  ])) as [string];
  [expired] = (await runtime.pseudonymizer.tokenize(
    { tenant: 'ballerup', ticketId: 'SD-OLD', expiresAt: new Date(Date.now() - DAY) },
    [{ kind: TokenKind.PHONE, value: '20304050' }],
  )) as [string];
});
afterAll(() => runtime.close());

let user = 0;
let metrics: { counted: [AccessMetric, number, string | undefined][] } & AccessMetrics;
beforeEach(() => {
  user++;
  metrics = {
    counted: [],
    count(metric, value, dimensions) {
      this.counted.push([metric, value, dimensions?.tenant]);
    },
  };
});

const alice = (overrides: Partial<Principal> = {}): Principal => ({
  subject: `alice-${user}`,
  mfa: true,
  groups: [groupFor('ballerup', Role.REIDENTIFIER)],
  ...overrides,
});

const grant = (subject: string, tenant = 'ballerup', expiresAt = addMonths(new Date(), 6)) =>
  putTestGrant(runtime.access, subject, tenant, Role.REIDENTIFIER, expiresAt);

const deps = (overrides: Partial<StaffReidentifyDeps> = {}): StaffReidentifyDeps => ({
  access: runtime.access,
  audit: runtime.audit,
  policy: defaultAccessPolicy(),
  metrics,
  reveal: (tenant, token) => runtime.pseudonymizer.reveal(tenant, token),
  has: async (tenant, token) => (await runtime.vault.getToken(tenant, token, new Date())) !== undefined,
  tenants: async () => ['ballerup', 'egedal'],
  now: () => WORKDAY,
  ...overrides,
});

/** The audit records a user's requests left, in order. */
async function recordsOf(subject: string): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for await (const r of runtime.audit.list({ actor: subject })) out.push(r);
  return out;
}

describe('reidentifyForStaff (embedded runtime: dynalite, key file)', () => {
  it('returns values and the text restored, after one granted record, and marks the grant used', async () => {
    const p = alice();
    await grant(p.subject);
    const result = await reidentifyForStaff(
      p,
      { text: `Ring om ${cpr}, skriv til ${email}`, purpose: PURPOSE, issueKey: 'DEV-7', source: 'api' },
      deps(),
    );
    expect(result).toMatchObject({
      outcome: 'granted',
      text: 'Ring om 010190-1234, skriv til jens@example.dk',
    });
    const records = await recordsOf(p.subject);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      action: AuditAction.REIDENTIFY,
      outcome: 'granted',
      tenant: 'ballerup',
      tokens: [cpr, email],
      purpose: PURPOSE,
      issueKey: 'DEV-7',
      source: 'api',
    });
    expect(JSON.stringify(records)).not.toContain('010190');
    expect((await runtime.access.getGrant(p.subject, 'ballerup', Role.REIDENTIFIER))?.lastUsedAt).toBe(
      WORKDAY.toISOString(),
    );
    expect(metrics.counted).toEqual([['TokensReidentified', 2, 'ballerup']]);
  });

  // Every refusal the issue names, each leaving exactly one audit record with its reason.
  it.each([
    [
      'no MFA',
      'NO_MFA',
      async () => ({ principal: alice({ mfa: false }), request: { tokens: [cpr], purpose: PURPOSE } }),
    ],
    [
      'no grant',
      'NO_GRANT',
      async () => ({ principal: alice(), request: { tokens: [cpr], purpose: PURPOSE }, noGrant: true }),
    ],
    [
      'an expired grant',
      'GRANT_EXPIRED',
      async () => ({
        principal: alice(),
        request: { tokens: [cpr], purpose: PURPOSE },
        expires: new Date(Date.now() - DAY),
      }),
    ],
    [
      'no group',
      'NO_GROUP',
      async () => ({ principal: alice({ groups: [] }), request: { tokens: [cpr], purpose: PURPOSE } }),
    ],
    [
      'a missing purpose',
      'PURPOSE_MISSING',
      async () => ({ principal: alice(), request: { tokens: [cpr], purpose: 'status' } }),
    ],
    [
      'an unknown token',
      'UNKNOWN_TOKEN',
      async () => ({ principal: alice(), request: { tokens: ['CPR_AAAAAAAAAAAAAAAA'], purpose: PURPOSE } }),
    ],
    [
      'an expired token',
      'UNKNOWN_TOKEN',
      async () => ({ principal: alice(), request: { tokens: [expired], purpose: PURPOSE } }),
    ],
    [
      "another tenant's token",
      'OTHER_TENANT',
      async () => ({ principal: alice(), request: { tokens: [egedalCpr], purpose: PURPOSE } }),
    ],
    [
      'a SECRET token',
      'SECRET_TOKEN',
      async () => ({ principal: alice(), request: { tokens: [secret], purpose: PURPOSE } }),
    ],
  ] as const)(
    'refuses a request with %s (%s), leaving exactly one record and no value',
    async (_, reason, make) => {
      const c = (await make()) as {
        principal: Principal;
        request: { tokens: string[]; purpose: string };
        noGrant?: boolean;
        expires?: Date;
      };
      if (!c.noGrant) await grant(c.principal.subject, 'ballerup', c.expires);
      const result = await reidentifyForStaff(c.principal, { ...c.request, source: 'api' }, deps());
      expect(result.outcome).not.toBe('granted');
      expect(JSON.stringify(result)).not.toMatch(/010190|020290|20304050|hunter2/);
      const records = await recordsOf(c.principal.subject);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ outcome: 'denied', reason, actor: c.principal.subject });
      expect(metrics.counted).toContainEqual(['RequestsDenied', 1, undefined]);
    },
  );

  it('blocks the user after five refusals in fifteen minutes: the sixth, valid, request is refused too', async () => {
    const p = alice();
    await grant(p.subject);
    for (let i = 0; i < 5; i++) {
      const r = await reidentifyForStaff(
        p,
        { tokens: ['CPR_AAAAAAAAAAAAAAAA'], purpose: PURPOSE, source: 'api' },
        deps(),
      );
      expect(r.outcome).toBe('denied');
    }
    const sixth = await reidentifyForStaff(p, { tokens: [cpr], purpose: PURPOSE, source: 'api' }, deps());
    expect(sixth).toMatchObject({ outcome: 'refused', reason: 'USER_BLOCKED' });
    expect(JSON.stringify(sixth)).not.toContain('010190');

    const blocks: AuditRecord[] = [];
    for await (const r of runtime.audit.list({ action: AuditAction.USER_BLOCK }))
      if (r.subject === p.subject) blocks.push(r);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({ actor: 'system:access-guard', outcome: 'granted' });
    expect(await runtime.access.getBlock(p.subject)).toMatchObject({ user: p.subject, denials: 5 });
    expect((await recordsOf(p.subject)).map((r) => r.reason)).toEqual([
      ...Array(5).fill('UNKNOWN_TOKEN'),
      'USER_BLOCKED',
    ]);
    expect(metrics.counted).toContainEqual(['UserBlocked', 1, undefined]);
  });

  it('does not block for refusals spread over more than the window', async () => {
    const p = alice();
    await grant(p.subject);
    for (let i = 0; i < 6; i++) {
      const at = new Date(WORKDAY.getTime() + i * 4 * 60_000);
      await reidentifyForStaff(
        p,
        { tokens: ['CPR_AAAAAAAAAAAAAAAA'], purpose: PURPOSE, source: 'api' },
        deps({ now: () => at }),
      );
    }
    expect(await runtime.access.getBlock(p.subject)).toBeUndefined();
  });

  it('looks only in the tenant asked for, when one is named', async () => {
    const p = alice({
      groups: [groupFor('ballerup', Role.REIDENTIFIER), groupFor('egedal', Role.REIDENTIFIER)],
    });
    await grant(p.subject, 'ballerup');
    await grant(p.subject, 'egedal');
    const both = await reidentifyForStaff(
      p,
      { tokens: [cpr, egedalCpr], purpose: PURPOSE, source: 'api' },
      deps(),
    );
    expect(both).toMatchObject({ outcome: 'granted' });
    expect((await recordsOf(p.subject))[0]?.tenant).toBe('ballerup,egedal');
    const one = await reidentifyForStaff(
      p,
      { tokens: [cpr, egedalCpr], purpose: PURPOSE, tenant: 'egedal', source: 'api' },
      deps(),
    );
    expect(one.outcome === 'granted' && one.results).toEqual([
      { token: cpr, error: expect.objectContaining({ code: 'OTHER_TENANT' }) },
      { token: egedalCpr, tenant: 'egedal', kind: 'CPR', value: '020290-2345' },
    ]);
  });

  it('raises the rate alarm past the tokens per hour, and the hours alarm outside working hours', async () => {
    const p = alice();
    await grant(p.subject);
    const policy = { ...defaultAccessPolicy(), maxTokensPerHour: 2 };
    await reidentifyForStaff(p, { tokens: [cpr, email], purpose: PURPOSE, source: 'api' }, deps({ policy }));
    expect(metrics.counted.map(([m]) => m)).not.toContain('ReidentifyRateExceeded');
    await reidentifyForStaff(p, { tokens: [cpr], purpose: PURPOSE, source: 'api' }, deps({ policy }));
    expect(metrics.counted.map(([m]) => m)).toContain('ReidentifyRateExceeded');

    const sunday = new Date('2026-11-29T12:00:00Z');
    await reidentifyForStaff(
      p,
      { tokens: [cpr], purpose: PURPOSE, source: 'api' },
      deps({ now: () => sunday }),
    );
    expect(metrics.counted.map(([m]) => m)).toContain('ReidentifyOutsideHours');
  });

  it('refuses a purpose holding a CPR number, and does not record the purpose', async () => {
    const p = alice();
    await grant(p.subject);
    const result = await reidentifyForStaff(
      p,
      { tokens: [cpr], purpose: 'Borgeren 010190-1234 ringede om sin sag', source: 'api' },
      deps(),
    );
    expect(result).toMatchObject({ outcome: 'refused', reason: 'PURPOSE_HAS_PERSONAL_DATA' });
    const [record] = await recordsOf(p.subject);
    expect(record).toMatchObject({ outcome: 'denied', reason: 'PURPOSE_HAS_PERSONAL_DATA', tokens: [cpr] });
    expect(record?.purpose).toBeUndefined();
  });

  it('refuses more than 200 tokens in one request, recorded, looking nothing up', async () => {
    const p = alice();
    await grant(p.subject);
    const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    const many = Array.from({ length: 201 }, (_, i) => `CPR_${B32[i >> 5]}${B32[i & 31]}AAAAAAAAAAAAAA`);
    const result = await reidentifyForStaff(
      p,
      { tokens: [cpr, ...many], purpose: PURPOSE, source: 'api' },
      deps(),
    );
    expect(result).toMatchObject({ outcome: 'refused', reason: 'TOO_MANY_TOKENS' });
    expect(JSON.stringify(result)).not.toContain('010190');
    const [record] = await recordsOf(p.subject);
    expect(record?.tokens.length).toBe(200);
  });

  it('returns no value when the audit record cannot be written', async () => {
    const p = alice();
    await grant(p.subject);
    const broken = new DynamoAuditLog(runtime.dynamo.client, 'no-such-audit-table');
    const attempt = reidentifyForStaff(
      p,
      { tokens: [cpr], purpose: PURPOSE, source: 'api' },
      deps({ audit: broken }),
    );
    await expect(attempt).rejects.toBeInstanceOf(DependencyError);
    await expect(attempt).rejects.toMatchObject({ code: ErrorCode.AUDIT_UNAVAILABLE });
  });
});
