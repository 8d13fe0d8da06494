import { Duration } from 'aws-cdk-lib';
import { type Alarm, Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AccessMetric, METRICS_NAMESPACE } from '../../lib/access/access-metrics.ts';
import type { AuditStore } from './audit-store.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';
import type { OperatorAlarms } from './operator-alarms.ts';
import { TicketProxyFunction } from './ticket-proxy-function.ts';

export interface AuditWatchProps {
  audit: AuditStore;
  alarms: OperatorAlarms;
}

const SERVICE_NAME = 'audit-watch';

/**
 * Watches the audit table's stream. The functions that append records must be allowed PutItem, and
 * IAM cannot tell an append from an overwrite; the hash chain alone cannot tell a consistent rewrite
 * from the original. The stream sees every change, whoever makes it, so an overwritten, deleted or
 * rolled-back record raises the `AuditTampered` alarm within minutes. The watch itself can only read
 * the stream.
 */
export class AuditWatch extends Construct {
  readonly function: NodejsFunction;
  readonly deadLetters: Queue;
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: AuditWatchProps) {
    super(scope, id);
    this.function = new TicketProxyFunction(this, 'Watch', {
      entry: 'functions/audit-watch.ts',
      failuresGoTo:
        'Invoked by the DynamoDB stream event source mapping, which retries and then sends the failed batch to its on-failure destination queue.',
      environment: { POWERTOOLS_SERVICE_NAME: SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE },
    }).function;
    this.deadLetters = deadLetterQueue(this, 'the audit watch’s stream');
    this.function.addEventSource(
      new DynamoEventSource(props.audit.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        retryAttempts: 5,
        bisectBatchOnError: true,
        onFailure: new SqsDlq(this.deadLetters),
      }),
    );
    props.audit.tableKey.grantDecrypt(this.function);

    this.alarms = [
      props.alarms.alarmOnAny(
        this,
        'TamperedAlarm',
        new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: AccessMetric.AUDIT_TAMPERED,
          dimensionsMap: { service: SERVICE_NAME },
          period: Duration.minutes(5),
          statistic: Stats.SUM,
        }),
        'the audit table was changed other than by appending (a record overwritten, deleted or the head moved back). The audit-watch logs name the record; run audit verify and compare with a point-in-time restore.',
      ),
      props.alarms.alarmOnAny(
        this,
        'UnreadAlarm',
        this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
        'audit stream records the watch could not read went to its dead-letter queue.',
      ),
    ];
  }
}
