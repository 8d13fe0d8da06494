import { z } from 'zod';
import type { AdfDocument } from '../document/adf.ts';
import { adfToText } from '../document/adf-text.ts';
import { InvalidDocumentError } from '../errors.ts';
import { type GenericTicket, type TicketComment, validateTicket } from '../ticket/generic-ticket.ts';
import { HUB_SIGNATURE_HEADER, verifyHubSignature } from '../webhook/hub-signature.ts';
import { SHARED_SECRET_HEADER, verifySharedSecret } from '../webhook/shared-secret.ts';
import { decodeJsonBody, parsePayload, toIsoTimestamp } from './generic.ts';
import type { InboundTicket, ServicedeskAdapter } from './servicedesk-adapter.ts';

/** Which Jira custom fields go into the ticket's `fields`, and under what name. */
export const jsmConfigSchema = z.strictObject({
  /** `customfield_10010` → the name in `fields`. Only scalar values are copied; others are left out. */
  includeCustomFields: z
    .record(
      z.string().regex(/^customfield_\d{1,12}$/, 'must be a Jira custom field id such as customfield_10010'),
      z.string().min(1).max(128),
    )
    .optional(),
});
export type JsmConfig = z.infer<typeof jsmConfigSchema>;

export const JSM_EVENTS = [
  'jira:issue_created',
  'jira:issue_updated',
  'comment_created',
  'comment_updated',
] as const;

// The payload schema lists exactly what is read. zod's plain objects drop every key they do not
// list, so the rest of Jira's payload (changelog, users, avatars, project, the other custom fields…)
// never reaches the ticket: unmapped input cannot leak because it is never copied.

/** A Jira timestamp, `2026-09-01T09:00:00.000+0200`, as ISO 8601 with a colon in the offset. */
const jiraTimestamp = z
  .string()
  .transform(toIsoTimestamp)
  .pipe(z.iso.datetime({ offset: true }));

/** ADF's outer shape; its nodes are checked by adfToText here and by the redaction later. */
const adfDocument = z.object({
  type: z.literal('doc'),
  version: z.literal(1),
  content: z.array(z.unknown()),
});

/** Webhooks send wiki-markup text; automation and REST API v3 send ADF. */
const richText = z.union([z.string(), adfDocument], { error: 'must be a string or an ADF document' });

const user = z.object({ displayName: z.string().optional(), emailAddress: z.string().optional() });
const named = z.object({ name: z.string() });

const comment = z.object({
  id: z.union([z.string(), z.number().int().nonnegative()]).transform(String),
  author: user.nullish(),
  body: richText,
  created: jiraTimestamp.optional(),
  /** Jira Service Management only: false for an internal note. */
  jsdPublic: z.boolean().optional(),
});

const fields = z.object({
  summary: z.string(),
  description: richText.nullish(),
  reporter: user.nullish(),
  status: named.nullish(),
  priority: named.nullish(),
  labels: z.array(z.string()).nullish(),
  created: jiraTimestamp.nullish(),
  updated: jiraTimestamp.nullish(),
  resolutiondate: jiraTimestamp.nullish(),
  comment: z.object({ comments: z.array(comment) }).nullish(),
});

/**
 * A Jira Cloud webhook (`webhookEvent` one of {@link JSM_EVENTS}), or an automation rule's "send web
 * request" with the issue in Jira's format (no `webhookEvent`). Comment events carry the comment at
 * the top level and only some of the issue's fields.
 */
const payload = z.object({
  webhookEvent: z.enum(JSM_EVENTS).optional(),
  issue: z.object({ key: z.string(), fields }),
  comment: comment.optional(),
});

/** The payload schema, with the configured custom fields read too (as anything: scalars are picked later). */
function payloadSchema(customFields: readonly string[]): typeof payload {
  if (customFields.length === 0) return payload;
  const custom = Object.fromEntries(customFields.map((id) => [id, z.unknown().optional()]));
  // The custom fields are typed unknown and read by id; the listed fields keep their types.
  return payload.extend({
    issue: z.object({ key: z.string(), fields: fields.extend(custom) }),
  }) as unknown as typeof payload;
}

type JiraComment = z.infer<typeof comment>;
type JiraUser = z.infer<typeof user>;

/**
 * Jira Service Management: Jira Cloud webhooks and automation web requests, verified by
 * `X-Hub-Signature` (a webhook registered with a secret) or, where there is none (automation), the
 * `X-Ticket-Proxy-Secret` header. The ticket id is the issue key.
 *
 * Where a description or comment is ADF, the document goes into `adf` and its text
 * ({@link adfToText}) into the ticket, so detection sees the words the document holds.
 */
