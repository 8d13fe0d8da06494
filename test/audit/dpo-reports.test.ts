import { describe, expect, it } from 'vitest';
import { Role } from '../../lib/access/grant.ts';
import { AuditAction, type AuditRecord } from '../../lib/audit/audit-log.ts';
import { checkCitizenQuery } from '../../lib/audit/citizen-tokens.ts';
import { toCsv } from '../../lib/audit/csv.ts';
import { accessReview, reviewCsv, seenCsv, userActivity, whoHasSeen } from '../../lib/audit/dpo-reports.ts';

const A = 'CPR_AAAAAAAAAAAAAAAA';
const B = 'NAME_BBBBBBBBBBBBBBBB';
const OTHER = 'CPR_CCCCCCCCCCCCCCCC';

let seq = 0;
const record = (overrides: Partial<AuditRecord>): AuditRecord => {
  seq++;
  return {
    seq,
    id: `AUD-${seq}`,
    time: `2026-11-0${(seq % 9) + 1}T10:00:00.000Z`,
    actor: 'alice',
    source: 'api',
    action: AuditAction.REIDENTIFY,
    tenant: 'ballerup',
    tokens: [A],
    purpose: 'Borgeren ringede om sin sag',
    outcome: 'granted',
    prevHash: '',
    hash: '',
    ...overrides,
  };
};
async function* stream(records: AuditRecord[]) {
  yield* records;
}

describe('whoHasSeen', () => {
  it('lists re-identifications and write-backs naming the tokens, saying which handed a value out', async () => {
    const records = [
      record({ id: 'seen', tokens: [A, OTHER] }),
      record({ id: 'other-citizen', tokens: [OTHER] }),
      record({
        id: 'write-back',
        actor: 'system:write-back',
        action: AuditAction.WRITE_BACK,
        tokens: [B],
        issueKey: 'DEV-1',
      }),
      record({ id: 'withheld', tokens: [A, OTHER], withheld: [A] }),
      record({ id: 'refused', outcome: 'denied', reason: 'NO_GRANT' }),
      record({ id: 'lookup', action: AuditAction.DPO_LOOKUP, tokens: [A] }),
      record({ id: 'grant', action: AuditAction.GRANT_ADD, tokens: [], subject: 'alice' }),
    ];
    const rows = await whoHasSeen(new Set([A, B]), stream(records));
    expect(rows.map((r) => [r.recordId, r.seen, r.tokens])).toEqual([
      ['seen', true, [A]],
      ['write-back', true, [B]],
      ['withheld', false, [A]],
      ['refused', false, [A]],
    ]);
    expect(rows[1]).toMatchObject({ actor: 'system:write-back', issueKey: 'DEV-1' });
  });
});

describe('userActivity', () => {
  it("lists the user's own records only, in order", async () => {
    const rows = await userActivity(
      'bob',
      stream([record({ actor: 'bob', id: 'b1' }), record({ id: 'a1' }), record({ actor: 'bob', id: 'b2' })]),
    );
    expect(rows.map((r) => r.id)).toEqual(['b1', 'b2']);
  });
});

describe('accessReview', () => {
  const now = new Date('2027-01-15T00:00:00Z');
  const grant = (overrides: object) => ({
    user: 'alice',
    tenant: 'ballerup',
    role: Role.REIDENTIFIER,
    grantedBy: 'root',
    grantedAt: '2026-06-01T00:00:00.000Z',
    attestedBy: 'root',
    attestedAt: '2026-10-01T00:00:00.000Z',
    expiresAt: '2027-04-01T00:00:00.000Z',
    ...overrides,
  });

  it('flags grants unused for 90 days (from the grant when never used), expired ones, and due attestations', () => {
    const rows = accessReview(
      [
        grant({ user: 'used', lastUsedAt: '2027-01-01T00:00:00.000Z' }),
        grant({ user: 'stale', lastUsedAt: '2026-10-01T00:00:00.000Z' }),
        grant({ user: 'never' }),
        grant({ user: 'new', grantedAt: '2026-12-01T00:00:00.000Z' }),
        grant({
          user: 'expired',
          expiresAt: '2027-01-01T00:00:00.000Z',
          attestedAt: '2026-07-01T00:00:00.000Z',
        }),
      ],
      now,
    );
    expect(rows.map((r) => [r.user, r.status, r.unused, r.attestationDue])).toEqual([
      ['used', 'active', false, false],
      ['stale', 'active', true, false],
      ['never', 'active', true, false],
      ['new', 'active', false, false],
      ['expired', 'expired', true, true],
    ]);
    expect(reviewCsv(rows).split('\r\n')[2]).toContain('stale,ballerup,reidentifier,active');
  });
});

describe('CSV', () => {
  it('quotes commas, quotes and line breaks, and defuses cells a spreadsheet would run as formulas', () => {
    const text = toCsv(
      ['a', 'b', 'c', 'd'],
      [
        ['x,y', 'say "hi"', 'two\nlines', '=HYPERLINK("http://evil")'],
        ['-2+3', '@SUM(A1)', 7, undefined],
      ],
    );
    expect(text).toBe(
      '\uFEFFa,b,c,d\r\n"x,y","say ""hi""","two\nlines","\'=HYPERLINK(""http://evil"")"\r\n\'-2+3,\'@SUM(A1),7,\r\n',
    );
  });

  it('writes the who-has-seen report with a header and one line per record', async () => {
    const rows = await whoHasSeen(new Set([A]), stream([record({ id: 'r1', purpose: '=cmd' })]));
    const lines = seenCsv(rows).split('\r\n');
    expect(lines[0]).toBe(
      '\uFEFFrecord,time,actor,source,action,tenant,outcome,reason,seen,tokens,issue,purpose',
    );
    expect(lines[1]).toMatch(/^r1,.*,yes,CPR_AAAAAAAAAAAAAAAA,,'=cmd$/);
  });
});

describe('checkCitizenQuery', () => {
  it.each([
    [{}, /at least one of cpr/],
    [{ cpr: ['12345'] }, /^cpr: must be a CPR number/],
    [{ phone: ['123'] }, /^phone:/],
    [{ name: [' '] }, /^name:/],
  ])('refuses %j, naming the identifier but not its value', (query, message) => {
    const problem = checkCitizenQuery(query);
    expect(problem).toMatch(message);
    expect(problem).not.toContain('12345');
  });

  it('accepts CPR numbers and phone numbers as people write them', () => {
    expect(
      checkCitizenQuery({ cpr: ['010190-1234', '0101901234', '01.01.90 1234'], phone: ['+45 20 30 40 50'] }),
    ).toBeUndefined();
  });
});
