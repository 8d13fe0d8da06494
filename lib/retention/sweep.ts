import { AuditAction, type AuditLog } from '../audit/audit-log.ts';
import type { TokenVault } from '../vault/token-vault.ts';

/** The actor retention deletions are recorded under. */
export const SWEEP_ACTOR = 'system:retention-sweep';

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
    const { ticketRemoved, tokensDeleted } = await vault.forgetTicket(tenant, ticketId, now);
    if (ticketRemoved) {
      count(tenant).tickets++;
      // Recorded once the deletion is done: a failed record stops the sweep (its alarm fires), but
      // never holds back a deletion that retention demands.
      await audit.append(
        {
          actor: SWEEP_ACTOR,
          source: 'sweep',
          action: AuditAction.RETENTION_DELETE,
          tenant,
          tokens: [...tokens].sort(),
          ticketId,
          ...(ticket?.issueKey !== undefined && { issueKey: ticket.issueKey }),
          purpose: `retention ended; ${tokensDeleted} token(s) no other ticket uses deleted`,
          outcome: 'granted',
        },
        now,
      );
    }
    count(tenant).tokens += tokensDeleted;
  }
  for (const { tenant, tokensDeleted } of await vault.deleteOrphanTokens(now))
    count(tenant).tokens += tokensDeleted;
  return { sweptAt: now.toISOString(), tenants };
}
