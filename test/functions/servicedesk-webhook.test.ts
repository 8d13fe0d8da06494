import { type AttributeValue, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServicedeskWebhookHandler } from '../../functions/servicedesk-webhook.ts';
import type { HttpHandler } from '../../functions/support/http.ts';
import { ConfigError, DependencyError, ErrorCode } from '../../lib/errors.ts';
import type { EmbeddedRuntime } from '../../lib/runtime/embedded.ts';
import { signWebhook } from '../../lib/webhook/signature.ts';
import { embeddedPseudonymizer } from '../support/embedded.ts';
import { TEST_WEBHOOK_SECRET as SECRET, silent, takeJobs, testRuntime } from '../support/runtime.ts';
import { storedText } from '../support/stored-bytes.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();
let runtime: EmbeddedRuntime;
let handler: HttpHandler;

beforeAll(async () => {
  runtime = await testRuntime(await tempDir(), {
    ballerup: {},
    egedal: { servicedesk: { type: 'zendesk' } },
  });
  handler = createServicedeskWebhookHandler(() => runtime, silent());
});
afterAll(() => runtime.close());

const ticket = {
  tenant: 'ballerup',
  id: 'SD-1',
  summary: 'Borger 010190-1234',
  description: 'Skriv til jens@example.dk',
};

function event(
  body: string | Buffer,
  options: { tenant?: string; servicedesk?: string; signature?: string; contentType?: string | null } = {},
): APIGatewayProxyEventV2 {
  const raw = Buffer.from(body);
  const headers: Record<string, string> = {
    'x-ticket-proxy-signature': options.signature ?? signWebhook(SECRET, raw),
  };
  if (options.contentType !== null) headers['content-type'] = options.contentType ?? 'application/json';
  return {
    pathParameters: { tenant: options.tenant ?? 'ballerup', servicedesk: options.servicedesk ?? 'generic' },
    headers,
    body: raw.toString('base64'),
    isBase64Encoded: true,
  } as unknown as APIGatewayProxyEventV2;
}

