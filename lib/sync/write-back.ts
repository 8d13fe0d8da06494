import { AuditAction, type AuditLog } from '../audit/audit-log.ts';
import { adfToText } from '../document/adf-text.ts';
import type { RevealedValue } from '../pseudonymize/pseudonymizer.ts';
import { restoreTokens, tokensIn } from '../reidentify/reidentify-tokens.ts';
import type { ServicedeskReplies } from '../servicedesk/servicedesk-replies.ts';
import type { IssueLinks } from './issue-links.ts';
import type { JiraEvent } from './jira-event.ts';

export const WRITE_BACK_ACTOR = 'system:write-back';
export const WRITE_BACK_PURPOSE = 'write-back';

export interface WriteBackDeps {
  links: IssueLinks;
  /** The value behind a token of this tenant, or undefined (unknown, expired, SECRET, another tenant's). */
  reveal: (tenant: string, token: string) => Promise<RevealedValue | undefined>;
  /** The tokens the ticket uses: only those are restored in a reply to its servicedesk. */
  tokensOfTicket: (tenant: string, ticketId: string) => Promise<ReadonlySet<string>>;
  audit: Pick<AuditLog, 'append'>;
  /** Where the tenant's replies go; undefined when the tenant has no write-back. */
  repliesFor: (tenant: string) => ServicedeskReplies | undefined;
  /** True for the account the proxy writes to the tracker with: its own comments are not echoed back. */
  isOwnAccount: (accountId: string) => Promise<boolean>;
}

export type WriteBackOutcome =
  | { outcome: 'posted'; tenant: string; ticketId: string; reidentified: number; auditId: string | undefined }
  | {
      outcome: 'ignored';
      reason:
        | 'NOT_A_REPLY'
        | 'NOT_PROXIED'
        | 'OWN_COMMENT'
        | 'RESTRICTED'
        | 'NO_WRITE_BACK'
        | 'ALREADY_POSTED';
    };

/**
 * A developer's reply goes back to the servicedesk, the system of record, with this tenant's tokens
 * turned back into values. The audit record is written before any value is revealed to the
 * servicedesk; if it cannot be written, nothing is posted and the caller retries.
 * Only tokens the ticket itself uses are restored; others (another ticket's, another tenant's, unknown
 * or expired ones, SECRET tokens) stay tokens.
 */
export async function writeBack(event: JiraEvent, deps: WriteBackDeps): Promise<WriteBackOutcome> {
  if (event.type === 'other') return { outcome: 'ignored', reason: 'NOT_A_REPLY' };
  const linked = await deps.links.ticketOf(event.issueKey);
  if (!linked) return { outcome: 'ignored', reason: 'NOT_PROXIED' };
  if (event.authorAccountId !== undefined && (await deps.isOwnAccount(event.authorAccountId))) {
    return { outcome: 'ignored', reason: 'OWN_COMMENT' };
  }
  // A comment Jira shows only to a role or group is developers' talk: it never goes to the servicedesk.
  if (event.type === 'comment' && event.restricted) return { outcome: 'ignored', reason: 'RESTRICTED' };
  const replies = deps.repliesFor(linked.tenant);
  if (!replies) return { outcome: 'ignored', reason: 'NO_WRITE_BACK' };
  const sourceId = event.type === 'comment' ? `comment:${event.commentId}` : `status:${event.changeId}`;
  if (await deps.links.replied(event.issueKey, sourceId))
    return { outcome: 'ignored', reason: 'ALREADY_POSTED' };

  const text =
    event.type === 'comment' ? (typeof event.body === 'string' ? event.body : adfToText(event.body)) : '';
  // Only the ticket's own tokens: a developer quoting another citizen's token must not reveal them
  // to this ticket's servicedesk (and its customer, who may read the reply).
  const mentioned = tokensIn(text);
  const own = mentioned.length > 0 ? await deps.tokensOfTicket(linked.tenant, linked.ticketId) : new Set();
  const values = new Map<string, string>();
  for (const token of mentioned.filter((t) => own.has(t))) {
    const revealed = await deps.reveal(linked.tenant, token);
    if (revealed) values.set(token, revealed.value);
  }
  const record =
    values.size === 0
      ? undefined
      : await deps.audit.append({
          actor: WRITE_BACK_ACTOR,
          source: 'jira-webhook',
          action: AuditAction.WRITE_BACK,
          tenant: linked.tenant,
          tokens: [...values.keys()],
          purpose: WRITE_BACK_PURPOSE,
          issueKey: event.issueKey,
          outcome: 'granted',
        });
  await replies.post({
    tenant: linked.tenant,
    ticketId: linked.ticketId,
    issueKey: event.issueKey,
    event: event.type,
    sourceId,
    body: restoreTokens(text, values),
    ...(event.authorName !== undefined && { author: event.authorName }),
    ...(event.type === 'status' && { status: event.status }),
    time: event.time.toISOString(),
  });
  await deps.links.markReplied(event.issueKey, sourceId, linked.expiresAt);
  return {
    outcome: 'posted',
    tenant: linked.tenant,
    ticketId: linked.ticketId,
    reidentified: values.size,
    auditId: record?.id,
  };
}
