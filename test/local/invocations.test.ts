import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, expect, it, vi } from 'vitest';
import { withRequestIds } from '../../functions/support/logging.ts';
import { ownInvocations } from '../../lib/local/invocations.ts';
import { CapturedLogger } from '../support/captured-logger.ts';

// As on a machine without Lambda's variables; put back afterwards for the other files of this worker.
vi.stubEnv('AWS_LAMBDA_MAX_CONCURRENCY', undefined);
afterAll(() => vi.unstubAllEnvs());

const event = (requestId: string) => ({ requestContext: { requestId } }) as unknown as APIGatewayProxyEventV2;

it('keeps the correlation id of each of overlapping requests on its own lines, and none on a job’s', async () => {
  const logger = new CapturedLogger({ serviceName: 'ticket-proxy-local' });
  const own = await ownInvocations();
  let release = () => {};
  const slow = new Promise<void>((resolve) => {
    release = resolve;
  });
  const handler = own(
    withRequestIds(logger, async (e) => {
      logger.info('received');
      if (e.requestContext.requestId === 'first') await slow;
      logger.info('answered');
      return { statusCode: 200 };
    }),
  );

  const first = handler(event('first'));
  expect(await handler(event('second'))).toEqual({ statusCode: 200 });
  await own(async () => logger.info('job done'))();
  release();
  await first;
  logger.info('idle');

  expect(logger.take().map((line) => [line.message, line.correlation_id])).toEqual([
    ['received', 'first'],
    ['received', 'second'],
    ['answered', 'second'],
    ['job done', undefined],
    ['answered', 'first'],
    ['idle', undefined],
  ]);
});
