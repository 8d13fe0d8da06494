import type { AdfDocument, AdfNode } from '../document/adf.ts';
import type { TicketAttachment, TicketComment } from '../ticket/generic-ticket.ts';
import { textToAdf } from '../tracker/adf.ts';
import type { IssueComment, IssueContent } from '../tracker/ticket-tracker.ts';
import type { SyncJob } from './sync-job.ts';

export interface ContentOptions {
  /** Internal servicedesk comments go to the tracker too. */
  includeInternalComments: boolean;
  /** Link back to the servicedesk ticket, with `{id}` where its id goes. */
  ticketUrl?: string;
}

/** The labels every proxied issue carries: the proxy's own and the tenant's. */
export const PROXY_LABEL = 'ticket-proxy';

/** What developers see of a job's ticket. Pure: built from the sanitized job only. */
export function issueContentOf(job: SyncJob, options: ContentOptions): IssueContent {
  const { ticket } = job;
  const description = job.descriptionOmitted
    ? undefined
    : (job.adf?.description ?? textToAdf(ticket.description));
  const details = detailsOf(ticket);
  return {
    source: {
      tenant: job.tenant,
      ticketId: job.ticketId,
      ...(options.ticketUrl && { url: linkTo(options.ticketUrl, job.ticketId) }),
    },
    summary: ticket.summary,
    description:
      description && details.length > 0
        ? { ...description, content: [...description.content, ...details] }
        : description,
    labels: [...new Set([PROXY_LABEL, `tenant-${job.tenant}`, ...(ticket.labels ?? []).map(toLabel)])].filter(
      (l) => l !== '',
    ),
    expiresAt: new Date(job.expiresAt),
    ...(job.labelsOmitted && { labelsOmitted: true }),
  };
}

/** The comments developers may see, oldest first, each headed by who wrote it and when. */
export function commentsOf(job: SyncJob, options: ContentOptions): IssueComment[] {
  return (job.ticket.comments ?? [])
    .filter((c) => options.includeInternalComments || !c.internal)
    .map((c) => {
      const adf = job.adf?.comments;
      return {
        sourceId: c.id,
        body: commentBody(c, adf && Object.hasOwn(adf, c.id) ? adf[c.id] : undefined),
      };
    });
}

/** Attachments split into files to upload and notes for the ones withheld (binary, or not sanitizable). */
export function attachmentsOf(job: SyncJob): {
  files: { sourceId: string; filename: string; mimeType: string; content: Uint8Array }[];
  withheld: IssueComment[];
} {
  const files = [];
  const withheld = [];
  for (const a of job.ticket.attachments ?? []) {
    if (a.withheld || a.contentBase64 === undefined) {
      withheld.push({ sourceId: `attachment:${a.id}`, body: withheldNote(a) });
      continue;
    }
    files.push({
      sourceId: a.id,
      filename: a.filename,
      mimeType: a.mimeType ?? 'text/plain',
      content: Buffer.from(a.contentBase64, 'base64'),
    });
  }
  return { files, withheld };
}

function commentBody(comment: TicketComment, adf: AdfDocument | undefined): AdfDocument {
  const who = comment.author?.name ?? comment.author?.email ?? 'servicedesk';
  const when = comment.created ? ` (${comment.created})` : '';
  const internal = comment.internal ? ' [intern]' : '';
  const heading: AdfNode = {
    type: 'paragraph',
    content: [{ type: 'text', text: `${who}${when}${internal}:`, marks: [{ type: 'strong' }] }],
  };
  const body = adf ?? textToAdf(comment.body);
  return { type: 'doc', version: 1, content: [heading, ...body.content] };
}

function withheldNote(a: TicketAttachment): AdfDocument {
  const size = a.size === undefined ? '' : `, ${formatSize(a.size)}`;
  return textToAdf(
    `Vedhæftet fil tilbageholdt: ${a.filename}${size}. Den kan ikke renses for personoplysninger og findes kun i servicedesken.`,
  );
}

/** Status, priority and the servicedesk's own fields, as one paragraph of `name: value` lines. */
function detailsOf(ticket: SyncJob['ticket']): AdfNode[] {
  const lines = [
    ...(ticket.status ? [`Status: ${ticket.status}`] : []),
    ...(ticket.priority ? [`Prioritet: ${ticket.priority}`] : []),
    ...Object.entries(ticket.fields ?? {})
      .filter(([, v]) => v !== null && v !== '')
      .map(([k, v]) => `${k}: ${String(v)}`),
  ];
  if (lines.length === 0) return [];
  return textToAdf(lines.join('\n')).content;
}

const linkTo = (template: string, id: string) => template.replace(/\{id\}|%7Bid%7D/g, encodeURIComponent(id));

/** Jira labels cannot hold spaces. */
const toLabel = (label: string) => label.trim().replace(/\s+/g, '_').slice(0, 255);

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
