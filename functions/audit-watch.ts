import { Logger } from '@aws-lambda-powertools/logger';
import type { AttributeValue, Context, DynamoDBStreamEvent } from 'aws-lambda';
import { AccessMetric, type AccessMetrics } from '../lib/access/access-metrics.ts';
import { powertoolsMetrics } from '../lib/access/powertools-metrics.ts';
import { type AuditTableChange, tamperingIn } from '../lib/audit/audit-watch.ts';

/**
 * Reads the audit table's stream and raises the `AuditTampered` alarm for every change the
 * append-only log never makes itself. It logs which record and how, never a record's content.
 */
export function createAuditWatchHandler(
  metrics: AccessMetrics,
  logger: Logger = new Logger({ serviceName: 'audit-watch' }),
): (event: DynamoDBStreamEvent, context?: Context) => Promise<void> {
  return async (event, context) => {
    // The invocation's ids (function_request_id) on its lines; the watch appends no keys of its own.
    if (context) logger.addContext(context);
    const changes: AuditTableChange[] = event.Records.flatMap((r) => {
      const sk = r.dynamodb?.Keys?.sk?.S;
      if (!sk || !r.eventName) return [];
      const seq = (image: Record<string, AttributeValue> | undefined) =>
        image?.seq?.N === undefined ? undefined : Number(image.seq.N);
      return [
        {
          eventName: r.eventName,
          sk,
          oldSeq: seq(r.dynamodb?.OldImage),
          newSeq: seq(r.dynamodb?.NewImage),
          byTimeToLive:
            r.userIdentity?.type === 'Service' && r.userIdentity?.principalId === 'dynamodb.amazonaws.com',
        },
      ];
    });
    const tampering = tamperingIn(changes);
    for (const t of tampering) logger.error('audit log tampered with', { ...t });
    if (tampering.length > 0) metrics.count(AccessMetric.AUDIT_TAMPERED, tampering.length);
  };
}

export const handler = createAuditWatchHandler(powertoolsMetrics('audit-watch'));
