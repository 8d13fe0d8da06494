import type { APIGatewayProxyEventV2, Context, DynamoDBStreamEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAuditWatchHandler } from '../../functions/audit-watch.ts';
import { createJiraWebhookHandler } from '../../functions/jira-webhook.ts';
import { createJiraWriterHandler } from '../../functions/jira-writer.ts';
import { createServicedeskWebhookHandler } from '../../functions/servicedesk-webhook.ts';
import { createStaffApiHandler } from '../../functions/staff-api.ts';
import { auditKeys } from '../../lib/audit/audit-table.ts';
import { DependencyError, ErrorCode } from '../../lib/errors.ts';
import type { EmbeddedRuntime } from '../../lib/runtime/embedded.ts';
import { encodeJob, groupOf } from '../../lib/sync/job-queue.ts';
import { signWebhook } from '../../lib/webhook/signature.ts';
import { CapturedLogger } from '../support/captured-logger.ts';
import { TEST_WEBHOOK_SECRET as SECRET, takeJobs, testRuntime } from '../support/runtime.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();
let runtime: EmbeddedRuntime;

beforeAll(async () => {
  runtime = await testRuntime(await tempDir());
});
afterAll(() => runtime.close());

const CPR = '010190-1234';
const EMAIL = 'jens@example.dk';
const ticket = (id: string) => ({
  tenant: 'ballerup',
  id,
  summary: `Borger ${CPR}`,
  description: `Skriv til ${EMAIL}`,
});

/** A Lambda invocation's context, as the runtime passes it. */
const lambdaContext = (awsRequestId: string): Context => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'TicketProxy-Function',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-north-1:123456789012:function:TicketProxy-Function',
  memoryLimitInMB: '512',
  awsRequestId,
  logGroupName: '/aws/lambda/TicketProxy-Function',
  logStreamName: '2026/01/01/[$LATEST]0123456789abcdef',
  getRemainingTimeInMillis: () => 20_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** A webhook as API Gateway sends it: with its request id, unless `requestId` is undefined. */
function webhook(
  body: string,
  requestId: string | undefined,
  headers: Record<string, string> = {},
): APIGatewayProxyEventV2 {
  const raw = Buffer.from(body);
  return {
    routeKey: 'POST /webhooks/{servicedesk}/{tenant}',
    pathParameters: { tenant: 'ballerup', servicedesk: 'generic' },
    headers: {
      'content-type': 'application/json',
      'x-ticket-proxy-signature': signWebhook(SECRET, raw),
      ...headers,
    },
    body: raw.toString('base64'),
    isBase64Encoded: true,
    ...(requestId && { requestContext: { requestId, http: { method: 'POST' } } }),
  } as unknown as APIGatewayProxyEventV2;
}

const correlationIds = (lines: Record<string, unknown>[]) => lines.map((line) => line.correlation_id);

