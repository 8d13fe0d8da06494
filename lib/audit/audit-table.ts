/**
 * The audit table's layout, shared by the CDK construct and the embedded database. One partition
 * holds the one global chain, so a Query reads it in order; the audit log's write rate (people
 * re-identifying, write-backs) stays far below a partition's 1,000 writes a second.
 *
 * | item         | pk      | sk                  | attributes                                              |
 * | ------------ | ------- | ------------------- | ------------------------------------------------------- |
 * | record       | `CHAIN` | `SEQ#000000000042`  | the AuditRecord fields, `ttl`                          |
 * | head pointer | `CHAIN` | `HEAD`              | seq, id, hash, recordTtl of the last record written (no `ttl`) |
 *
 * Records expire by TTL when retention ends. The head pointer never does: it keeps the numbering
 * going when every record has expired, and lets verification notice records cut from the end.
 */
export const AuditTable = {
  defaultName: 'ticket-proxy-audit',
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds when the record's retention ends. */
  timeToLiveAttribute: 'ttl',
} as const;

const SEQ_PREFIX = 'SEQ#';
/** Digits of a seq in keys and ids: they sort as text in number order up to 10^12 records. */
const SEQ_DIGITS = 12;
const CHAIN = 'CHAIN';

export const auditKeys = {
  chain: CHAIN,
  seqPrefix: SEQ_PREFIX,
  record: (seq: number) => ({ pk: CHAIN, sk: `${SEQ_PREFIX}${String(seq).padStart(SEQ_DIGITS, '0')}` }),
  /** The key after every record's: `SEQ#999999999999`. */
  lastRecord: { pk: CHAIN, sk: `${SEQ_PREFIX}${'9'.repeat(SEQ_DIGITS)}` },
  head: { pk: CHAIN, sk: 'HEAD' },
} as const;

/** The seq a record's sort key names (NaN for anything else). */
export const seqOfKey = (sk: string) =>
  sk.startsWith(SEQ_PREFIX) ? Number(sk.slice(SEQ_PREFIX.length)) : Number.NaN;

const ID_PREFIX = 'AUD-';
/** The id a record is cited by: `AUD-000000000042`. */
export const auditId = (seq: number) => `${ID_PREFIX}${String(seq).padStart(SEQ_DIGITS, '0')}`;

const AUDIT_ID = new RegExp(`^${ID_PREFIX}\\d{${SEQ_DIGITS}}$`);
/** The seq an id names (NaN for anything that is no audit id). */
export const seqOfId = (id: string) => (AUDIT_ID.test(id) ? Number(id.slice(ID_PREFIX.length)) : Number.NaN);

/** Six months, rounded up: the Danish Data Protection Agency's minimum for access logs. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 184;
/** Five years (with leap days): the longest the agency accepts, where there is a special need. */
export const MAX_AUDIT_RETENTION_DAYS = 5 * 365 + 2;
