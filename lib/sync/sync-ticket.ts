import { TrackerSettlingError } from '../errors.ts';
import { IssueCreatedError, IssueNotCreatedError, type TicketTracker } from '../tracker/ticket-tracker.ts';
import type { TokenVault } from '../vault/token-vault.ts';
import { attachmentsOf, type ContentOptions, commentsOf, issueContentOf } from './issue-content.ts';
import type { IssueLinks } from './issue-links.ts';
import type { SyncJob } from './sync-job.ts';

/**
 * How long after an attempt to create a ticket's issue an empty search is not trusted: 15 minutes.
 *
 * Jira Cloud's JQL search (`/rest/api/3/search/jql`, the only one left) is eventually consistent:
 * Atlassian documents that a search may miss a write "from a few seconds to minutes", most showing
 * within seconds, unless the issue's id is passed in `reconcileIssues`
 * (developer.atlassian.com/cloud/jira/platform/search-and-reconcile), and after a lost answer the id
 * is what the writer does not know. A create can also be carried out after the client gave up on it
 * (10 s timeout), while Jira still works on it. Fifteen minutes leaves a wide margin over both, yet
 * fits between two SQS deliveries: the next receive comes a visibility timeout (18 min) after the
 * last, and the create was sent within the writer's 3 minute run, so in AWS no delivery is spent
 * waiting (infra/constructs/sync-queue.ts checks that a receive always comes after the window).
 * Locally the file queue waits it out without spending an attempt. Longer would delay the ticket
 * after every create Jira did not confirm (a 500, a timeout) for no gain.
 */
export const CREATE_SETTLE_MS = 15 * 60 * 1000;

const settling = (waitMs: number, why = 'an earlier attempt to create the issue may not be searchable yet') =>
  new TrackerSettlingError(`${why}; retry in ${Math.ceil(waitMs / 1000)} s`, waitMs);

export interface SyncDeps {
  tracker: TicketTracker;
  vault: Pick<TokenVault, 'getTicket' | 'recordDelivery' | 'recordCreateAttempt' | 'clearCreateAttempt'>;
  links: Pick<IssueLinks, 'link'>;
  /** The tenant's settings for what developers see. */
  contentOptions: (tenant: string) => ContentOptions;
  now?: () => Date;
  /** How long after a create attempt an empty search is not trusted. @default {@link CREATE_SETTLE_MS} */
  createSettleMs?: number;
}

export type SyncOutcome =
  | { outcome: 'synced'; issueKey: string; created: boolean; comments: number; attachments: number }
  /** The ticket's retention ended (and the sweep removed it) before the job ran: nothing is written. */
  | { outcome: 'expired' };

/**
 * Brings the ticket's issue up to date with one job: creates it the first time, otherwise updates it,
 * and adds the comments and attachments it does not have yet. Safe to run any number of times for the
 * same job: each step checks the tracker first, so a redelivery or a retry after a crash adds nothing twice.
 *
 * Creating is the one step the tracker cannot check for sure: its search may not show an issue created
 * moments ago, or one whose create Jira carried out after the answer was lost. So the vault records
 * each create attempt before it is made, and while the last one is recent (`createSettleMs`) an empty
 * search means "not yet", not "never": the job waits (TrackerSettlingError) instead of creating a
 * second issue. Once the window has passed, an issue the search still does not show was never made.
 * A create that proves nothing was made (IssueNotCreatedError: rate limited throughout, no
 * connection, the request refused) removes its mark, so the retry need not wait; one that made the
 * issue but failed after it (IssueCreatedError) has the key recorded, so the retry updates it.
 * @throws DependencyError when the tracker or the vault fails (retry later); TrackerSettlingError
 *   (retryable) while an earlier create may still show up; TrackerRejectedError when the tracker
 *   refuses the job for good (dead-letter queue).
 */
export async function syncTicket(job: SyncJob, deps: SyncDeps): Promise<SyncOutcome> {
  const now = () => deps.now?.() ?? new Date();
  const record = await deps.vault.getTicket(job.tenant, job.ticketId);
  if (!record || record.expiresAt.getTime() <= now().getTime()) {
    return { outcome: 'expired' };
  }
  const options = deps.contentOptions(job.tenant);
  const content = issueContentOf(job, options);

  // The vault's record is the fast path; the tracker's own marker covers a crash before it was written.
  let issueKey = record.issueKey ?? (await deps.tracker.findIssue(content.source));
  const created = issueKey === undefined;
  if (issueKey === undefined) {
    const settleMs = deps.createSettleMs ?? CREATE_SETTLE_MS;
    const attempted = record.createAttemptAt;
    const at = now();
    const waitMs = attempted === undefined ? 0 : attempted.getTime() + settleMs - at.getTime();
    if (waitMs > 0) {
      // A mark ahead of this clock (a clock set back, another machine's) is moved to now, once: a wait
      // that started afresh on every try would hold the ticket back for as long as the clocks differ.
      if (attempted && attempted > at)
        await deps.vault.recordCreateAttempt(job.tenant, job.ticketId, at, attempted);
      throw settling(Math.min(settleMs, waitMs));
    }
    // Before the request, so that a crash after it still leaves the mark; and only if no other writer
    // marked the ticket or recorded its issue since the record was read, or two issues could be made.
    if (!(await deps.vault.recordCreateAttempt(job.tenant, job.ticketId, at, attempted))) {
      throw settling(1000, 'another writer is creating the issue');
    }
    try {
      issueKey = (await deps.tracker.createIssue(content)).issueKey;
    } catch (error) {
      // The tracker's failure is what the queue must see, also when the vault fails here: a mark left
      // only makes the retry wait, and an issue key not recorded is found by the search in time.
      if (error instanceof IssueNotCreatedError) {
        // Nothing to wait for: the retry may create at once.
        await deps.vault.clearCreateAttempt(job.tenant, job.ticketId, at).catch(() => undefined);
        throw error.failure;
      }
      if (!(error instanceof IssueCreatedError)) throw error;
      // Made, but not finished: record it, so the retry updates this issue instead of searching for it.
      await deps.vault.recordDelivery(job.tenant, job.ticketId, error.issueKey).catch(() => undefined);
      throw error.failure;
    }
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
