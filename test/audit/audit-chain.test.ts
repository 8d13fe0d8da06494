import { describe, expect, it } from 'vitest';
import {
  ChainBreak,
  canonicalAuditRecord,
  type HashedFields,
  hashRecord,
  verifyAuditChain,
} from '../../lib/audit/audit-chain.ts';
import { AuditAction, type AuditRecord } from '../../lib/audit/audit-log.ts';

const id = (seq: number) => `AUD-${String(seq).padStart(12, '0')}`;

/** Records `from`…`to`, linked, the first one after `prevHash`. */
function chain(to: number, from = 1, prevHash = ''): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (let seq = from; seq <= to; seq++) {
    const fields: HashedFields = {
      seq,
      id: id(seq),
      time: new Date(Date.UTC(2026, 10, 1, 9, seq)).toISOString(),
      actor: seq % 2 ? 'alice' : 'bob',
      source: 'cli',
      action: AuditAction.REIDENTIFY,
      tenant: 'ballerup',
      tokens: [`CPR_AAAAAAAAAAAAAA${'ABCDEFGH'[seq % 8]}A`],
      purpose: 'Borgeren ringede om sin sag',
      outcome: 'granted',
    };
    const link = records.at(-1)?.hash ?? prevHash;
    records.push({ ...fields, prevHash: link, hash: hashRecord(fields, link) });
  }
  return records;
}

async function* slowly(records: AuditRecord[]): AsyncIterable<AuditRecord> {
  for (const r of records) yield await Promise.resolve(r);
}

/** The record with `seq` replaced, its hash left as it was. */
const alter = (records: AuditRecord[], seq: number, change: Partial<AuditRecord>) =>
  records.map((r) => (r.seq === seq ? { ...r, ...change } : r));
/** The same, its hash made to fit again (a careful forger). */
const forge = (records: AuditRecord[], seq: number, change: Partial<AuditRecord>) =>
  records.map((r) =>
    r.seq === seq ? { ...r, ...change, hash: hashRecord({ ...r, ...change }, r.prevHash) } : r,
  );

describe('hashRecord', () => {
  it('is SHA-256 hex over a canonical form that does not depend on key order', () => {
    const [record] = chain(1) as [AuditRecord];
    const reordered = Object.fromEntries(Object.entries(record).reverse()) as unknown as AuditRecord;
    expect(record.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRecord(reordered, '')).toBe(record.hash);
    expect(canonicalAuditRecord(reordered, '')).toBe(canonicalAuditRecord(record, ''));
  });

  it('tells an absent field from an empty one, and covers prevHash', () => {
    const [record] = chain(1) as [AuditRecord];
    const { purpose: _, ...noPurpose } = record;
    expect(hashRecord(noPurpose, '')).not.toBe(hashRecord({ ...record, purpose: '' }, ''));
    expect(hashRecord(record, 'a'.repeat(64))).not.toBe(record.hash);
  });
});

