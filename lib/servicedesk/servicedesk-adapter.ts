import type { AdfDocument } from '../document/adf.ts';
import type { GenericTicket } from '../ticket/generic-ticket.ts';
import type { SignatureCheck } from '../webhook/signature.ts';

/** A webhook as it arrived, after the size limit and before anything is parsed. */
export interface WebhookRequest {
  tenant: string;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The raw body, exactly as signed. */
  body: Uint8Array;
  nowSeconds: number;
}

/** What a servicedesk's webhook says about a ticket, in the generic form, not yet sanitized. */
export interface InboundTicket {
  ticket: GenericTicket;
  /**
   * Rich text to forward in its own format instead of the plain text in `ticket` (Jira Service
   * Management sends ADF). The plain text in `ticket` holds the same words, for detection.
   */
  adf?: { description?: AdfDocument; comments?: Readonly<Record<string, AdfDocument>> };
  /**
   * The event does not carry the description (Jira's comment events): `ticket.description` is empty
   * for want of it, and the tracker's description must be left as it is.
   */
  descriptionOmitted?: boolean;
  /** The same for the ticket's labels. */
  labelsOmitted?: boolean;
}

/**
 * Turns one servicedesk's webhooks into generic tickets (port). Adapters verify the sender first and
 * parse only what was verified; a payload they cannot read strictly is refused, never guessed at.
 */
export interface ServicedeskAdapter<Config = undefined> {
  /** The path segment of its webhook route: `/webhooks/{name}/{tenant}`. */
  readonly name: string;
  /** Checks the sender against the tenant's current secrets (several during a rotation). */
  verify(request: WebhookRequest, secrets: readonly string[]): SignatureCheck;
  /** @throws InvalidTicketError naming what is wrong, never quoting a value. */
  toTicket(request: WebhookRequest, config: Config): InboundTicket;
}
