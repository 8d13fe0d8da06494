import { describe, expect, it } from 'vitest';
import { addMonths, groupFor, isExpired, isRole, ROLES, Role } from '../../lib/access/grant.ts';

describe('addMonths', () => {
  it.each([
    ['2026-08-31T10:15:00.000Z', 6, '2027-02-28T10:15:00.000Z'],
    ['2027-08-31T10:15:00.000Z', 6, '2028-02-29T10:15:00.000Z'],
    ['2026-01-31T00:00:00.000Z', 1, '2026-02-28T00:00:00.000Z'],
    ['2026-03-31T23:59:59.999Z', 1, '2026-04-30T23:59:59.999Z'],
    ['2026-11-30T08:00:00.000Z', 3, '2027-02-28T08:00:00.000Z'],
    ['2028-02-29T12:00:00.000Z', 12, '2029-02-28T12:00:00.000Z'],
    ['2026-05-15T12:00:00.000Z', 6, '2026-11-15T12:00:00.000Z'],
    ['2026-07-20T12:00:00.000Z', 0, '2026-07-20T12:00:00.000Z'],
    ['2026-03-31T12:00:00.000Z', -1, '2026-02-28T12:00:00.000Z'],
  ])('%s plus %i months is %s', (from, months, expected) => {
    expect(addMonths(new Date(from), months).toISOString()).toBe(expected);
  });

  it('counts in UTC, so a time just after midnight in Copenhagen keeps its UTC day', () => {
    // 00:30 on 1 September in Copenhagen is still 31 August in UTC: the end-of-month rule applies.
    expect(addMonths(new Date('2026-08-31T22:30:00.000Z'), 6).toISOString()).toBe('2027-02-28T22:30:00.000Z');
  });

  it('leaves the date it is given unchanged', () => {
    const from = new Date('2026-08-31T10:00:00.000Z');
    addMonths(from, 6);
    expect(from.toISOString()).toBe('2026-08-31T10:00:00.000Z');
  });
});

describe('isExpired', () => {
  const grant = { expiresAt: '2027-02-28T10:00:00.000Z' };

  it('is expired from the very millisecond the grant runs out', () => {
    expect(isExpired(grant, new Date('2027-02-28T09:59:59.999Z'))).toBe(false);
    expect(isExpired(grant, new Date('2027-02-28T10:00:00.000Z'))).toBe(true);
    expect(isExpired(grant, new Date('2027-02-28T10:00:00.001Z'))).toBe(true);
  });
});

describe('roles and groups', () => {
  it('names the identity provider group ticket-proxy:<tenant>:<role>', () => {
    expect(groupFor('ballerup', Role.REIDENTIFIER)).toBe('ticket-proxy:ballerup:reidentifier');
    expect(groupFor('egedal', Role.ADMIN)).toBe('ticket-proxy:egedal:admin');
    expect(groupFor('egedal', Role.DPO)).toBe('ticket-proxy:egedal:dpo');
  });

  it('knows exactly the three roles', () => {
    expect([...ROLES].sort()).toEqual(['admin', 'dpo', 'reidentifier']);
    for (const role of ROLES) expect(isRole(role)).toBe(true);
    for (const other of ['Admin', 'owner', '', undefined, 1, null]) expect(isRole(other)).toBe(false);
  });
});
