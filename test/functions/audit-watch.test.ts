import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createAuditWatchHandler } from '../../functions/audit-watch.ts';
import type { AccessMetric } from '../../lib/access/access-metrics.ts';
import { auditKeys } from '../../lib/audit/audit-table.ts';

/** A stream record as DynamoDB delivers it (NEW_AND_OLD_IMAGES). */
function streamRecord(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  seq: number | 'HEAD',
  images: { old?: number; new?: number } = {},
  ttl = false,
) {
  const sk = seq === 'HEAD' ? auditKeys.head.sk : auditKeys.record(seq).sk;
  const image = (n: number | undefined) =>
    n === undefined
      ? undefined
      : { pk: { S: 'CHAIN' }, sk: { S: sk }, seq: { N: String(n) }, purpose: { S: 'Borgeren ringede' } };
  return {
    eventName,
    dynamodb: {
      Keys: { pk: { S: 'CHAIN' }, sk: { S: sk } },
      OldImage: image(images.old),
      NewImage: image(images.new),
    },
    ...(ttl && { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } }),
  };
}

function watch() {
  const counted: [AccessMetric, number][] = [];
  const logger = new Logger({ serviceName: 'audit-watch', logLevel: 'SILENT' });
  const handler = createAuditWatchHandler(
    { count: (metric, value) => counted.push([metric, value]) },
    logger,
  );
  return { handler, counted };
}

describe('audit watch handler (DynamoDB stream)', () => {
  it('stays quiet for appends, the head moving on and TTL deletions', async () => {
    const { handler, counted } = watch();
    await handler({
      Records: [
        streamRecord('INSERT', 12, { new: 12 }),
        streamRecord('MODIFY', 'HEAD', { old: 11, new: 12 }),
        streamRecord('REMOVE', 1, { old: 1 }, true),
      ],
    } as unknown as DynamoDBStreamEvent);
    expect(counted).toEqual([]);
  });

  it('raises AuditTampered for a record rewritten in place, as a consistent rewrite of the chain would be', async () => {
    // What someone holding an appending role can do: put records over old ones (hashes recomputed)
    // and the head back. `audit verify` cannot tell; the stream can.
    const { handler, counted } = watch();
    await handler({
      Records: [
        streamRecord('MODIFY', 1, { old: 1, new: 1 }),
        streamRecord('MODIFY', 2, { old: 2, new: 2 }),
        streamRecord('MODIFY', 'HEAD', { old: 2, new: 2 }),
        streamRecord('REMOVE', 3, { old: 3 }),
      ],
    } as unknown as DynamoDBStreamEvent);
    expect(counted).toEqual([['AuditTampered', 4]]);
  });
});
