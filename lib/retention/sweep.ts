import type { TokenVault } from '../vault/token-vault.ts';

/** What a sweep removed, per tenant: counts only, never tokens' values. */
export interface SweepReport {
  sweptAt: string;
  tenants: Record<string, { tickets: number; tokens: number }>;
}

/**
 * Enforces retention: every ticket whose retention has ended is forgotten with its references, and
 * every token no live ticket uses any more is deleted, and with it the only wrapped copy of the key
 * that sealed its value (crypto-shredding). Safe to run at any time, concurrently with new tickets,
 * and again after an interruption.
 */
export async function sweepExpired(vault: TokenVault, now: Date = new Date()): Promise<SweepReport> {
  const tenants: SweepReport['tenants'] = {};
  const count = (tenant: string) => {
    tenants[tenant] ??= { tickets: 0, tokens: 0 };
    return tenants[tenant];
  };
  for await (const { tenant, ticketId } of vault.expiredTickets(now)) {
    const { ticketRemoved, tokensDeleted } = await vault.forgetTicket(tenant, ticketId, now);
    if (ticketRemoved) count(tenant).tickets++;
    count(tenant).tokens += tokensDeleted;
  }
  for (const { tenant, tokensDeleted } of await vault.deleteOrphanTokens(now))
    count(tenant).tokens += tokensDeleted;
  return { sweptAt: now.toISOString(), tenants };
}
