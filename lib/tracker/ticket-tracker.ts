import type { GenericTicket } from '../ticket/generic-ticket.ts';

export interface DeliveryReceipt {
  /** The issue the ticket became, e.g. `DEV-42` in Jira or `OUTBOX-3` locally. */
  issueKey: string;
}

/** Where sanitized tickets go for developers to read (port): Jira, or the local outbox. */
export interface TicketTracker {
  /** Only ever given a sanitized ticket. @throws DependencyError TRACKER_UNAVAILABLE, retryable. */
  deliver(ticket: GenericTicket): Promise<DeliveryReceipt>;
}
