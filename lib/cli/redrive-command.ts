import { Logger } from '@aws-lambda-powertools/logger';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createJobHandler } from '../../functions/jira-writer.ts';
import { openEmbeddedRuntime } from '../runtime/embedded.ts';
import { redriveDeadLetters } from '../sync/sqs-job-queue.ts';

/**
 * `ticket-proxy redrive`: jobs the Jira writer gave up on go back in line and are written now.
 * With `--dead-letter-queue ARN`, the same for a deployed stack: SQS moves the dead-letter queue's
 * messages back to the queue they came from.
 */
export async function redriveCommand(options: { deadLetterQueueArn: string | undefined }): Promise<number> {
  if (options.deadLetterQueueArn) {
    const task = await redriveDeadLetters(new SQSClient({}), options.deadLetterQueueArn);
    console.log(`moving the dead-letter queue's messages back (task ${task})`);
    return 0;
  }
  const runtime = await openEmbeddedRuntime();
  try {
    const requeued = await runtime.queue.redrive();
    const writer = createJobHandler(() => runtime, new Logger({ logLevel: 'SILENT' }));
    await runtime.queue.drain(writer);
    const dead = await runtime.queue.dead();
    // A job may have to wait before it is written (Jira's search settling after an unconfirmed
    // create): the server writes it when it is due, or the next redrive does.
    const waiting = await runtime.queue.waiting();
    console.log(
      `${requeued} job(s) put back in line; ${waiting} waiting to be written later; ${dead.length} still failing`,
    );
    for (const job of dead)
      console.log(`  ${job.tenant}/${job.ticketId}: ${job.lastError ?? 'unknown error'}`);
    return dead.length === 0 ? 0 : 1;
  } finally {
    await runtime.close();
  }
}
