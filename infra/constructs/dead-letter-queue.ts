import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * A standard dead-letter queue (`DeadLetters` in `scope`): encrypted, TLS only, kept 14 days. It has
 * no dead-letter queue of its own, which cdk-nag is told, naming what it catches.
 */
export function deadLetterQueue(scope: Construct, catches: string): Queue {
  const queue = new Queue(scope, 'DeadLetters', {
    encryption: QueueEncryption.KMS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  for (const id of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
    Validations.of(queue).acknowledge({
      id,
      reason: `This queue is itself the dead-letter queue of ${catches}.`,
    });
  }
  return queue;
}
