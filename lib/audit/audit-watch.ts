import { auditKeys, seqOfKey } from './audit-table.ts';

/** One change to the audit table, as a DynamoDB stream reports it (keys and the head's seq only). */
export interface AuditTableChange {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  sk: string;
  /** The head pointer's seq before and after, for changes to the head. */
  oldSeq?: number;
  newSeq?: number;
  /** DynamoDB's own TTL deletions say so; nothing else may delete a record. */
  byTimeToLive: boolean;
}

/** A change the append-only log never makes itself, named by what it touched (never by content). */
export interface Tampering {
  what: 'record changed' | 'record deleted' | 'head moved back' | 'head deleted';
  /** The record's seq, or the head's. */
  seq: number | undefined;
}

/**
 * The audit log only ever inserts records and moves its head pointer forward; records leave only by
 * TTL. Any other change (a record overwritten by a plain PutItem, which IAM cannot forbid without
 * also forbidding appends; a record deleted; the head moved back) is tampering, even when the
 * tamperer recomputed every hash after it. The stream sees every change, whoever makes it.
 */
export function tamperingIn(changes: readonly AuditTableChange[]): Tampering[] {
  const found: Tampering[] = [];
  for (const change of changes) {
    if (change.sk === auditKeys.head.sk) {
      if (change.eventName === 'REMOVE') found.push({ what: 'head deleted', seq: change.oldSeq });
      else if (change.eventName === 'MODIFY' && !((change.newSeq ?? 0) > (change.oldSeq ?? 0))) {
        found.push({ what: 'head moved back', seq: change.newSeq });
      }
      continue;
    }
    const seq = seqOfKey(change.sk);
    if (change.eventName === 'MODIFY') found.push({ what: 'record changed', seq });
    if (change.eventName === 'REMOVE' && !change.byTimeToLive) found.push({ what: 'record deleted', seq });
  }
  return found;
}
