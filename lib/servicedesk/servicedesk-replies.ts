/**
 * A developer's reply on its way back to the servicedesk, the system of record. Its text holds the
 * values behind this tenant's tokens again, so it is only ever sent, never logged or queued.
 */
export interface ServicedeskReply {
  tenant: string;
  /** The servicedesk ticket the Jira issue mirrors. */
  ticketId: string;
  issueKey: string;
  /** `comment`: a developer commented; `status`: the issue moved to another status. */
  event: 'comment' | 'status';
  /** The Jira comment's id, or the transition's changelog id: the servicedesk gets each once. */
  sourceId: string;
  /** Plain text with the tenant's tokens re-identified. */
  body: string;
  /** The Jira user who wrote it, as Jira shows them. */
  author?: string;
  /** The new status, for `status` events. */
  status?: string;
  time: string;
}

/** Posts replies to a tenant's servicedesk (port). */
export interface ServicedeskReplies {
  /** @throws DependencyError SERVICEDESK_UNAVAILABLE when the servicedesk fails; retrying may help. */
  post(reply: ServicedeskReply): Promise<void>;
}
