import type { AdfDocument } from '../document/adf.ts';
import { DependencyError, ErrorCode, TicketProxyError } from '../errors.ts';

/** Where an issue came from: the servicedesk ticket it mirrors. */
export interface IssueSource {
  tenant: string;
  ticketId: string;
  /** A link back to the ticket in the servicedesk, when the tenant configures one. */
  url?: string;
}

/** What a developer sees of a ticket. Only ever built from a sanitized ticket. */
export interface IssueContent {
  source: IssueSource;
  summary: string;
  /**
   * Undefined when the servicedesk's event did not carry the description (a comment event): an
   * update leaves the issue's as it is, a new issue gets an empty one.
   */
  description: AdfDocument | undefined;
  /** Labels the proxy manages; labels developers add in Jira are left alone. */
  labels: readonly string[];
  /** The event did not carry the servicedesk's labels (Jira's comment events): those already on the issue stay. */
  labelsOmitted?: boolean;
  /** When the ticket's personal data is deleted: shown on the issue as a label, a property and optionally a date field. */
  expiresAt: Date;
}

export interface IssueComment {
  /** The servicedesk's comment id: the issue never gets the same one twice. */
  sourceId: string;
  body: AdfDocument;
}

export interface IssueAttachment {
  /** The servicedesk's attachment id: the issue never gets the same one twice. */
  sourceId: string;
  filename: string;
  mimeType: string;
  content: Uint8Array;
}

/**
 * Where sanitized tickets go for developers to read (port): Jira, or the local outbox. Every method
 * but createIssue is safe to repeat: the sync calls them again after a crash or a redelivery.
 * Methods throw DependencyError TRACKER_UNAVAILABLE (retryable) when the tracker fails or is
 * unreachable, and TrackerRejectedError when it refuses the request for good (a 4xx other than 408 and 429).
 */
export interface TicketTracker {
  /**
   * The issue created earlier for this ticket, found in the tracker itself: covers a crash between
   * creating the issue and recording its key.
   */
  findIssue(source: IssueSource): Promise<string | undefined>;
  /**
   * Not safe to repeat: a second call makes a second issue. An implementation repeats the request
   * only after a failure that proves nothing was created, and otherwise throws DependencyError; the
   * sync searches first, and after an attempt that may have worked waits until findIssue can be
   * trusted (lib/sync/sync-ticket.ts). A failure after the issue was made (Jira's link back to the
   * ticket) is thrown as IssueCreatedError, which carries the new key; a failure that proves nothing
   * was made (every attempt refused before Jira acted, or the request itself refused) as
   * IssueNotCreatedError, so that the job need not wait for the search to settle.
   */
  createIssue(content: IssueContent): Promise<{ issueKey: string }>;
  updateIssue(issueKey: string, content: IssueContent): Promise<void>;
  /** Source ids of the comments and attachments the proxy already put on the issue. */
  syncedItems(issueKey: string): Promise<{ comments: Set<string>; attachments: Set<string> }>;
  addComment(issueKey: string, comment: IssueComment): Promise<void>;
  addAttachment(issueKey: string, attachment: IssueAttachment): Promise<void>;
}

/**
 * createIssue made the issue, then a step after it failed (`cause`, to be handled as usual): the key
 * is known and must be recorded, so that the retry updates this issue instead of searching for it.
 */
export class IssueCreatedError extends Error {
  readonly issueKey: string;
  /** The failure, as the queue classifies it. */
  readonly failure: TicketProxyError;

  constructor(issueKey: string, cause: unknown) {
    super(`issue ${issueKey} was created, but a step after it failed`, { cause });
    this.name = 'IssueCreatedError';
    this.issueKey = issueKey;
    this.failure = asTrackerFailure(cause);
  }
}

/** createIssue failed in a way that proves no issue was made (`cause`, to be handled as usual). */
export class IssueNotCreatedError extends Error {
  /** The failure, as the queue classifies it. */
  readonly failure: TicketProxyError;

  constructor(cause: unknown) {
    super('the issue was not created', { cause });
    this.name = 'IssueNotCreatedError';
    this.failure = asTrackerFailure(cause);
  }
}

const asTrackerFailure = (cause: unknown): TicketProxyError =>
  cause instanceof TicketProxyError
    ? cause
    : new DependencyError(ErrorCode.TRACKER_UNAVAILABLE, 'the tracker failed', cause);
