import type { AdfDocument } from '../document/adf.ts';
import type { GenericTicket } from '../ticket/generic-ticket.ts';

/**
 * One servicedesk event on its way to the tracker. Built only from sanitized data: it is what the
 * queue carries, and nothing in it may be personal data.
 */
export interface SyncJob {
  tenant: string;
  ticketId: string;
  /** Digest of the tenant and the raw webhook: a redelivered webhook gives the same id. */
  eventId: string;
  receivedAt: string;
  /** When the ticket's personal data is deleted (ISO-8601). */
  expiresAt: string;
  /** The sanitized ticket. */
  ticket: GenericTicket;
  /** Sanitized rich text that replaces the plain text of the same field in the tracker. */
  adf?: { description?: AdfDocument; comments?: Record<string, AdfDocument> };
  /** The event did not carry the description: the tracker keeps the one it has. */
  descriptionOmitted?: boolean;
  /** The event did not carry the ticket's labels: the tracker keeps the ones it has. */
  labelsOmitted?: boolean;
}
