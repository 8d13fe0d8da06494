import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { SQSEvent } from 'aws-lambda';
import { type LoopbackReply, LoopbackServer } from './loopback-server.ts';

export interface FakeMessage {
  messageId: string;
  body: string;
  groupId: string | undefined;
  deduplicationId: string | undefined;
}

/**
 * A loopback endpoint speaking Amazon SQS's JSON protocol for SendMessage on a FIFO queue, with its
 * five-minute deduplication by MessageDeduplicationId. `take()` hands the messages to a test as the
 * Lambda event SQS would deliver.
 */
export class FakeSqs extends LoopbackServer {
  readonly messages: FakeMessage[] = [];
  readonly #seen = new Set<string>();
  protected contentType = 'application/x-amz-json-1.0';

  protected handle(req: IncomingMessage, raw: string): LoopbackReply {
    const input = JSON.parse(raw || '{}') as Record<string, string | undefined>;
    if (req.headers['x-amz-target'] !== 'AmazonSQS.SendMessage' || !input.MessageBody) {
      return {
        status: 400,
        body: { __type: 'com.amazonaws.sqs#InvalidAction', message: 'not supported here' },
      };
    }
    if (!input.MessageGroupId || !input.MessageDeduplicationId) {
      return {
        status: 400,
        body: { __type: 'com.amazonaws.sqs#MissingParameter', message: 'FIFO needs both ids' },
      };
    }
    const messageId = randomUUID();
    if (!this.#seen.has(input.MessageDeduplicationId)) {
      this.#seen.add(input.MessageDeduplicationId);
      this.messages.push({
        messageId,
        body: input.MessageBody,
        groupId: input.MessageGroupId,
        deduplicationId: input.MessageDeduplicationId,
      });
    }
    const md5 = createHash('md5').update(input.MessageBody).digest('hex');
    return { status: 200, body: { MessageId: messageId, MD5OfMessageBody: md5, SequenceNumber: '1' } };
  }

  /** The messages waiting, as one Lambda SQS event; they leave the queue. */
  take(): SQSEvent {
    return {
      Records: this.messages.splice(0).map((m) => ({
        messageId: m.messageId,
        receiptHandle: m.messageId,
        body: m.body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: 'test',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
          MessageGroupId: m.groupId,
          MessageDeduplicationId: m.deduplicationId,
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:eu-north-1:123456789012:ticket-proxy-jobs.fifo',
        awsRegion: 'eu-north-1',
      })),
    };
  }
}
