/** The servicedesk ticket a tracker issue mirrors. */
export interface LinkedTicket {
  tenant: string;
  ticketId: string;
}

/**
 * Which issue mirrors which ticket, looked up from the issue's side (port). Jira's webhooks name only
 * the issue; the tenant comes from here, never from anything a developer can edit on the issue.
 */
export interface IssueLinks {
  /** Records (or renews) the link, kept as long as the ticket's personal data. */
  link(issueKey: string, ticket: LinkedTicket, expiresAt: Date): Promise<void>;
  /** The linked ticket, while its retention lasts. */
  ticketOf(issueKey: string): Promise<(LinkedTicket & { expiresAt: Date }) | undefined>;
  /** True when the servicedesk already got this reply (a Jira comment or transition id). */
  replied(issueKey: string, sourceId: string): Promise<boolean>;
  markReplied(issueKey: string, sourceId: string, expiresAt: Date): Promise<void>;
}
