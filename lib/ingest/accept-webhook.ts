import { createHash } from 'node:crypto';
import type { AdfDocument } from '../document/adf.ts';
import {
  type SanitizeDeps,
  type SanitizeResult,
  sanitizeTicket,
  type TicketDocument,
} from '../sanitize/sanitize-ticket.ts';
import type { ConfiguredServicedesk } from '../servicedesk/adapters.ts';
import type { InboundTicket, WebhookRequest } from '../servicedesk/servicedesk-adapter.ts';
import type { JobQueue } from '../sync/job-queue.ts';
import type { SyncJob } from '../sync/sync-job.ts';
import { SIGNATURE_HEADER } from '../webhook/signature.ts';
import { ZENDESK_TIMESTAMP_HEADER } from '../webhook/zendesk-signature.ts';

export interface AcceptWebhookDeps extends SanitizeDeps {
  queue: JobQueue;
}

export interface AcceptedWebhook {
  ticketId: string;
  eventId: string;
  replaced: SanitizeResult['replaced'];
}

/**
 * A servicedesk's webhook, already verified for `request.tenant`: read it with the servicedesk's
 * adapter, sanitize it, and queue only the sanitized job for the Jira writer. Nothing unsanitized
 * is stored or queued; if anything fails, nothing is queued and the caller may retry.
 * @throws InvalidTicketError for input that will never be accepted; DependencyError when retrying may help.
 */
export async function acceptWebhook(
  request: WebhookRequest,
  servicedesk: Pick<ConfiguredServicedesk, 'name' | 'toTicket'>,
  deps: AcceptWebhookDeps,
): Promise<AcceptedWebhook> {
  const inbound = servicedesk.toTicket(request);
  const { ticket } = inbound;
  const documents = documentsOf(inbound);
  const sanitized = await sanitizeTicket(
    ticket,
    deps,
    documents.map(({ document }) => document),
  );
  const adf: NonNullable<SyncJob['adf']> = {};
  // Keyed by the servicedesk's comment ids: no prototype, so no id is special.
  const comments: Record<string, AdfDocument> = Object.create(null);
  for (const [i, { place }] of documents.entries()) {
    const doc = sanitized.documents[i] as AdfDocument;
    if (place === undefined) adf.description = doc;
    else comments[place] = doc;
  }
  if (Object.keys(comments).length > 0) adf.comments = comments;
  const eventId = createHash('sha256')
    .update(`${request.tenant}\u0000${servicedesk.name}\u0000${deliveryOf(request)}\u0000`)
    .update(request.body)
    .digest('hex');
  await deps.queue.enqueue({
    tenant: ticket.tenant,
    ticketId: ticket.id,
    eventId,
    receivedAt: (deps.now?.() ?? new Date()).toISOString(),
    expiresAt: sanitized.expiresAt.toISOString(),
    ticket: sanitized.ticket,
    ...(documents.length > 0 && { adf }),
    ...(inbound.descriptionOmitted && { descriptionOmitted: true }),
    ...(inbound.labelsOmitted && { labelsOmitted: true }),
  });
  return { ticketId: ticket.id, eventId, replaced: sanitized.replaced };
}

/**
 * What tells one delivery from another where the body alone does not: the signed time. A webhook
 * redelivered as it was is the same event; the same ticket sent again later (back to an earlier
 * state) is a new one, and must not be dropped as a duplicate.
 */
const deliveryOf = (request: WebhookRequest) =>
  [SIGNATURE_HEADER, ZENDESK_TIMESTAMP_HEADER].map((h) => request.headers[h] ?? '').join('\u0000');

/** The ADF documents of a ticket, each with where it goes: the description (undefined) or a comment id. */
function documentsOf(inbound: InboundTicket): { place: string | undefined; document: TicketDocument }[] {
  const documents: { place: string | undefined; document: TicketDocument }[] = [];
  if (inbound.adf?.description) {
    documents.push({ place: undefined, document: { format: 'adf', content: inbound.adf.description } });
  }
  for (const [id, doc] of Object.entries(inbound.adf?.comments ?? {})) {
    documents.push({ place: id, document: { format: 'adf', content: doc } });
  }
  return documents;
}