export const jsmAdapter: ServicedeskAdapter<JsmConfig | undefined> = {
  name: 'jsm',
  verify: (request, secrets) => {
    const hub = request.headers[HUB_SIGNATURE_HEADER];
    // A request with a signature is judged by it alone: a bad signature is not retried as a secret.
    if (hub !== undefined) return verifyHubSignature(hub, secrets, request.body);
    const shared = request.headers[SHARED_SECRET_HEADER];
    if (shared !== undefined) return verifySharedSecret(shared, secrets);
    return { valid: false, reason: 'neither an X-Hub-Signature nor a shared-secret header' };
  },
  toTicket: (request, config) => {
    const customFields = config?.includeCustomFields ?? {};
    const parsed = parsePayload(payloadSchema(Object.keys(customFields)), decodeJsonBody(request.body));
    const { issue } = parsed;
    const f = issue.fields;
    const adf: { description?: AdfDocument; comments?: Record<string, AdfDocument> } = {};
    // Keyed by comment ids from the payload: no prototype, so no id is special.
    const adfComments = (): Record<string, AdfDocument> =>
      (adf.comments ??= Object.create(null) as Record<string, AdfDocument>);

    const description = readRichText(f.description ?? '', 'issue.fields.description', (doc) => {
      adf.description = doc;
    });
    const comments = mergeComments(f.comment?.comments ?? [], parsed.comment).map(
      ({ comment: c, path }): TicketComment => {
        const body = readRichText(c.body, `${path}.body`, (doc) => {
          adfComments()[c.id] = doc;
        });
        const author = person(c.author);
        return {
          id: c.id,
          body,
          ...(author && { author }),
          ...(c.created !== undefined && { created: c.created }),
          ...(c.jsdPublic !== undefined && { internal: !c.jsdPublic }),
        };
      },
    );
    const copied = Object.entries(customFields).flatMap(([id, name]) => {
      const value = (f as Record<string, unknown>)[id];
      return isScalar(value) ? [[name, value] as const] : [];
    });

    const reporter = person(f.reporter);
    const ticket: GenericTicket = {
      tenant: request.tenant,
      id: issue.key,
      summary: f.summary,
      description,
      ...(reporter && { reporter }),
      ...(f.status && { status: f.status.name }),
      ...(f.priority && { priority: f.priority.name }),
      ...(f.created && { created: f.created }),
      ...(f.updated && { updated: f.updated }),
      ...(f.resolutiondate !== undefined && { closedAt: f.resolutiondate }),
      ...(comments.length > 0 && { comments }),
      ...(f.labels && f.labels.length > 0 && { labels: f.labels }),
      ...(copied.length > 0 && { fields: Object.fromEntries(copied) }),
    };
    const inbound: InboundTicket = { ticket: validateTicket(ticket) };
    if (adf.description !== undefined || adf.comments !== undefined) inbound.adf = adf;
    // Jira's comment events leave the description out (null would mean an empty one).
    if (f.description === undefined) inbound.descriptionOmitted = true;
    if (f.labels === undefined) inbound.labelsOmitted = true;
    return inbound;
  },
};

/**
 * The issue's comments, then the event's comment, once per id, in order; the event's version wins,
 * being the newer (`comment_updated`). Each with its path in the payload, for errors.
 */
function mergeComments(
  listed: readonly JiraComment[],
  event: JiraComment | undefined,
): { comment: JiraComment; path: string }[] {
  const merged = new Map<string, { comment: JiraComment; path: string }>();
  for (const [i, c] of listed.entries()) {
    if (!merged.has(c.id)) merged.set(c.id, { comment: c, path: `issue.fields.comment.comments.${i}` });
  }
  if (event !== undefined) merged.set(event.id, { comment: event, path: 'comment' });
  return [...merged.values()];
}

/** Text as it is; a document as its text, handed to `keep` to be forwarded in its own format. */
function readRichText(
  value: string | z.infer<typeof adfDocument>,
  path: string,
  keep: (doc: AdfDocument) => void,
): string {
  if (typeof value === 'string') return value;
  try {
    // adfToText checks every node it reads: past it, the content is made of ADF nodes.
    const doc = value as AdfDocument;
    const text = adfToText(doc);
    keep(doc);
    return text;
  } catch (error) {
    if (error instanceof InvalidDocumentError) {
      const issue = error.issues[0];
      throw new InvalidDocumentError(
        issue?.path ? `${path}.${issue.path}` : path,
        issue?.message ?? 'not an ADF document',
      );
    }
    throw error;
  }
}

function person(value: JiraUser | null | undefined): GenericTicket['reporter'] {
  if (!value) return undefined;
  const { displayName: name, emailAddress: email } = value;
  if (name === undefined && email === undefined) return undefined;
  return { ...(name !== undefined && { name }), ...(email !== undefined && { email }) };
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}
