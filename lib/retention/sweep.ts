import { AuditAction, type AuditLog } from '../audit/audit-log.ts';
import type { TokenVault } from '../vault/token-vault.ts';

/** The actor retention deletions are recorded under. */
export const SWEEP_ACTOR = 'system:retention-sweep';

/** A record names at most this many of a ticket's tokens: an audit item must stay far below 400 KB. */
const MAX_RECORDED_TOKENS = 2000;

/** What a sweep removed, per tenant: counts only, never tokens' values. */
export interface SweepReport {
  sweptAt: string;
  tenants: Record<string, { tickets: number; tokens: number }>;
}

/**
 * Enforces retention, recording each ticket deleted in the audit log: every ticket whose retention has ended is forgotten with its references, and
 * every token no live ticket uses any more is deleted, and with it the only wrapped copy of the key
 * that sealed its value (crypto-shredding). Safe to run at any time, concurrently with new tickets,
 * and again after an interruption.
 */
export async function sweepExpired(
  vault: TokenVault,
  audit: Pick<AuditLog, 'append'>,
  now: Date = new Date(),
): Promise<SweepReport> {
  const tenants: SweepReport['tenants'] = {};
  const count = (tenant: string) => {
    tenants[tenant] ??= { tickets: 0, tokens: 0 };
    return tenants[tenant];
  };
  for await (const { tenant, ticketId } of vault.expiredTickets(now)) {
    const [tokens, ticket] = await Promise.all([
      vault.tokensOfTicket(tenant, ticketId),
      vault.getTicket(tenant, ticketId),
    ]);
    // Recorded before the deletion, so no deletion goes unrecorded: a record that cannot be written
    // stops the sweep (its alarm fires) and the ticket is deleted, and recorded, by the next one.
    const sorted = [...tokens].sort();
    await audit.append(
      {
        actor: SWEEP_ACTOR,
        source: 'sweep',
        action: AuditAction.RETENTION_DELETE,
        tenant,
        tokens: sorted.slice(0, MAX_RECORDED_TOKENS),
        ticketId,
        ...(ticket?.issueKey !== undefined && { issueKey: ticket.issueKey }),
        purpose:
          sorted.length > MAX_RECORDED_TOKENS
            ? `retention ended; the ticket used ${sorted.length} tokens, the first ${MAX_RECORDED_TOKENS} listed`
            : 'retention ended',
        outcome: 'granted',
      },
      now,
    );
    const { ticketRemoved, tokensDeleted } = await vault.forgetTicket(tenant, ticketId, now);
    if (ticketRemoved) count(tenant).tickets++;
    count(tenant).tokens += tokensDeleted;
  }
  for (const { tenant, tokensDeleted } of await vault.deleteOrphanTokens(now))
    count(tenant).tokens += tokensDeleted;
  return { sweptAt: now.toISOString(), tenants };
}
