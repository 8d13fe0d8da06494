import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { type AccessMetric, type AccessMetrics, METRICS_NAMESPACE } from './access-metrics.ts';

/**
 * Access metrics as CloudWatch embedded metric format on the function's log (Powertools). Each count
 * is its own single metric, published at once, so its dimensions are exactly `service` and, where
 * given, `tenant`: the alarms in the stack watch those.
 */
export function powertoolsMetrics(serviceName: string): AccessMetrics {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName });
  return {
    count(metric: AccessMetric, value: number, dimensions?: { tenant: string }) {
      const single = metrics.singleMetric();
      if (dimensions) single.addDimension('tenant', dimensions.tenant);
      single.addMetric(metric, MetricUnit.Count, value);
    },
  };
}