describe('verifyAuditChain', () => {
  it('accepts an intact chain, sync or async, and names its ends', async () => {
    const records = chain(5);
    const verdict = await verifyAuditChain(records);
    expect(verdict).toEqual({
      intact: true,
      count: 5,
      first: { seq: 1, id: id(1), time: records[0]?.time, hash: records[0]?.hash },
      last: { seq: 5, id: id(5), time: records[4]?.time, hash: records[4]?.hash },
    });
    expect(await verifyAuditChain(slowly(records))).toEqual(verdict);
    expect(await verifyAuditChain([])).toEqual({ intact: true, count: 0 });
  });

  it.each([
    ['actor', { actor: 'mallory' }],
    ['time', { time: '2020-01-01T00:00:00.000Z' }],
    ['tokens', { tokens: [] }],
    ['purpose', { purpose: 'something else entirely' }],
    ['outcome', { outcome: 'denied' as const }],
    ['tenant', { tenant: 'egedal' }],
    ['reason', { reason: 'NO_GRANT' }],
    ['issueKey', { issueKey: 'DEV-1' }],
    ['withheld', { withheld: ['CPR_AAAAAAAAAAAAAAAA'] }],
    ['id', { id: 'AUD-999' }],
    ['prevHash', { prevHash: 'f'.repeat(64) }],
  ])('finds a changed %s (ALTERED, at that record)', async (_, change) => {
    expect(await verifyAuditChain(alter(chain(5), 3, change))).toMatchObject({
      intact: false,
      seq: 3,
      reason: ChainBreak.ALTERED,
      count: 2,
    });
  });

  it('finds a change whose hash was recomputed, at the next record (BROKEN_LINK)', async () => {
    expect(await verifyAuditChain(forge(chain(5), 3, { actor: 'mallory' }))).toMatchObject({
      intact: false,
      seq: 4,
      reason: ChainBreak.BROKEN_LINK,
      message: `${id(4)} does not link to ${id(3)}`,
    });
  });

  it('finds a removed record (GAP, at the record after it)', async () => {
    const records = chain(6).filter((r) => r.seq !== 3 && r.seq !== 4);
    expect(await verifyAuditChain(records)).toMatchObject({
      intact: false,
      seq: 5,
      reason: ChainBreak.GAP,
      message: `seq 3–4 not found between ${id(2)} and ${id(5)}`,
    });
  });

  it('finds records out of order or repeated', async () => {
    const [a, b, c] = chain(3) as [AuditRecord, AuditRecord, AuditRecord];
    expect(await verifyAuditChain([b, a, c])).toMatchObject({
      intact: false,
      seq: 1,
      reason: ChainBreak.OUT_OF_ORDER,
      message: `${id(1)} (seq 1) comes after seq 2`,
    });
    expect(await verifyAuditChain([a, b, b, c])).toMatchObject({ seq: 2, reason: ChainBreak.OUT_OF_ORDER });
    // A later record moved up reads first as a gap: the chain is broken at the same place either way.
    expect(await verifyAuditChain([a, c, b])).toMatchObject({ seq: 3, reason: ChainBreak.GAP });
  });

  it('accepts a chain whose oldest records retention removed, but checks it from there on', async () => {
    const kept = chain(45).filter((r) => r.seq >= 40);
    expect(await verifyAuditChain(kept)).toMatchObject({ intact: true, count: 6, first: { seq: 40 } });
    expect(await verifyAuditChain(kept.filter((r) => r.seq !== 42))).toMatchObject({
      intact: false,
      seq: 43,
      reason: ChainBreak.GAP,
    });
  });

  it('refuses a first record (seq 1) that names a predecessor', async () => {
    const records = chain(3, 1, 'e'.repeat(64));
    expect(await verifyAuditChain(records)).toMatchObject({
      intact: false,
      seq: 1,
      reason: ChainBreak.BROKEN_LINK,
    });
  });

  it('names a record without a usable seq as MALFORMED', async () => {
    expect(await verifyAuditChain(alter(chain(3), 2, { seq: Number.NaN }))).toMatchObject({
      intact: false,
      id: id(2),
      reason: ChainBreak.MALFORMED,
    });
  });

  describe('against the head pointer', () => {
    const head = (r: AuditRecord | undefined) => ({ seq: r?.seq ?? 0, id: r?.id ?? '', hash: r?.hash ?? '' });

    it('finds records cut from the end (TRUNCATED, naming the head)', async () => {
      const records = chain(5);
      expect(await verifyAuditChain(records.slice(0, 3), { head: head(records[4]) })).toMatchObject({
        intact: false,
        seq: 5,
        id: id(5),
        reason: ChainBreak.TRUNCATED,
      });
      expect(await verifyAuditChain([], { head: head(records[4]) })).toMatchObject({
        reason: ChainBreak.TRUNCATED,
      });
    });

    it('finds a tail rewritten consistently from the head record on', async () => {
      const records = chain(5);
      const rewritten = forge(records, 5, { purpose: 'no reason given at all' });
      expect(await verifyAuditChain(rewritten)).toMatchObject({ intact: true });
      expect(await verifyAuditChain(rewritten, { head: head(records[4]) })).toMatchObject({
        intact: false,
        seq: 5,
        reason: ChainBreak.ALTERED,
      });
    });

    it('accepts a head that lags behind the records (a writer stopped before moving it)', async () => {
      const records = chain(5);
      expect(await verifyAuditChain(records, { head: head(records[2]) })).toMatchObject({
        intact: true,
        count: 5,
      });
    });
  });
});
