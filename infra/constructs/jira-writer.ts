import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import type { DeploymentTenants } from '../deployment-tenants.ts';
import type { JiraConnection } from './jira-connection.ts';
import type { OperatorAlarms } from './operator-alarms.ts';
import type { SyncQueue } from './sync-queue.ts';
import { TicketProxyFunction } from './ticket-proxy-function.ts';
import type { VaultStore } from './vault-store.ts';

export interface JiraWriterProps {
  queue: SyncQueue;
  vault: VaultStore;
  jira: JiraConnection;
  tenants: DeploymentTenants;
  alarms: OperatorAlarms;
  /** A batch of ten jobs, each a few Jira calls with their retries. @default 3 minutes */
  timeout?: Duration;
  /**
   * Writers at most at a time: Jira Cloud rate-limits per account, and a burst of tickets should
   * queue up here rather than be refused there.
   * @default 5
   */
  concurrency?: number;
}

/**
 * Writes sanitized jobs from the sync queue to Jira, a ticket's jobs in order. A job that fails is
 * reported back alone (partial batch response) and retried; after its last attempt it waits in the
 * dead-letter queue. The writer sees only sanitized jobs: it cannot read a token or use the vault's keys.
 */
export class JiraWriter extends Construct {
  readonly function: NodejsFunction;
  readonly errorsAlarm: Alarm;

  constructor(scope: Construct, id: string, props: JiraWriterProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.minutes(3);
    const concurrency = props.concurrency ?? 5;
    if (!Number.isInteger(concurrency) || concurrency < 2) {
      throw new Error(
        `The Jira writer's concurrency must be a whole number of at least 2 (an SQS event source polls with at least two), not ${concurrency}`,
      );
    }
    if (props.queue.visibilityTimeout.toSeconds() < 6 * timeout.toSeconds()) {
      throw new Error(
        `The sync queue's visibility timeout (${props.queue.visibilityTimeout.toSeconds()} s) must be at least six times the Jira writer's timeout (${timeout.toSeconds()} s), or jobs still being written are handed out again.`,
      );
    }
    this.function = new TicketProxyFunction(this, 'Writer', {
      entry: 'functions/jira-writer.ts',
      files: props.tenants.files,
      failuresGoTo:
        'Invoked by the SQS event source mapping: a failed job returns to the FIFO queue, whose redrive policy moves it to the dead-letter queue after five receives.',
      timeout,
      reservedConcurrentExecutions: concurrency,
      environment: {
        VAULT_TABLE_NAME: props.vault.table.tableName,
        KEY_ID: props.vault.masterKey.keyArn,
        ...props.tenants.environment,
        JIRA_SECRET_ARN: props.jira.secret.secretArn,
        POWERTOOLS_SERVICE_NAME: 'jira-writer',
      },
    }).function;
    props.vault.grantDelivery(this.function);
    props.jira.grantRead(this.function);
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'SQS event source mappings take no on-failure destination: failed jobs stay on the queue, whose redrive policy moves them to the dead-letter queue (alarmed).',
    });
    this.function.addEventSource(
      new SqsEventSource(props.queue.queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        // No more pollers than reserved writers: a throttled poll would count as a failed delivery.
        maxConcurrency: concurrency,
      }),
    );

    this.errorsAlarm = new Alarm(this, 'ErrorsAlarm', {
      alarmDescription:
        'ticket-proxy: the Jira writer failed whole batches (Jira unreachable, the ticket-proxy/jira secret not filled in, or a timeout). Jobs are retried and end in the dead-letter queue if this lasts.',
      metric: this.function.metricErrors({ period: Duration.minutes(5), statistic: Stats.SUM }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    props.alarms.notifyOn(this.errorsAlarm);
  }
}
