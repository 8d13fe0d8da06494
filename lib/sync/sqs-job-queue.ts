import { createHash } from 'node:crypto';
import { SendMessageCommand, type SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { DependencyError, ErrorCode } from '../errors.ts';
import { encodeJob, groupOf, type JobQueue } from './job-queue.ts';
import type { SyncJob } from './sync-job.ts';

/** SQS FIFO: one message group per ticket, deduplicated by event id. */
export class SqsJobQueue implements JobQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(client: SQSClient, queueUrl: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
  }

  async enqueue(job: SyncJob): Promise<void> {
    try {
      await this.#client.send(
        new SendMessageCommand({
          QueueUrl: this.#queueUrl,
          MessageBody: encodeJob(job),
          // Group ids are visible to anyone who can read the queue's metadata: a digest, not the ticket id.
          MessageGroupId: digest(groupOf(job)),
          MessageDeduplicationId: job.eventId.slice(0, 128),
        }),
      );
    } catch (error) {
      throw new DependencyError(ErrorCode.QUEUE_UNAVAILABLE, 'could not queue the sanitized ticket', error);
    }
  }
}

/** Moves every message of the dead-letter queue back to the queue it came from (`ticket-proxy redrive --aws`). */
export async function redriveDeadLetters(client: SQSClient, deadLetterQueueArn: string): Promise<string> {
  const { TaskHandle } = await client.send(
    new StartMessageMoveTaskCommand({ SourceArn: deadLetterQueueArn }),
  );
  return TaskHandle ?? '';
}

const digest = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 64);
