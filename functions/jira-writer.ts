import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { TicketProxyError } from '../lib/errors.ts';
import { awsRuntime } from '../lib/runtime/aws.ts';
import type { Runtime } from '../lib/runtime/runtime.ts';
import { decodeJob } from '../lib/sync/job-queue.ts';
import type { SyncJob } from '../lib/sync/sync-job.ts';
import { type SyncOutcome, syncTicket } from '../lib/sync/sync-ticket.ts';
import { inInvocation } from './support/logging.ts';

/**
 * Writes one sanitized job to the tracker, the same way in Lambda and in the local worker. A failure
 * is thrown on: the queue redelivers the job, and after its last attempt sets it aside in the
 * dead-letter queue for `ticket-proxy redrive`.
 */
export function createJobHandler(
  runtime: () => Runtime | Promise<Runtime>,
  logger: Logger = new Logger({ serviceName: 'jira-writer' }),
  options: { now?: () => Date } = {},
): (job: SyncJob) => Promise<SyncOutcome> {
  return async (job) => {
    const context = { tenant: job.tenant, ticketId: job.ticketId, eventId: job.eventId };
    try {
      const deps = await runtime();
      const outcome = await syncTicket(job, {
        tracker: deps.trackerFor(job.tenant),
        vault: deps.vault,
        links: deps.links,
        ...(deps.createSettleMs !== undefined && { createSettleMs: deps.createSettleMs }),
        ...(options.now && { now: options.now }),
        contentOptions: (tenant) => {
          const config = deps.tenants.configFor(tenant);
          return {
            includeInternalComments: config?.jira.includeInternalComments ?? false,
            ...(config?.ticketUrl && { ticketUrl: config.ticketUrl }),
          };
        },
      });
      logger.info('job written', { ...context, ...outcome });
      return outcome;
    } catch (error) {
      const code = error instanceof TicketProxyError ? error.code : 'INTERNAL';
      logger.warn('job not written', { ...context, code, errorName: (error as Error)?.name });
      throw error;
    }
  };
}

/**
 * The SQS handler: jobs of one ticket in order; a failed ticket does not hold up the others. Every
 * line carries the invocation's context, and a record's lines its SQS message id (`messageId`) next
 * to the job's tenant, ticket and event ids.
 */
export function createJiraWriterHandler(
  runtime: () => Runtime | Promise<Runtime>,
  logger: Logger = new Logger({ serviceName: 'jira-writer' }),
) {
  const writeJob = createJobHandler(runtime, logger);
  const processor = new SqsFifoPartialProcessorAsync();
  const jobOf = (record: SQSRecord): SyncJob => {
    try {
      return decodeJob(record.body);
    } catch {
      // Not a job this version wrote: after its attempts it lands in the dead-letter queue for a look.
      logger.error('message is not a job');
      throw new Error('message is not a job');
    }
  };
  // The FIFO processor handles one record at a time: the message id on the lines is the current record's.
  const recordHandler = async (record: SQSRecord) => {
    logger.appendKeys({ messageId: record.messageId });
    try {
      await writeJob(jobOf(record));
    } finally {
      logger.removeKeys(['messageId']);
    }
  };
  return (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    inInvocation(logger, context, () =>
      processPartialResponse(event, recordHandler, processor, { context, skipGroupOnError: true }),
    );
}

let aws: Runtime | undefined;
export const handler = createJiraWriterHandler(() => {
  aws ??= awsRuntime();
  return aws;
});
