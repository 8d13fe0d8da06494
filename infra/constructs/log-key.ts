import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** The construct id of the stack's one log key, directly under the stack. */
const LOG_KEY_ID = 'LogKey';

/**
 * The customer-managed key that encrypts every CloudWatch log group of a stack (the functions' logs
 * and the APIs' access logs): rotated yearly and retained when the stack is deleted, like the logs.
 * Besides the account's administration (the default key policy), only CloudWatch Logs of the stack's
 * region may use it, and only for log groups of the stack's account and region, as AWS documents
 * for encrypting log data: the log groups' roles and the people who read logs need no permission on
 * it. The statement names no log group, so the key depends on none and every group may depend on it.
 *
 * One per stack, created by whichever log group asks first: {@link LogKey.of}.
 */
export class LogKey extends Construct {
  /** The stack's log key, created at the stack's root on first use. */
  static of(scope: Construct): IKey {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(LOG_KEY_ID);
    return (existing instanceof LogKey ? existing : new LogKey(stack, LOG_KEY_ID)).key;
  }

  readonly key: Key;

  private constructor(scope: Stack, id: string) {
    super(scope, id);
    const { account, region, partition } = scope;
    this.key = new Key(this, 'Key', {
      description: 'ticket-proxy: encrypts the CloudWatch log groups (function logs, API access logs)',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchLogsOfThisAccountAndRegion',
        principals: [new ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*`,
          },
        },
      }),
    );
  }
}
