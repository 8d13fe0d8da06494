import { describe, expect, it } from 'vitest';
import { auditKeys } from '../../lib/audit/audit-table.ts';
import { type AuditTableChange, tamperingIn } from '../../lib/audit/audit-watch.ts';

const record = (seq: number) => auditKeys.record(seq).sk;
const change = (overrides: Partial<AuditTableChange>): AuditTableChange => ({
  eventName: 'INSERT',
  sk: record(1),
  byTimeToLive: false,
  ...overrides,
});

describe('tamperingIn', () => {
  it('accepts what the log does itself: appends, the head moving forward, TTL removing records', () => {
    expect(
      tamperingIn([
        change({ eventName: 'INSERT', sk: record(7) }),
        change({ eventName: 'INSERT', sk: auditKeys.head.sk, newSeq: 1 }),
        change({ eventName: 'MODIFY', sk: auditKeys.head.sk, oldSeq: 6, newSeq: 7 }),
        change({ eventName: 'REMOVE', sk: record(1), byTimeToLive: true }),
      ]),
    ).toEqual([]);
  });

  it('names every other change by what it touched', () => {
    expect(
      tamperingIn([
        change({ eventName: 'MODIFY', sk: record(3) }),
        change({ eventName: 'REMOVE', sk: record(4) }),
        change({ eventName: 'MODIFY', sk: auditKeys.head.sk, oldSeq: 9, newSeq: 5 }),
        change({ eventName: 'MODIFY', sk: auditKeys.head.sk, oldSeq: 9, newSeq: 9 }),
        change({ eventName: 'REMOVE', sk: auditKeys.head.sk, oldSeq: 9 }),
      ]),
    ).toEqual([
      { what: 'record changed', seq: 3 },
      { what: 'record deleted', seq: 4 },
      { what: 'head moved back', seq: 5 },
      { what: 'head moved back', seq: 9 },
      { what: 'head deleted', seq: 9 },
    ]);
  });
});
