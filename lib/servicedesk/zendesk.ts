import { z } from 'zod';
import { type GenericTicket, type TicketComment, validateTicket } from '../ticket/generic-ticket.ts';
import {
  verifyZendeskSignature,
  ZENDESK_SIGNATURE_HEADER,
  ZENDESK_TIMESTAMP_HEADER,
} from '../webhook/zendesk-signature.ts';
import { decodeJsonBody, parsePayload, toIsoTimestamp } from './generic.ts';
import type { ServicedeskAdapter } from './servicedesk-adapter.ts';

/** Zendesk ids are integers; a template may write them in quotes. */
const ID_MESSAGE = 'must be a Zendesk id (a whole number, or its digits in a string)';
const zendeskId = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/, ID_MESSAGE)], { error: ID_MESSAGE })
  .transform(String);

/** ISO 8601 (`2026-09-01T07:00:00Z`); an offset without a colon is tolerated. */
const timestamp = z
  .string()
  .transform(toIsoTimestamp)
  .pipe(z.iso.datetime({ offset: true }));

/** A placeholder with no value renders as "": an optional value that is empty is left out. */
const optionalText = z
  .string()
  .nullish()
  .transform((value) => (value ? value : undefined));

const person = z.strictObject({ name: z.string().optional(), email: z.string().optional() });

const comment = z
  .strictObject({
    id: zendeskId,
    author: person.optional(),
    /** The comment as plain text; `plain_body` is taken where `body` is not sent. */
    body: z.string().optional(),
    plain_body: z.string().optional(),
    /** false: an internal note, which the requester does not see. */
    public: z.boolean().optional(),
    created_at: timestamp.optional(),
  })
  .refine((c) => c.body !== undefined || c.plain_body !== undefined, {
    message: 'needs body or plain_body',
  });

const payload = z.strictObject({
  ticket: z.strictObject({
    id: zendeskId,
    subject: z.string(),
    description: z.string().optional(),
    status: optionalText,
    priority: optionalText,
    /** An array, or space-separated as `{{ticket.tags}}` renders them (Zendesk tags hold no spaces). */
    tags: z
      .union([z.array(z.string()), z.string()], { error: 'must be an array of strings or a string' })
      .optional(),
    created_at: timestamp.optional(),
    updated_at: timestamp.optional(),
    requester: person.optional(),
    comments: z.array(comment).optional(),
  }),
});

/** The payload {@link zendeskAdapter} reads. */
export type ZendeskPayload = z.input<typeof payload>;

/**
 * Zendesk: a webhook connected to a trigger or automation, whose JSON body the admin designs with
 * placeholders. This adapter reads one shape, close to Zendesk's own ticket and comment JSON
 * (`subject`, `description`, `status`, `priority`, `tags`, `created_at`, `updated_at`; comments with
 * `id`, `body` or `plain_body`, `public`, `created_at`), where the requester and comment authors are
 * `{ name, email }` rather than Zendesk's user ids:
 *
 * ```json
 * {
 *   "ticket": {
 *     "id": 35436,
 *     "subject": "Kan ikke logge ind i Nexus",
 *     "description": "…",
 *     "status": "open",
 *     "priority": "high",
 *     "tags": ["nexus", "login"],
 *     "created_at": "2026-09-01T07:00:00Z",
 *     "updated_at": "2026-09-01T07:30:00Z",
 *     "requester": { "name": "…", "email": "…" },
 *     "comments": [
 *       { "id": 9001, "author": { "name": "…", "email": "…" }, "body": "…", "public": true,
 *         "created_at": "2026-09-01T07:00:00Z" }
 *     ]
 *   }
 * }
 * ```
 *
 * In the trigger, the values come from placeholders such as `{{ticket.id}}`, `{{ticket.title}}`,
 * `{{ticket.description}}`, `{{ticket.requester.name}}` and `{{ticket.requester.email}}`. Only `id`
 * and `subject` are required. Parsing is strict: a property not listed here is refused with an error
 * naming it, never passed over silently, because what a template adds may carry personal data that
 * would otherwise reach Jira unsanitized. `public: false` makes a comment internal.
 *
 * Verified by Zendesk's signature (`X-Zendesk-Webhook-Signature` and its timestamp).
 */
export const zendeskAdapter: ServicedeskAdapter = {
  name: 'zendesk',
  verify: (request, secrets) =>
    verifyZendeskSignature(
      request.headers[ZENDESK_SIGNATURE_HEADER],
      request.headers[ZENDESK_TIMESTAMP_HEADER],
      secrets,
      request.body,
      request.nowSeconds,
    ),
  toTicket: (request) => {
    const { ticket: t } = parsePayload(payload, decodeJsonBody(request.body));
    const comments = (t.comments ?? []).map(
      (c): TicketComment => ({
        id: c.id,
        body: c.body ?? c.plain_body ?? '',
        ...(c.author && { author: c.author }),
        ...(c.created_at && { created: c.created_at }),
        ...(c.public !== undefined && { internal: !c.public }),
      }),
    );
    const labels = typeof t.tags === 'string' ? t.tags.split(/\s+/).filter(Boolean) : t.tags;
    const ticket: GenericTicket = {
      tenant: request.tenant,
      id: t.id,
      summary: t.subject,
      description: t.description ?? '',
      ...(t.requester && { reporter: t.requester }),
      ...(t.status && { status: t.status }),
      ...(t.priority && { priority: t.priority }),
      ...(t.created_at && { created: t.created_at }),
      ...(t.updated_at && { updated: t.updated_at }),
      ...(comments.length > 0 && { comments }),
      ...(labels && labels.length > 0 && { labels }),
    };
    return { ticket: validateTicket(ticket) };
  },
};
