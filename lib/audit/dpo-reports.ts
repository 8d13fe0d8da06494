import { addMonths, DEFAULT_GRANT_MONTHS, type Grant, isExpired } from '../access/grant.ts';
import { AuditAction, type AuditRecord } from './audit-log.ts';
import { toCsv } from './csv.ts';

/**
 * The data protection officer's questions, answered from the audit log and the grants. Pure: the
 * callers read the records and grants, and write the audit record of the question itself.
 */

/** One use (or attempted use) of a person's tokens. */
export interface SeenRow {
  recordId: string;
  time: string;
  actor: string;
  source: string;
  action: AuditRecord['action'];
  tenant: string;
  outcome: AuditRecord['outcome'];
  reason?: string;
  /** The person's tokens this record names; for a granted record, only those that gave a value. */
  tokens: string[];
  /** True when a value was handed out: the actor has seen the data. */
  seen: boolean;
  purpose?: string;
  issueKey?: string;
}

const USES: readonly string[] = [AuditAction.REIDENTIFY, AuditAction.WRITE_BACK];

/**
 * "Who has seen this citizen's data?": every re-identification and write-back that named one of the
 * citizen's tokens, across tickets, granted or refused, oldest first.
 */
export async function whoHasSeen(
  tokens: ReadonlySet<string>,
  records: AsyncIterable<AuditRecord>,
): Promise<SeenRow[]> {
  const rows: SeenRow[] = [];
  for await (const r of records) {
    if (!USES.includes(r.action)) continue;
    const named = r.tokens.filter((t) => tokens.has(t));
    if (named.length === 0) continue;
    const given = r.outcome === 'granted' ? named.filter((t) => !r.withheld?.includes(t)) : [];
    rows.push({
      recordId: r.id,
      time: r.time,
      actor: r.actor,
      source: r.source,
      action: r.action,
      tenant: r.tenant,
      outcome: r.outcome,
      ...(r.reason !== undefined && { reason: r.reason }),
      tokens: given.length > 0 ? given : named,
      seen: given.length > 0,
      ...(r.purpose !== undefined && { purpose: r.purpose }),
      ...(r.issueKey !== undefined && { issueKey: r.issueKey }),
    });
  }
  return rows;
}

export const seenCsv = (rows: readonly SeenRow[]) =>
  toCsv(
    [
      'record',
      'time',
      'actor',
      'source',
      'action',
      'tenant',
      'outcome',
      'reason',
      'seen',
      'tokens',
      'issue',
      'purpose',
    ],
    rows.map((r) => [
      r.recordId,
      r.time,
      r.actor,
      r.source,
      r.action,
      r.tenant,
      r.outcome,
      r.reason,
      r.seen ? 'yes' : 'no',
      r.tokens.join(' '),
      r.issueKey,
      r.purpose,
    ]),
  );

/** "What did this user do, and why?": every record the user is the actor of, oldest first. */
export async function userActivity(
  user: string,
  records: AsyncIterable<AuditRecord>,
): Promise<AuditRecord[]> {
  const rows: AuditRecord[] = [];
  for await (const r of records) if (r.actor === user) rows.push(r);
  return rows;
}

export const recordsCsv = (records: readonly AuditRecord[]) =>
  toCsv(
    [
      'record',
      'time',
      'actor',
      'source',
      'action',
      'tenant',
      'outcome',
      'reason',
      'tokens',
      'withheld',
      'issue',
      'subject',
      'role',
      'expiresAt',
      'purpose',
    ],
    records.map((r) => [
      r.id,
      r.time,
      r.actor,
      r.source,
      r.action,
      r.tenant,
      r.outcome,
      r.reason,
      r.tokens.join(' '),
      r.withheld?.join(' '),
      r.issueKey,
      r.subject,
      r.role,
      r.expiresAt,
      r.purpose,
    ]),
  );

/** Days without use after which a grant is flagged for the review. */
export const UNUSED_DAYS = 90;

export interface ReviewRow extends Grant {
  status: 'active' | 'expired';
  /** Not used in the last {@link UNUSED_DAYS} days (counting from the grant when never used). */
  unused: boolean;
  /** The half-yearly re-attestation is due (its last one is six months old, or older). */
  attestationDue: boolean;
}

/** The half-yearly access review: every grant, its last use, its re-attestation, and what to look at. */
export function accessReview(grants: readonly Grant[], now: Date): ReviewRow[] {
  const unusedSince = now.getTime() - UNUSED_DAYS * 24 * 60 * 60 * 1000;
  return grants.map((g) => ({
    ...g,
    status: isExpired(g, now) ? 'expired' : 'active',
    unused: Date.parse(g.lastUsedAt ?? g.grantedAt) < unusedSince,
    attestationDue: addMonths(new Date(g.attestedAt), DEFAULT_GRANT_MONTHS) <= now,
  }));
}

export const reviewCsv = (rows: readonly ReviewRow[]) =>
  toCsv(
    [
      'user',
      'tenant',
      'role',
      'status',
      'grantedAt',
      'grantedBy',
      'attestedAt',
      'attestedBy',
      'expiresAt',
      'lastUsedAt',
      'unused90Days',
      'attestationDue',
    ],
    rows.map((r) => [
      r.user,
      r.tenant,
      r.role,
      r.status,
      r.grantedAt,
      r.grantedBy,
      r.attestedAt,
      r.attestedBy,
      r.expiresAt,
      r.lastUsedAt,
      r.unused ? 'yes' : 'no',
      r.attestationDue ? 'yes' : 'no',
    ]),
  );
