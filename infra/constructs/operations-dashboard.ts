import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  Metric,
  Stats,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AccessMetric, METRICS_NAMESPACE } from '../../lib/access/access-metrics.ts';

export interface OperationsDashboardProps {
  webhookApi: HttpApi;
  staffApi: HttpApi;
  queue: Queue;
  deadLetterQueue: Queue;
  functions: Readonly<Record<string, NodejsFunction>>;
  alarms: readonly Alarm[];
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * One CloudWatch dashboard for the operator: every alarm's state, the webhook and staff APIs, the
 * sync queue, the functions, and staff re-identification. Counts only: no metric holds personal
 * data or user ids.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const fns = Object.entries(props.functions);
    const access = (metricName: string, label: string) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: 'staff-api' },
        period: FIVE_MINUTES,
        statistic: Stats.SUM,
        label,
      });
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: 'ticket-proxy',
      defaultInterval: Duration.days(1),
      widgets: [
        [new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24 })],
        [
          new GraphWidget({
            title: 'Servicedesk webhooks',
            left: [
              props.webhookApi.metricCount({ period: FIVE_MINUTES, label: 'requests' }),
              props.webhookApi.metricClientError({ period: FIVE_MINUTES, label: '4xx' }),
              props.webhookApi.metricServerError({ period: FIVE_MINUTES, label: '5xx' }),
            ],
            width: 8,
          }),
          new GraphWidget({
            title: 'Sync queue (jobs waiting, oldest age)',
            left: [
              props.queue.metricApproximateNumberOfMessagesVisible({
                period: FIVE_MINUTES,
                label: 'waiting',
              }),
              props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
                period: FIVE_MINUTES,
                label: 'dead letters',
              }),
            ],
            right: [
              props.queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, label: 'oldest (s)' }),
            ],
            width: 8,
          }),
          new GraphWidget({
            title: 'Staff API',
            left: [
              props.staffApi.metricCount({ period: FIVE_MINUTES, label: 'requests' }),
              props.staffApi.metricClientError({ period: FIVE_MINUTES, label: '4xx (refusals)' }),
              props.staffApi.metricServerError({ period: FIVE_MINUTES, label: '5xx' }),
            ],
            width: 8,
          }),
        ],
        [
          new GraphWidget({
            title: 'Re-identification',
            left: [
              access(AccessMetric.REQUESTS_DENIED, 'refused'),
              access(AccessMetric.USER_BLOCKED, 'users blocked'),
              access(AccessMetric.RATE_EXCEEDED, 'over tokens per hour'),
              access(AccessMetric.OUTSIDE_HOURS, 'outside working hours'),
            ],
            right: [
              new Metric({
                namespace: METRICS_NAMESPACE,
                metricName: AccessMetric.TOKENS_REIDENTIFIED,
                period: FIVE_MINUTES,
                statistic: Stats.SUM,
                label: 'tokens re-identified (all tenants)',
              }),
            ],
            width: 12,
          }),
          new GraphWidget({
            title: 'Function errors',
            left: fns.map(([name, fn]) =>
              fn.metricErrors({ period: FIVE_MINUTES, statistic: Stats.SUM, label: name }),
            ),
            width: 6,
          }),
          new GraphWidget({
            title: 'Function duration p99 (ms)',
            left: fns.map(([name, fn]) =>
              fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99', label: name }),
            ),
            width: 6,
          }),
        ],
      ],
    });
  }
}
