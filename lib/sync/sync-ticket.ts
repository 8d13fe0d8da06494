import type { TicketTracker } from '../tracker/ticket-tracker.ts';
import type { TokenVault } from '../vault/token-vault.ts';
import { attachmentsOf, type ContentOptions, commentsOf, issueContentOf } from './issue-content.ts';
import type { IssueLinks } from './issue-links.ts';
import type { SyncJob } from './sync-job.ts';

export interface SyncDeps {
  tracker: TicketTracker;
  vault: Pick<TokenVault, 'getTicket' | 'recordDelivery'>;
  links: Pick<IssueLinks, 'link'>;
  /** The tenant's settings for what developers see. */
  contentOptions: (tenant: string) => ContentOptions;
  now?: () => Date;
}

export type SyncOutcome =
  | { outcome: 'synced'; issueKey: string; created: boolean; comments: number; attachments: number }
  /** The ticket's retention ended (and the sweep removed it) before the job ran: nothing is written. */
  | { outcome: 'expired' };

/**
 * Brings the ticket's issue up to date with one job: creates it the first time, otherwise updates it,
 * and adds the comments and attachments it does not have yet. Safe to run any number of times for the
 * same job: each step checks the tracker first, so a redelivery or a retry after a crash adds nothing twice.
 * @throws DependencyError when the tracker or the vault fails (retry later); TrackerRejectedError when
 *   the tracker refuses the job for good (dead-letter queue).
 */
export async function syncTicket(job: SyncJob, deps: SyncDeps): Promise<SyncOutcome> {
  const record = await deps.vault.getTicket(job.tenant, job.ticketId);
  if (!record || record.expiresAt.getTime() <= (deps.now?.() ?? new Date()).getTime()) {
    return { outcome: 'expired' };
  }
  const options = deps.contentOptions(job.tenant);
  const content = issueContentOf(job, options);

  // The vault's record is the fast path; the tracker's own marker covers a crash before it was written.
  let issueKey = record.issueKey ?? (await deps.tracker.findIssue(content.source));
  const created = issueKey === undefined;
  if (issueKey === undefined) {
    issueKey = (await deps.tracker.createIssue(content)).issueKey;
  } else {
    await deps.tracker.updateIssue(issueKey, content);
  }
  if (record.issueKey !== issueKey) await deps.vault.recordDelivery(job.tenant, job.ticketId, issueKey);
  await deps.links.link(issueKey, { tenant: job.tenant, ticketId: job.ticketId }, content.expiresAt);

  const synced = await deps.tracker.syncedItems(issueKey);
  const { files, withheld } = attachmentsOf(job);
  let comments = 0;
  for (const comment of [...commentsOf(job, options), ...withheld]) {
    if (synced.comments.has(comment.sourceId)) continue;
    await deps.tracker.addComment(issueKey, comment);
    comments++;
  }
  let attachments = 0;
  for (const file of files) {
    if (synced.attachments.has(file.sourceId)) continue;
    await deps.tracker.addAttachment(issueKey, file);
    attachments++;
  }
  return { outcome: 'synced', issueKey, created, comments, attachments };
}
