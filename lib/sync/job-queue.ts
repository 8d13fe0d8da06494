import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { genericTicketSchema } from '../ticket/generic-ticket.ts';
import type { SyncJob } from './sync-job.ts';

/**
 * Where sanitized jobs wait for the Jira writer (port): SQS FIFO in AWS, files in the data directory
 * locally. Jobs of one ticket are handed out in order; a job enqueued twice with the same eventId
 * (a redelivered webhook) is handed out once within the queue's deduplication window, and the writer
 * is idempotent beyond it.
 */
export interface JobQueue {
  /** @throws DependencyError when the job could not be queued: the webhook is answered 503 and retried. */
  enqueue(job: SyncJob): Promise<void>;
}

/** Jobs of one ticket share a group: kept in order, and one at a time. */
export const groupOf = (job: Pick<SyncJob, 'tenant' | 'ticketId'>) => `${job.tenant}/${job.ticketId}`;

/** Bodies past this are compressed, so a ticket at the 1 MiB input limit still fits in one message. */
const COMPRESS_ABOVE_BYTES = 128 * 1024;

const adfSchema = z.looseObject({ type: z.literal('doc'), version: z.literal(1), content: z.array(z.any()) });
const jobSchema = z.strictObject({
  tenant: z.string(),
  ticketId: z.string(),
  eventId: z.string(),
  receivedAt: z.string(),
  expiresAt: z.iso.datetime(),
  ticket: genericTicketSchema,
  adf: z
    .strictObject({ description: adfSchema.optional(), comments: z.record(z.string(), adfSchema).optional() })
    .optional(),
  descriptionOmitted: z.boolean().optional(),
  labelsOmitted: z.boolean().optional(),
});

/** A job as a queue message body: JSON, or `gz:` and base64 of gzipped JSON when large. */
export function encodeJob(job: SyncJob): string {
  const json = JSON.stringify(job);
  if (json.length <= COMPRESS_ABOVE_BYTES) return json;
  return `gz:${gzipSync(json).toString('base64')}`;
}

/** @throws Error when the body is not a job this version wrote: such a message belongs in the dead-letter queue. */
export function decodeJob(body: string): SyncJob {
  const json = body.startsWith('gz:')
    ? gunzipSync(Buffer.from(body.slice(3), 'base64')).toString('utf8')
    : body;
  return jobSchema.parse(JSON.parse(json)) as SyncJob;
}