describe('correlation ids in the HTTP handlers’ logs', () => {
  it('puts the request id and the Lambda context on each line of the servicedesk webhook, and only its own', async () => {
    // As Lambda sets it for an on-demand function: Powertools reports the first invocation as a cold start.
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    const logger = new CapturedLogger({ serviceName: 'servicedesk-webhook' });
    vi.unstubAllEnvs();
    const handler = createServicedeskWebhookHandler(() => runtime, logger);

    expect(
      (await handler(webhook(JSON.stringify(ticket('SD-1')), 'req-1'), lambdaContext('aws-1'))).statusCode,
    ).toBe(202);
    const [queued, ...others] = logger.take();
    expect(others).toEqual([]);
    expect(queued).toMatchObject({
      message: 'ticket queued',
      correlation_id: 'req-1',
      function_request_id: 'aws-1',
      function_name: 'TicketProxy-Function',
      cold_start: true,
      tenant: 'ballerup',
      ticketId: 'SD-1',
    });

    // The next request: its own ids, nothing left of the first one's.
    const refused = webhook(JSON.stringify(ticket('SD-2')), 'req-2', { 'x-ticket-proxy-signature': 'v1=0' });
    expect((await handler(refused, lambdaContext('aws-2'))).statusCode).toBe(401);
    const lines = logger.take();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      message: 'webhook refused',
      correlation_id: 'req-2',
      function_request_id: 'aws-2',
      cold_start: false,
    });

    // A request without an id (the local server's tests, a bare event): no correlation id at all.
    await handler(webhook(JSON.stringify(ticket('SD-3')), undefined));
    const bare = logger.take();
    expect(bare).toHaveLength(1);
    expect(bare[0]).not.toHaveProperty('correlation_id');
    // The ids only: none of the ticket's personal data.
    await takeJobs(runtime);
    expect(JSON.stringify([queued, lines, bare])).not.toMatch(/010190|jens@example/);
  });

  it('clears the request id when the handler fails, so an unrelated line after it carries none', async () => {
    const logger = new CapturedLogger({ serviceName: 'servicedesk-webhook' });
    const handler = createServicedeskWebhookHandler(() => {
      throw new DependencyError(ErrorCode.VAULT_UNAVAILABLE, 'the vault is unreachable');
    }, logger);
    expect((await handler(webhook(JSON.stringify(ticket('SD-4')), 'req-4'))).statusCode).toBe(503);
    logger.info('between requests');
    expect(logger.take()).toEqual([
      expect.objectContaining({
        message: 'request failed',
        correlation_id: 'req-4',
        code: expect.any(String),
      }),
      expect.not.objectContaining({ correlation_id: expect.anything() }),
    ]);
  });

  it('puts the request id on the Jira webhook’s lines', async () => {
    const logger = new CapturedLogger({ serviceName: 'jira-webhook' });
    const handler = createJiraWebhookHandler(() => runtime, logger);
    const jira = (requestId: string) =>
      ({
        ...webhook('{"webhookEvent":"comment_created"}', requestId),
        routeKey: 'POST /webhooks/jira',
        headers: { 'content-type': 'application/json', 'x-hub-signature': 'sha256=00' },
      }) as APIGatewayProxyEventV2;
    expect((await handler(jira('jira-1'), lambdaContext('aws-3'))).statusCode).toBe(401);
    expect((await handler(jira('jira-2'), lambdaContext('aws-4'))).statusCode).toBe(401);
    const lines = logger.take();
    expect(lines.map((l) => l.message)).toEqual(['Jira webhook refused', 'Jira webhook refused']);
    expect(correlationIds(lines)).toEqual(['jira-1', 'jira-2']);
    expect(lines.map((l) => l.function_request_id)).toEqual(['aws-3', 'aws-4']);
  });

  it('puts the request id on the staff API’s lines', async () => {
    const logger = new CapturedLogger({ serviceName: 'staff-api' });
    const handler = createStaffApiHandler(() => runtime, logger);
    const me = (requestId: string) =>
      ({
        version: '2.0',
        routeKey: 'GET /me',
        rawPath: '/me',
        rawQueryString: '',
        headers: {},
        isBase64Encoded: false,
        requestContext: {
          requestId,
          http: { method: 'GET', path: '/me' },
          authorizer: { jwt: { claims: { sub: 'alice', amr: ['mfa'] }, scopes: [] } },
        },
      }) as unknown as APIGatewayProxyEventV2;
    expect((await handler(me('staff-1'), lambdaContext('aws-5'))).statusCode).toBe(200);
    expect((await handler(me('staff-2'))).statusCode).toBe(200);
    const lines = logger.take();
    expect(lines).toEqual([
      expect.objectContaining({ message: 'staff request', route: 'GET /me', correlation_id: 'staff-1' }),
      expect.objectContaining({ message: 'staff request', route: 'GET /me', correlation_id: 'staff-2' }),
    ]);
  });
});

describe('ids in the Jira writer’s logs', () => {
  const record = (messageId: string, body: string, group: string): SQSRecord => ({
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
      MessageGroupId: group,
      MessageDeduplicationId: messageId,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-north-1:123456789012:sync.fifo',
    awsRegion: 'eu-north-1',
  });

  it('puts each record’s message id next to the job’s ids, and the invocation’s context on every line', async () => {
    const logger = new CapturedLogger({ serviceName: 'jira-writer' });
    const writer = createJiraWriterHandler(() => runtime, logger);
    const handler = createServicedeskWebhookHandler(() => runtime, new CapturedLogger());
    await takeJobs(runtime);
    await handler(webhook(JSON.stringify(ticket('SD-5')), 'req-5'));
    const [job] = await takeJobs(runtime);
    if (!job) throw new Error('no job queued');

    const result = await writer(
      {
        Records: [
          record('msg-bad', 'not a job', 'ballerup/other'),
          record('msg-job', encodeJob(job), groupOf(job)),
        ],
      },
      lambdaContext('aws-6'),
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'msg-bad' }]);
    const lines = logger.take();
    expect(lines).toEqual([
      expect.objectContaining({ message: 'message is not a job', messageId: 'msg-bad' }),
      expect.objectContaining({
        message: 'job written',
        messageId: 'msg-job',
        tenant: 'ballerup',
        ticketId: 'SD-5',
        eventId: job.eventId,
      }),
    ]);
    for (const line of lines) expect(line).toMatchObject({ function_request_id: 'aws-6' });
    expect(JSON.stringify(lines)).not.toMatch(/010190|jens@example/);

    // After the invocation no message id is left on the logger.
    logger.info('between invocations');
    expect(logger.take()[0]).not.toHaveProperty('messageId');
  });
});

describe('the Lambda context in the audit watch’s logs', () => {
  it('names the invocation on its lines', async () => {
    const logger = new CapturedLogger({ serviceName: 'audit-watch' });
    const handler = createAuditWatchHandler({ count: () => undefined }, logger);
    const { pk, sk } = auditKeys.record(3);
    const removed = {
      Records: [
        {
          eventName: 'REMOVE',
          dynamodb: { Keys: { pk: { S: pk }, sk: { S: sk } }, OldImage: { seq: { N: '3' } } },
        },
      ],
    } as unknown as DynamoDBStreamEvent;
    await handler(removed, lambdaContext('aws-7'));
    expect(logger.take()).toEqual([
      expect.objectContaining({ message: 'audit log tampered with', function_request_id: 'aws-7' }),
    ]);
  });
});
