import { Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AuditStore } from './audit-store.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';
import { TicketProxyFunction } from './ticket-proxy-function.ts';
import type { VaultStore } from './vault-store.ts';

export interface RetentionSweepProps {
  vault: VaultStore;
  /** Each ticket the sweep deletes is recorded here. */
  audit: AuditStore;
}

/**
 * Enforces retention every night: the sweep function forgets expired tickets and deletes tokens no
 * live ticket uses, recording each deleted ticket in the audit log. It holds no permission on the
 * master key: deleting an item is what destroys its data key.
 */
export class RetentionSweep extends Construct {
  readonly function: NodejsFunction;
  readonly schedule: Schedule;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: RetentionSweepProps) {
    super(scope, id);
    this.function = new TicketProxyFunction(this, 'Sweep', {
      entry: 'functions/retention-sweep.ts',
      failuresGoTo:
        'Invoked by EventBridge Scheduler, whose target retries three times and then sends the event to its own dead-letter queue.',
      timeout: Duration.minutes(15),
      environment: {
        VAULT_TABLE_NAME: props.vault.table.tableName,
        ...props.audit.environment,
        POWERTOOLS_SERVICE_NAME: 'retention-sweep',
      },
    }).function;
    props.vault.grantSweep(this.function);
    props.audit.grantAppend(this.function);

    this.deadLetters = deadLetterQueue(this, 'the sweep schedule');

    const invoker = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
    });
    const nightly = ScheduleExpression.cron({
      hour: '2',
      minute: '15',
      timeZone: TimeZone.of('Europe/Copenhagen'),
    });
    this.schedule = new Schedule(this, 'Nightly', {
      description: 'ticket-proxy retention sweep',
      schedule: nightly,
      target: new LambdaInvoke(this.function, {
        role: invoker,
        retryAttempts: 3,
        deadLetterQueue: this.deadLetters,
      }),
    });
    const functionId = Stack.of(this).getLogicalId(this.function.node.defaultChild as CfnFunction);
    Validations.of(invoker).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
      reason:
        'lambda:InvokeFunction on the sweep function and its versions only, as the LambdaInvoke target grants it.',
    });
  }
}
