import type { ChainVerdict } from './audit-chain.ts';

/** What was done, or attempted, with personal data or with the authority to reach it. */
export const AuditAction = {
  /** A person turned tokens into values (API, console or the local CLI). */
  REIDENTIFY: 'reidentify',
  /** The system restored tokens in a developer's reply before posting it to the servicedesk. */
  WRITE_BACK: 'write-back',
  GRANT_ADD: 'grant.add',
  GRANT_REVOKE: 'grant.revoke',
  GRANT_REATTEST: 'grant.reattest',
  USER_BLOCK: 'user.block',
  USER_UNBLOCK: 'user.unblock',
  /** The retention sweep deleted a ticket's personal data. */
  RETENTION_DELETE: 'retention.delete',
  /** The data protection officer looked up a citizen's tokens (by CPR number, name, …) to see who saw them. */
  DPO_LOOKUP: 'dpo.lookup',
  /** Someone read the audit log or a report from it (the console, the API). */
  AUDIT_READ: 'audit.read',
} as const;
export type AuditAction = (typeof AuditAction)[keyof typeof AuditAction];

export type AuditOutcome = 'granted' | 'denied';

/** One audit entry as a caller states it. Tokens only, never the values behind them. */
export interface AuditEntry {
  /** Who: a person's subject id, or `system:<component>` for the proxy itself. */
  actor: string;
  /** Through what: `cli`, `api`, `console`, `jira-webhook`, `sweep`. */
  source: string;
  action: AuditAction;
  /**
   * The tenant the tokens belong to. A request that named no tenant and found tokens of several
   * lists them comma-separated (tenants never hold a comma); `""` when no token could be placed.
   */
  tenant: string;
  tokens: readonly string[];
  purpose?: string;
  /** The Jira issue the use concerns. */
  issueKey?: string;
  outcome: AuditOutcome;
  /** Why it was denied, as a stable code (`NO_MFA`, `NO_GRANT`, …). */
  reason?: string;
  /** Tokens of `tokens` that gave no value (unknown, expired, SECRET, another tenant's), when some did. */
  withheld?: readonly string[];
  /** The user a grant change or block concerns (a subject id). */
  subject?: string;
  /** The role of a grant change. */
  role?: string;
  /** Until when a grant added or re-attested runs. */
  expiresAt?: string;
  /** The servicedesk ticket a retention deletion concerns. */
  ticketId?: string;
}

/** An entry as stored: numbered, timed, and chained to the one before by its hash. */
export interface AuditRecord extends AuditEntry {
  /** 1, 2, 3, … with no gaps: a gap is a deleted record. */
  seq: number;
  /** Stable id to cite (`AUD-…`). */
  id: string;
  time: string;
  /** Hash of the previous record (`""` for seq 1). */
  prevHash: string;
  /** SHA-256 over this record's fields and prevHash, hex. */
  hash: string;
}

/**
 * The append-only audit log (port). A record is written before anything it records happens: if
 * `append` throws, the caller must not go on.
 */
export interface AuditLog {
  /** @throws DependencyError AUDIT_UNAVAILABLE when the record could not be written. */
  append(entry: AuditEntry, now?: Date): Promise<AuditRecord>;
  /** Every record, oldest first; with a filter, only those that match it. */
  list(filter?: AuditFilter): AsyncIterable<AuditRecord>;
  /** Checks the chain for changed, missing, reordered and truncated records (CONTRACTS.md §3). */
  verify(): Promise<ChainVerdict>;
}

/** Which records to list. Every field given must match. */
export interface AuditFilter {
  /** Records at or after this time. */
  since?: Date;
  /** Records before this time. */
  until?: Date;
  actor?: string;
  action?: AuditAction;
  outcome?: AuditOutcome;
  tenant?: string;
  /** Records naming this token. */
  token?: string;
  /** Records after the one with this seq, in the chain's order: where the previous page ended. */
  afterSeq?: number;
}
