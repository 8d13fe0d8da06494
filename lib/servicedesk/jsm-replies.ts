import { createCloudClient } from 'jira.js';
import { z } from 'zod';
import { DependencyError, ErrorCode, ServicedeskRejectedError, TicketProxyError } from '../errors.ts';
import { textToAdf } from '../tracker/adf.ts';
import { classifyJiraFailure, createJiraTransport, JiraHttpError } from '../tracker/jira-transport.ts';
import { RetriesExhaustedError, type RetryPolicy, retry } from '../tracker/retry.ts';
import type { ServicedeskReplies, ServicedeskReply } from './servicedesk-replies.ts';

export const jsmConfigSchema = z.strictObject({
  baseUrl: z.url(),
  email: z.string().min(1),
  apiToken: z.string().min(1),
});
export type JsmConfig = z.input<typeof jsmConfigSchema>;

export interface JsmRepliesOptions {
  /** Attempts and waiting budget per reply; see {@link RetryPolicy} for the defaults (4 attempts, 20 s). */
  retry?: Partial<RetryPolicy>;
  /** Per HTTP request. @default 10_000 */
  requestTimeoutMs?: number;
  /** Waits between attempts; tests pass one that records instead of waiting. */
  sleep?: (ms: number) => Promise<void>;
}

/** The comment property that records which reply a servicedesk comment is. */
export const REPLY_PROPERTY_KEY = 'ticket-proxy';
/** Jira Service Management's own comment property: `internal: false` shares the comment with the customer. */
const PUBLIC_COMMENT_PROPERTY = 'sd.public.comment';
const COMMENT_PAGE = 100;
/** A Jira issue key or numeric id: the ticket id goes into a URL path, so nothing else is accepted. */
const REQUEST_KEY = /^(?:[A-Z][A-Z0-9_]*-\d+|\d+)$/;

interface ReplyBookkeeping {
  event: ServicedeskReply['event'];
  sourceId: string;
  issueKey: string;
}

/**
 * Developers' replies as public comments on the Jira Service Management request (port adapter).
 *
 * Posted through the platform API (`POST /rest/api/3/issue/{key}/comment`) with the comment
 * properties `sd.public.comment` = `{ internal: false }` and `ticket-proxy` = `{ event, sourceId }`,
 * not through `POST /rest/servicedeskapi/request/{key}/comment` (which jira.js 6 offers as
 * `createRequestComment`): that endpoint takes no properties, so recording the reply's id would be a
 * second request, and a crash between the two would post the reply to the customer twice. The
 * platform endpoint also takes ADF, so the text is shown as written rather than read as wiki markup.
 * Before posting, the request's comments are read: a reply already there is not posted again.
 */
export class JsmReplies implements ServicedeskReplies {
  readonly #jira: ReturnType<typeof createCloudClient>;
  readonly #retry: Partial<RetryPolicy>;
  readonly #sleep: ((ms: number) => Promise<void>) | undefined;

  constructor(config: JsmConfig, options: JsmRepliesOptions = {}) {
    const parsed = jsmConfigSchema.parse(config);
    this.#jira = createCloudClient(
      createJiraTransport({ ...parsed, requestTimeoutMs: options.requestTimeoutMs }),
    );
    this.#retry = options.retry ?? {};
    this.#sleep = options.sleep;
  }

  async post(reply: ServicedeskReply): Promise<void> {
    if (!REQUEST_KEY.test(reply.ticketId)) {
      throw new ServicedeskRejectedError(400, 'the servicedesk ticket id is not a Jira request key');
    }
    const kept: ReplyBookkeeping = { event: reply.event, sourceId: reply.sourceId, issueKey: reply.issueKey };
    try {
      await retry(
        async () => {
          if (await this.#alreadyPosted(reply.ticketId, kept)) return;
          await this.#jira.issueComments.addComment({
            issueIdOrKey: reply.ticketId,
            body: textToAdf(replyText(reply)),
            properties: [
              { key: PUBLIC_COMMENT_PROPERTY, value: { internal: false } },
              { key: REPLY_PROPERTY_KEY, value: kept },
            ],
          });
        },
        { policy: this.#retry, classify: classifyJiraFailure, sleep: this.#sleep },
      );
    } catch (error) {
      throw servicedeskError(error);
    }
  }

  async #alreadyPosted(requestKey: string, reply: ReplyBookkeeping): Promise<boolean> {
    for (let startAt = 0; ; ) {
      const page = await this.#jira.issueComments.getComments({
        issueIdOrKey: requestKey,
        startAt,
        maxResults: COMMENT_PAGE,
        expand: 'properties',
      });
      const comments = page.comments ?? [];
      const posted = comments.some((comment) => {
        const value = comment.properties?.find((p) => p.key === REPLY_PROPERTY_KEY)?.value as
          | Partial<ReplyBookkeeping>
          | undefined;
        // Comment ids and changelog ids are separate sequences: the event tells them apart.
        return value?.sourceId === reply.sourceId && value.event === reply.event;
      });
      if (posted) return true;
      startAt += comments.length;
      if (comments.length === 0 || startAt >= (page.total ?? 0)) return false;
    }
  }
}

/** What the customer reads: who wrote it, and for a status change the new status, in Danish. */
export function replyText(reply: ServicedeskReply): string {
  const author = reply.author?.trim() || 'Udvikling';
  const body = reply.body.trim();
  if (reply.event === 'status') {
    const status = `Udviklingsstatus: ${reply.status ?? 'ukendt'}`;
    return body ? `${author}:\n${status}\n\n${body}` : `${author}:\n${status}`;
  }
  return `${author}:\n${body}`;
}

function servicedeskError(error: unknown): TicketProxyError {
  if (error instanceof TicketProxyError) return error;
  if (error instanceof RetriesExhaustedError) {
    const last = error.cause instanceof Error ? `${error.cause.message}; ` : '';
    return new DependencyError(
      ErrorCode.SERVICEDESK_UNAVAILABLE,
      `the servicedesk could not take the reply: ${last}${error.message}`,
      error,
    );
  }
  if (error instanceof JiraHttpError) {
    return new ServicedeskRejectedError(
      error.status,
      `the servicedesk refused the reply: ${error.message}`,
      error,
    );
  }
  return new DependencyError(
    ErrorCode.SERVICEDESK_UNAVAILABLE,
    'the servicedesk could not take the reply',
    error,
  );
}
