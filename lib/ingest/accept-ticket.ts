import { InvalidTicketError } from '../errors.ts';
import { type SanitizeDeps, type SanitizeResult, sanitizeTicket } from '../sanitize/sanitize-ticket.ts';
import { parseTicket } from '../ticket/generic-ticket.ts';
import type { DeliveryReceipt, TicketTracker } from '../tracker/ticket-tracker.ts';
import type { TokenVault } from '../vault/token-vault.ts';

export interface AcceptTicketDeps extends SanitizeDeps {
  tracker: TicketTracker;
  vault: Pick<TokenVault, 'recordDelivery' | 'getTicket'>;
}

export interface AcceptedTicket extends DeliveryReceipt {
  ticketId: string;
  replaced: SanitizeResult['replaced'];
}

/**
 * A servicedesk's ticket, already authenticated for `tenant`: parse it strictly, sanitize it,
 * and hand only the sanitized ticket to the tracker.
 * @throws InvalidTicketError for input that will never be accepted; DependencyError when retrying may help.
 */
export async function acceptTicket(
  request: { tenant: string; body: Uint8Array },
  deps: AcceptTicketDeps,
): Promise<AcceptedTicket> {
  const ticket = parseTicket(request.body);
  if (ticket.tenant !== request.tenant) {
    throw new InvalidTicketError([{ path: 'tenant', message: `does not match the tenant in the URL` }]);
  }
  const { ticket: sanitized, replaced } = await sanitizeTicket(ticket, deps);
  const receipt = await deps.tracker.deliver(sanitized);
  await deps.vault.recordDelivery(ticket.tenant, ticket.id, receipt.issueKey);
  return { ...receipt, ticketId: ticket.id, replaced };
}
