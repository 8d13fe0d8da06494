import type { KeyPurpose } from '../keys/key-ring.ts';
import type { TokenKind } from '../pseudonymize/token.ts';

/** One token's row in the vault. The value is only ever here encrypted. */
export interface VaultEntry {
  tenant: string;
  token: string;
  kind: TokenKind;
  /** Full keyed digest of the normalized value: tells a repeat from a collision without decrypting. */
  fingerprint: Uint8Array;
  /** The value as first seen, sealed with AES-256-GCM under {@link wrappedKey}. */
  ciphertext: Uint8Array;
  /** The data key that sealed the value, wrapped by the key ring. */
  wrappedKey: Uint8Array;
  createdAt: string;
}

/** The ticket a batch of tokens came from, and when its personal data must be gone. */
export interface TicketReference {
  tenant: string;
  ticketId: string;
  expiresAt: Date;
  /** When this event of the ticket was seen; the first one is kept as the ticket's first sighting. @default now */
  seenAt?: Date;
  /**
   * When the ticket began, as far as this event knows (its creation time, if earlier than seenAt):
   * kept from the first event, so a later event that does not say when the ticket was created (a
   * comment event) counts retention from the same start. @default seenAt
   */
  startedAt?: Date;
}

export interface TicketRecord extends TicketReference {
  /** When the ticket began as far as the proxy knows: the first event's creation time, or when it was first seen. */
  firstSeen: Date;
  /** The Jira issue (or outbox entry) the ticket became, once delivered. */
  issueKey: string | undefined;
  /**
   * When the Jira writer last set out to create the ticket's issue (recorded before the request, so a
   * crash after it still leaves the mark); undefined if it never did. See lib/sync/sync-ticket.ts.
   */
  createAttemptAt?: Date;
}

/**
 * Where tokens, their tickets and wrapped key material live (port). Adapters do I/O only: no crypto,
 * no policy. Every item carries an expiry; reads check it themselves, because TTL deletes late.
 */
export interface TokenVault {
  /**
   * Records the ticket with its expiry, references each entry's token from it, and stores entries not
   * there yet (an entry already there with the same fingerprint is left as it is). Safe to call
   * concurrently for the same tokens and tickets.
   * @throws TokenCollisionError naming a token that is there with another fingerprint.
   * @throws DependencyError VAULT_UNAVAILABLE when the store fails; nothing half-written is ever readable.
   */
  recordTokens(ticket: TicketReference, entries: readonly VaultEntry[]): Promise<void>;
  /** The entry, if a ticket that uses it is still within its retention at `now`. */
  getToken(tenant: string, token: string, now: Date): Promise<VaultEntry | undefined>;
  recordDelivery(tenant: string, ticketId: string, issueKey: string): Promise<void>;
  /**
   * Marks that the ticket's issue is about to be created, at `at` (the ticket's `createAttemptAt`),
   * if the mark is still `previous` (undefined: none) and no issue is recorded: a compare-and-set, so
   * of two writers that both read the same record only one may go on to create.
   * @returns false when nothing was written: another writer marked it or recorded the issue first,
   *   or the ticket is not recorded (swept meanwhile). A write that was made but whose answer was lost,
   *   and so sent again, is this call's own: true.
   * @throws DependencyError VAULT_UNAVAILABLE when the store fails: then nothing may be created.
   */
  recordCreateAttempt(
    tenant: string,
    ticketId: string,
    at: Date,
    previous: Date | undefined,
  ): Promise<boolean>;
  /** Removes the mark `at`, when it is still the ticket's: that attempt proved to have made nothing. */
  clearCreateAttempt(tenant: string, ticketId: string, at: Date): Promise<void>;
  getTicket(tenant: string, ticketId: string): Promise<TicketRecord | undefined>;
  /** The tokens a ticket uses (its events' values), as long as the ticket is recorded. */
  tokensOfTicket(tenant: string, ticketId: string): Promise<ReadonlySet<string>>;
  /** Tickets whose retention ended at or before `now`. */
  expiredTickets(now: Date): AsyncIterable<{ tenant: string; ticketId: string }>;
  /**
   * Removes an expired ticket, its references, and every token no live ticket still uses (and with
   * it the only copy of the value's wrapped key). Items touched since `now` are left alone.
   */
  forgetTicket(
    tenant: string,
    ticketId: string,
    now: Date,
  ): Promise<{ ticketRemoved: boolean; tokensDeleted: number }>;
  /** Deletes tokens past their own expiry that no live ticket uses (left by interrupted writes). */
  deleteOrphanTokens(now: Date): Promise<{ tenant: string; tokensDeleted: number }[]>;
  getTenantKey(tenant: string, purpose: KeyPurpose): Promise<Uint8Array | undefined>;
  /** Stores a wrapped tenant key unless one exists; returns whichever key is stored afterwards. */
  putTenantKeyIfAbsent(tenant: string, purpose: KeyPurpose, wrapped: Uint8Array): Promise<Uint8Array>;
}
