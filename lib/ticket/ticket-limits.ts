// Apart from generic-ticket.ts, which needs the detectors: functions that only check sizes and
// tenant names (the staff API) then do not bundle the name lists.

/** Limits on what one ticket may hold; a ticket past them is refused whole, never truncated. */
export const TicketLimits = {
  /** Raw JSON of one ticket, in bytes. */
  maxTicketBytes: 1024 * 1024,
  /** Any single text field, in UTF-8 bytes. Attachment contents are bounded by the ticket limit instead. */
  maxFieldBytes: 256 * 1024,
  maxComments: 1000,
  maxAttachments: 100,
  maxLabels: 100,
  maxCustomFields: 200,
} as const;

export const TENANT_PATTERN = /^[a-z0-9-]{1,64}$/;
