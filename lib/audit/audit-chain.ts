import { createHash } from 'node:crypto';
import type { AuditRecord } from './audit-log.ts';

/**
 * The audit log's hash chain: every record's hash covers its own fields and the hash of the record
 * before it, so changing, removing or reordering a record breaks the chain from there on.
 *
 * Retention deletes the oldest records (DynamoDB TTL). The chain may therefore start at any seq: the
 * first record kept is taken as it is (its `prevHash` names a record that is gone), and from there on
 * the records must be contiguous and linked. What the chain alone cannot show is records cut from its
 * start or, without the head pointer ({@link ChainHead}), from its end.
 */

/** Bumped if the serialization ever changes, so old and new records never hash alike. */
const CHAIN_VERSION = 'ticket-proxy-audit/1';

/** The fields a record's hash covers; `hash` itself and `prevHash` (passed apart) are not among them. */
export type HashedFields = Omit<AuditRecord, 'hash' | 'prevHash'>;

/**
 * The record's fields in a fixed order as one JSON array, absent optional fields as `null`, and
 * `prevHash` last. Field order and presence never depend on how the record object was built.
 */
export function canonicalAuditRecord(record: HashedFields, prevHash: string): string {
  return JSON.stringify([
    CHAIN_VERSION,
    record.seq,
    record.id,
    record.time,
    record.actor,
    record.source,
    record.action,
    record.tenant,
    [...record.tokens],
    record.purpose ?? null,
    record.issueKey ?? null,
    record.outcome,
    record.reason ?? null,
    record.withheld === undefined ? null : [...record.withheld],
    // Added later: present only in records that have them, so older records keep their hashes.
    ...(record.subject !== undefined ||
    record.role !== undefined ||
    record.expiresAt !== undefined ||
    record.ticketId !== undefined
      ? [
          {
            subject: record.subject ?? null,
            role: record.role ?? null,
            expiresAt: record.expiresAt ?? null,
            ticketId: record.ticketId ?? null,
          },
        ]
      : []),
    prevHash,
  ]);
}

/** SHA-256 (hex) over {@link canonicalAuditRecord}. */
export function hashRecord(record: HashedFields, prevHash: string): string {
  return createHash('sha256').update(canonicalAuditRecord(record, prevHash), 'utf8').digest('hex');
}

/** Why a chain is broken, as stable codes. */
export const ChainBreak = {
  /** A record's fields do not give its hash: it was changed after it was written. */
  ALTERED: 'ALTERED',
  /** A record's `prevHash` is not the previous record's hash (or seq 1 names a predecessor). */
  BROKEN_LINK: 'BROKEN_LINK',
  /** Records are missing before this one. */
  GAP: 'GAP',
  /** This record's seq is not after the previous one's. */
  OUT_OF_ORDER: 'OUT_OF_ORDER',
  /** Records are missing at the end: the head pointer names a later record than the last one found. */
  TRUNCATED: 'TRUNCATED',
  /** The record lacks a usable seq, hash or token list. */
  MALFORMED: 'MALFORMED',
} as const;
export type ChainBreak = (typeof ChainBreak)[keyof typeof ChainBreak];

/** A record a verdict names. */
export interface ChainPoint {
  seq: number;
  id: string;
  time: string;
  hash: string;
}

/** The last record the log knows it wrote, kept apart from the records (see DynamoAuditLog). */
export interface ChainHead {
  seq: number;
  id: string;
  hash: string;
}

export type ChainVerdict =
  | { intact: true; count: number; first?: ChainPoint; last?: ChainPoint }
  | {
      intact: false;
      /** The first broken record: the one that does not fit what came before it. */
      seq: number;
      id: string;
      reason: ChainBreak;
      /** Says what is wrong, for people; names records, never their contents. */
      message: string;
      /** Records checked before it, all intact. */
      count: number;
    };

const point = ({ seq, id, time, hash }: AuditRecord): ChainPoint => ({ seq, id, time, hash });

/**
 * Checks records given oldest first (as `AuditLog.list()` yields them) and names the first one that
 * breaks the chain. With `head`, also checks that nothing after the head's record was cut off and
 * that the head's record is the one that was written.
 *
 * @example
 * const verdict = await verifyAuditChain(log.list());
 * if (!verdict.intact) console.error(`broken at ${verdict.id}: ${verdict.message}`);
 */
export async function verifyAuditChain(
  records: Iterable<AuditRecord> | AsyncIterable<AuditRecord>,
  options: { head?: ChainHead } = {},
): Promise<ChainVerdict> {
  let first: AuditRecord | undefined;
  let previous: AuditRecord | undefined;
  let count = 0;
  const broken = (
    record: { seq: number; id: string },
    reason: ChainBreak,
    message: string,
  ): ChainVerdict => ({
    intact: false,
    seq: record.seq,
    id: record.id,
    reason,
    message,
    count,
  });

  for await (const record of records) {
    const usable =
      Number.isSafeInteger(record.seq) &&
      record.seq >= 1 &&
      typeof record.hash === 'string' &&
      Array.isArray(record.tokens);
    if (!usable) {
      const after = previous ? ` (after ${previous.id})` : '';
      return broken(
        record,
        ChainBreak.MALFORMED,
        `record ${record.id || '?'}${after} has no valid seq, hash or tokens`,
      );
    }
    if (previous && record.seq <= previous.seq) {
      return broken(
        record,
        ChainBreak.OUT_OF_ORDER,
        `${record.id} (seq ${record.seq}) comes after seq ${previous.seq}`,
      );
    }
    if (previous && record.seq > previous.seq + 1) {
      const missing =
        record.seq === previous.seq + 2
          ? `seq ${previous.seq + 1}`
          : `seq ${previous.seq + 1}–${record.seq - 1}`;
      return broken(record, ChainBreak.GAP, `${missing} not found between ${previous.id} and ${record.id}`);
    }
    if (hashRecord(record, record.prevHash) !== record.hash) {
      return broken(record, ChainBreak.ALTERED, `${record.id} does not match its hash: it was changed`);
    }
    if (previous && record.prevHash !== previous.hash) {
      return broken(record, ChainBreak.BROKEN_LINK, `${record.id} does not link to ${previous.id}`);
    }
    if (!previous && record.seq === 1 && record.prevHash !== '') {
      return broken(
        record,
        ChainBreak.BROKEN_LINK,
        `${record.id} is the first record but names a predecessor`,
      );
    }
    if (options.head?.seq === record.seq && options.head.hash !== record.hash) {
      // Consistent in itself, yet not the record that was written: the chain was rewritten from here.
      return broken(record, ChainBreak.ALTERED, `${record.id} is not the record the head pointer recorded`);
    }
    first ??= record;
    previous = record;
    count++;
  }

  const head = options.head;
  if (head && (!previous || previous.seq < head.seq)) {
    const after = previous ? `after ${previous.id}` : 'at all';
    return broken(head, ChainBreak.TRUNCATED, `${head.id} was written but no record is found ${after}`);
  }
  return previous && first
    ? { intact: true, count, first: point(first), last: point(previous) }
    : { intact: true, count };
}