describe('servicedesk webhook handler', () => {
  it('accepts a signed ticket with 202 and queues only the sanitized job', async () => {
    const result = await handler(event(JSON.stringify(ticket)));
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body ?? '')).toEqual({
      status: 'accepted',
      ticketId: 'SD-1',
      eventId: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const [job] = await takeJobs(runtime);
    expect(job?.ticket.summary).toMatch(/^Borger CPR_[A-Z2-7]{16}$/);
    expect(job?.expiresAt).toMatch(/^20\d\d-/);
    expect(JSON.stringify(job)).not.toMatch(/010190|jens@example/);
  });

  it('gives a redelivered webhook the same event id, and the same ticket sent again later a new one', async () => {
    const body = JSON.stringify({ ...ticket, id: 'SD-2' });
    const delivery = event(body);
    const first = JSON.parse((await handler(delivery)).body ?? '');
    const second = JSON.parse((await handler(delivery)).body ?? '');
    expect(second.eventId).toBe(first.eventId);
    expect(await takeJobs(runtime)).toHaveLength(1);
    const later = signWebhook(SECRET, Buffer.from(body), Math.floor(Date.now() / 1000) + 1);
    const third = JSON.parse((await handler(event(body, { signature: later }))).body ?? '');
    expect(third.eventId).not.toBe(first.eventId);
    expect(await takeJobs(runtime)).toHaveLength(1);
  });

  it('accepts a body API Gateway passes as plain text', async () => {
    const e = event(JSON.stringify(ticket));
    expect((await handler({ ...e, body: JSON.stringify(ticket), isBase64Encoded: false })).statusCode).toBe(
      202,
    );
    await takeJobs(runtime);
  });

  it.each<[string, { signature?: string }]>([
    [
      'a wrong signature',
      { signature: signWebhook('wrong-secret-0123456789', Buffer.from(JSON.stringify(ticket))) },
    ],
    ['no signature', { signature: '' }],
    ['a replayed signature', { signature: signWebhook(SECRET, Buffer.from(JSON.stringify(ticket)), 1_000) }],
  ])('answers 401 to %s, and stores and queues nothing', async (_case, options) => {
    const before = await storedText(runtime.dynamo.client);
    const result = await handler(
      event(JSON.stringify({ ...ticket, summary: 'Borger 020285-5678' }), options),
    );
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body ?? '').error.code).toBe(ErrorCode.SIGNATURE_INVALID);
    expect(await storedText(runtime.dynamo.client)).toBe(before);
    expect(await takeJobs(runtime)).toEqual([]);
  });

  it.each([
    [400, 'INVALID_TICKET', 'malformed JSON', '{"tenant":"ballerup",'],
    [400, 'INVALID_TICKET', 'an unknown field', JSON.stringify({ ...ticket, cpr: '0101901234' })],
    [400, 'INVALID_TICKET', 'another tenant in the body', JSON.stringify({ ...ticket, tenant: 'egedal' })],
    [400, 'INVALID_TICKET', 'invalid UTF-8', Buffer.from([0x7b, 0xc3, 0x28, 0x7d])],
    [
      413,
      'TICKET_TOO_LARGE',
      'a body over 1 MiB',
      JSON.stringify({ ...ticket, description: 'x'.repeat(1_100_000) }),
    ],
  ])('answers %i %s to %s, and queues nothing', async (status, code, _case, body) => {
    const before = await storedText(runtime.dynamo.client);
    const result = await handler(event(body));
    expect(result.statusCode).toBe(status);
    const error = JSON.parse(result.body ?? '').error;
    expect(error.code).toBe(code);
    expect(error.message).not.toContain('0101901234');
    expect(await storedText(runtime.dynamo.client)).toBe(before);
    expect(await takeJobs(runtime)).toEqual([]);
  });

  it('answers 415 to a body that is not JSON', async () => {
    expect((await handler(event(JSON.stringify(ticket), { contentType: 'text/plain' }))).statusCode).toBe(
      415,
    );
    expect((await handler(event(JSON.stringify(ticket), { contentType: null }))).statusCode).toBe(202);
    await takeJobs(runtime);
  });

  it.each([
    ['a tenant that is not configured', { tenant: 'furesoe' }],
    ['a tenant name that cannot exist', { tenant: '../admin' }],
    ['a servicedesk the tenant does not use', { servicedesk: 'zendesk' }],
    ['a servicedesk that does not exist', { servicedesk: 'topdesk' }],
  ])('answers 404 to %s', async (_case, options) => {
    expect((await handler(event(JSON.stringify(ticket), options))).statusCode).toBe(404);
  });

  it('resolves a token collision rather than merging two people: the ticket still goes through', async () => {
    const collides = { ...ticket, id: 'SD-77', summary: 'Borger 030303-3333', description: '' };
    expect((await handler(event(JSON.stringify(collides)))).statusCode).toBe(202);
    const [first] = await takeJobs(runtime);
    // Make the stored token stand for another value, as a real collision would.
    const scan = await runtime.dynamo.client.send(new ScanCommand({ TableName: 'ticket-proxy-vault' }));
    for (const item of scan.Items ?? []) {
      if (item.sk?.S !== 'TOKEN') continue;
      await runtime.dynamo.client.send(
        new UpdateItemCommand({
          TableName: 'ticket-proxy-vault',
          Key: { pk: item.pk as AttributeValue, sk: item.sk },
          UpdateExpression: 'SET fp = :zero',
          ExpressionAttributeValues: { ':zero': { B: new Uint8Array(32) } },
        }),
      );
    }
    expect((await handler(event(JSON.stringify({ ...collides, status: 'open' })))).statusCode).toBe(202);
    const [second] = await takeJobs(runtime);
    expect(second?.ticket.summary).toMatch(/^Borger CPR_[A-Z2-7]{16}$/);
    expect(second?.ticket.summary).not.toBe(first?.ticket.summary);
  });

  it('answers 500, not a retry-forever 503, when the function is misconfigured', async () => {
    const misconfigured = createServicedeskWebhookHandler(() => {
      throw new ConfigError('function environment is incomplete: KEY_ID');
    }, silent());
    const result = await misconfigured(event(JSON.stringify(ticket)));
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body ?? '').error.code).toBe(ErrorCode.CONFIG_INVALID);
  });

  it('fails closed with a retryable 503 when the vault is down: nothing is queued', async () => {
    const down = await embeddedPseudonymizer(await tempDir());
    await down.dynamo.close();
    const failing = createServicedeskWebhookHandler(
      () => Object.assign(Object.create(runtime), { pseudonymizer: down.pseudonymizer }),
      silent(),
    );
    const result = await failing(event(JSON.stringify({ ...ticket, id: 'SD-DOWN' })));
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body ?? '').error.code).toBe(ErrorCode.VAULT_UNAVAILABLE);
    expect(await takeJobs(runtime)).toEqual([]);
  });

  it('fails closed with a retryable 503 when the queue is down', async () => {
    const failing = createServicedeskWebhookHandler(
      () =>
        Object.assign(Object.create(runtime), {
          queue: {
            enqueue: () => Promise.reject(new DependencyError(ErrorCode.QUEUE_UNAVAILABLE, 'SQS is down')),
          },
        }),
      silent(),
    );
    const result = await failing(event(JSON.stringify(ticket)));
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body ?? '').error.code).toBe(ErrorCode.QUEUE_UNAVAILABLE);
  });
});
