import { z } from 'zod';
import type { AdfDocument } from '../document/adf.ts';
import { InvalidTicketError } from '../errors.ts';
import { parseJson } from '../ticket/generic-ticket.ts';

/** What a Jira webhook tells the proxy: a developer commented, or moved the issue to another status. */
export type JiraEvent =
  | {
      type: 'comment';
      issueKey: string;
      commentId: string;
      authorAccountId: string | undefined;
      authorName: string | undefined;
      /** Shown only to a Jira role or group: developers' talk, never for the servicedesk. */
      restricted: boolean;
      /** Wiki markup or plain text (Jira's webhooks), or ADF (automation, REST v3). */
      body: string | AdfDocument;
      time: Date;
    }
  | {
      type: 'status';
      issueKey: string;
      changeId: string;
      authorAccountId: string | undefined;
      authorName: string | undefined;
      status: string;
      time: Date;
    }
  /** Any other event: answered 200 and left alone, so Jira does not retry it. */
  | { type: 'other'; time: Date };

const user = z.looseObject({
  accountId: z.string().max(128).optional(),
  displayName: z.string().max(255).optional(),
});
const adf = z.looseObject({ type: z.literal('doc'), version: z.literal(1), content: z.array(z.any()) });
const issueKey = z.string().regex(/^[A-Z][A-Z0-9_]{0,9}-\d{1,12}$/, 'must be an issue key such as DEV-42');

// Only the parts read here are typed; the rest of Jira's payload is ignored, never copied anywhere.
const payloadSchema = z.looseObject({
  timestamp: z.number().int().positive(),
  webhookEvent: z.string().max(64),
  issue: z.looseObject({ key: issueKey }).optional(),
  comment: z
    .looseObject({
      id: z.string().regex(/^\d{1,20}$/),
      author: user.optional(),
      body: z.union([z.string(), adf]),
      visibility: z.looseObject({}).nullable().optional(),
    })
    .optional(),
  user: user.optional(),
  changelog: z
    .looseObject({
      id: z.string().regex(/^\d{1,20}$/),
      // `toString` (the new value) is read below: every object inherits a method of that name.
      items: z.array(z.looseObject({ field: z.string() })),
    })
    .optional(),
});

/**
 * Reads a Jira Cloud webhook (`comment_created`, `jira:issue_updated` with a status change).
 * @throws InvalidTicketError when the body is not a Jira webhook payload.
 */
export function parseJiraEvent(body: Uint8Array): JiraEvent {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new InvalidTicketError([{ path: '', message: 'body is not valid UTF-8' }]);
  }
  const parsed = payloadSchema.safeParse(parseJson(text));
  if (!parsed.success) {
    throw new InvalidTicketError(
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  const p = parsed.data;
  const time = new Date(p.timestamp);
  if (p.webhookEvent === 'comment_created' && p.issue && p.comment) {
    return {
      type: 'comment',
      issueKey: p.issue.key,
      commentId: p.comment.id,
      authorAccountId: p.comment.author?.accountId,
      authorName: p.comment.author?.displayName,
      restricted: p.comment.visibility != null,
      body: p.comment.body as string | AdfDocument,
      time,
    };
  }
  const item = p.changelog?.items.find((i) => i.field === 'status');
  const status =
    item && Object.hasOwn(item, 'toString') ? (item as { toString: unknown }).toString : undefined;
  if (p.webhookEvent === 'jira:issue_updated' && p.issue && p.changelog && typeof status === 'string') {
    return {
      type: 'status',
      issueKey: p.issue.key,
      changeId: p.changelog.id,
      authorAccountId: p.user?.accountId,
      authorName: p.user?.displayName,
      status,
      time,
    };
  }
  return { type: 'other', time };
}
