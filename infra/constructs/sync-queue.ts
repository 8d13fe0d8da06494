import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CREATE_SETTLE_MS } from '../../lib/sync/sync-ticket.ts';
import type { OperatorAlarms } from './operator-alarms.ts';

export interface SyncQueueProps {
  /** The consuming function's timeout: a received job stays hidden six times as long (AWS's advice for Lambda). */
  consumerTimeout: Duration;
  alarms: OperatorAlarms;
  /** Deliveries of one job before it is set aside in the dead-letter queue. @default 5 */
  maxReceiveCount?: number;
}

/**
 * Sanitized jobs on their way to Jira: an SQS FIFO queue (one message group per ticket, so a ticket's
 * events arrive in order), deduplicated by the id the sender sets, with a FIFO dead-letter queue that
 * raises an alarm as soon as it holds anything. Both queues are encrypted with a key of their own, so
 * reading jobs never implies any right on the vault's keys.
 */
export class SyncQueue extends Construct {
  readonly key: Key;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  /** How long a received job stays hidden from other consumers. */
  readonly visibilityTimeout: Duration;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: SyncQueueProps) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: 'ticket-proxy: encrypts the sync queue and its dead-letter queue',
      enableKeyRotation: true,
    });
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      fifo: true,
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This queue is itself the sync queue’s dead-letter queue; its jobs go back with npx ticket-proxy redrive.',
    });
    this.visibilityTimeout = Duration.seconds(props.consumerTimeout.toSeconds() * 6);
    // After a create Jira may have carried out, the writer does not create again for the settle
    // window (lib/sync/sync-ticket.ts). A job must still be received once after it, or it would be
    // dead-lettered only for waiting. With the defaults it never waits at all: the next receive comes
    // a visibility timeout (18 min) after the last, at least 15 min after the create (sent within
    // the writer's 3 min); and the fifth receive comes 72 min after the first.
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    const lastReceiveAfterMs =
      (maxReceiveCount - 1) * this.visibilityTimeout.toMilliseconds() -
      props.consumerTimeout.toMilliseconds();
    if (lastReceiveAfterMs < CREATE_SETTLE_MS) {
      throw new Error(
        `The sync queue's redeliveries (${maxReceiveCount} receives, ${this.visibilityTimeout.toSeconds()} s apart) end before the Jira writer's ${CREATE_SETTLE_MS / 60_000}-minute wait after an unconfirmed create: raise maxReceiveCount or the writer's timeout.`,
      );
    }
    this.queue = new Queue(this, 'Queue', {
      fifo: true,
      // The sender deduplicates by the webhook's event id; identical content may be a real new event.
      contentBasedDeduplication: false,
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      visibilityTimeout: this.visibilityTimeout,
      maxMessageSizeBytes: 1024 * 1024,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });

    this.deadLetterAlarm = new Alarm(this, 'DeadLettersAlarm', {
      alarmDescription:
        'ticket-proxy: sync jobs failed every attempt and wait in the dead-letter queue. Fix the cause (the Jira writer logs name it), then run `npx ticket-proxy redrive --dead-letter-queue <DeadLetterQueueArn output>`.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: Stats.MAXIMUM,
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    props.alarms.notifyOn(this.deadLetterAlarm);
  }

  /**
   * What a sender needs: send messages, and the queue key only as SQS uses it on the sender's behalf.
   * Written out instead of `grantSendMessages`, which adds `kms:ReEncrypt*` and `kms:GenerateDataKey*`.
   */
  grantSend(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }
}
