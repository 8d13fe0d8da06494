import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { type AttributeValue, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGenericWebhookHandler, type Handler } from '../../functions/generic-webhook.ts';
import type { EmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { ConfigError, ErrorCode } from '../../lib/errors.ts';
import type { Runtime } from '../../lib/runtime/runtime.ts';
import { OutboxTracker } from '../../lib/tracker/outbox-tracker.ts';
import { signWebhook } from '../../lib/webhook/signature.ts';
import { embeddedPseudonymizer } from '../support/embedded.ts';
import { storedText } from '../support/stored-bytes.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();
const SECRET = 'local-test-secret';
let dynamo: EmbeddedDynamo;
let runtime: Runtime;
let outbox: OutboxTracker;
let handler: Handler;

beforeAll(async () => {
  const dir = await tempDir();
  const embedded = await embeddedPseudonymizer(dir);
  dynamo = embedded.dynamo;
  outbox = new OutboxTracker(join(dir, 'outbox.jsonl'));
  runtime = {
    pseudonymizer: embedded.pseudonymizer,
    retention: embedded.retention,
    vault: embedded.vault,
    tracker: outbox,
    webhookSecrets: { secretsFor: async (tenant) => (tenant === 'ballerup' ? [SECRET] : []) },
  };
  handler = createGenericWebhookHandler(() => runtime, new Logger({ logLevel: 'SILENT' }));
});
afterAll(() => dynamo.close());

const ticket = {
  tenant: 'ballerup',
  id: 'SD-1',
  summary: 'Borger 010190-1234',
  description: 'Skriv til jens@example.dk',
};

function event(
  body: string | Buffer,
  options: { tenant?: string; signature?: string; contentType?: string | null } = {},
): APIGatewayProxyEventV2 {
  const raw = Buffer.from(body);
  const headers: Record<string, string> = {
    'x-ticket-proxy-signature': options.signature ?? signWebhook(SECRET, raw),
  };
  if (options.contentType !== null) headers['content-type'] = options.contentType ?? 'application/json';
  return {
    pathParameters: { tenant: options.tenant ?? 'ballerup' },
    headers,
    body: raw.toString('base64'),
    isBase64Encoded: true,
  } as unknown as APIGatewayProxyEventV2;
}

let delivered = 0;
beforeEach(async () => {
  delivered = (await outbox.list()).length;
});
const newlyDelivered = async () => (await outbox.list()).slice(delivered);

describe('generic webhook handler', () => {
  it('accepts a signed ticket with 202 and delivers it sanitized', async () => {
    const result = await handler(event(JSON.stringify(ticket)));
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body ?? '')).toEqual({
      status: 'accepted',
      ticketId: 'SD-1',
      issueKey: expect.any(String),
    });
    const [entry] = await newlyDelivered();
    expect(entry?.ticket.summary).toMatch(/^Borger CPR_[A-Z2-7]{16}$/);
    expect(JSON.stringify(entry)).not.toMatch(/010190|jens@example/);
  });

  it('accepts a body API Gateway passes as plain text', async () => {
    const e = event(JSON.stringify(ticket));
    const result = await handler({ ...e, body: JSON.stringify(ticket), isBase64Encoded: false });
    expect(result.statusCode).toBe(202);
  });

  it.each<[string, { tenant?: string; signature?: string }]>([
    ['a wrong signature', { signature: signWebhook('wrong', Buffer.from(JSON.stringify(ticket))) }],
    ['no signature', { signature: '' }],
    ['a replayed signature', { signature: signWebhook(SECRET, Buffer.from(JSON.stringify(ticket)), 1_000) }],
    ['a tenant without a webhook', { tenant: 'egedal' }],
  ])('answers 401 to %s, and stores nothing', async (_case, options) => {
    const before = await storedText(dynamo.client);
    const unknownCpr = { ...ticket, summary: 'Borger 020285-5678' };
    const result = await handler(
      event(JSON.stringify({ ...unknownCpr, tenant: options.tenant ?? 'ballerup' }), options),
    );
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body ?? '').error.code).toBe(ErrorCode.SIGNATURE_INVALID);
    expect(await storedText(dynamo.client)).toBe(before);
    expect(await newlyDelivered()).toEqual([]);
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
  ])('answers %i %s to %s, and delivers nothing', async (status, code, _case, body) => {
    const result = await handler(event(body));
    expect(result.statusCode).toBe(status);
    const error = JSON.parse(result.body ?? '').error;
    expect(error.code).toBe(code);
    expect(error.message).not.toContain('0101901234');
    expect(await newlyDelivered()).toEqual([]);
  });

  it('answers 415 to a body that is not JSON', async () => {
    expect((await handler(event(JSON.stringify(ticket), { contentType: 'text/plain' }))).statusCode).toBe(
      415,
    );
    expect((await handler(event(JSON.stringify(ticket), { contentType: null }))).statusCode).toBe(202);
  });

  it('answers 404 to a tenant name that cannot exist', async () => {
    expect((await handler(event(JSON.stringify(ticket), { tenant: '../admin' }))).statusCode).toBe(404);
  });

  it('resolves a token collision rather than merging two people: the ticket still goes through', async () => {
    const collides = { ...ticket, id: 'SD-77', summary: 'Borger 030303-3333', description: '' };
    expect((await handler(event(JSON.stringify(collides)))).statusCode).toBe(202);
    const [first] = await newlyDelivered();
    // Make the stored token stand for another value, as a real collision would.
    const scan = await dynamo.client.send(new ScanCommand({ TableName: 'ticket-proxy-vault' }));
    for (const item of scan.Items ?? []) {
      if (item.sk?.S !== 'TOKEN') continue;
      await dynamo.client.send(
        new UpdateItemCommand({
          TableName: 'ticket-proxy-vault',
          Key: { pk: item.pk as AttributeValue, sk: item.sk },
          UpdateExpression: 'SET fp = :zero',
          ExpressionAttributeValues: { ':zero': { B: new Uint8Array(32) } },
        }),
      );
    }
    delivered = (await outbox.list()).length;
    expect((await handler(event(JSON.stringify(collides)))).statusCode).toBe(202);
    const [second] = await newlyDelivered();
    expect(second?.ticket.summary).toMatch(/^Borger CPR_[A-Z2-7]{16}$/);
    expect(second?.ticket.summary).not.toBe(first?.ticket.summary);
  });

  it('answers 500, not a retry-forever 503, when the function is misconfigured', async () => {
    const misconfigured = createGenericWebhookHandler(
      () => {
        throw new ConfigError('function environment is incomplete: KEY_ID');
      },
      new Logger({ logLevel: 'SILENT' }),
    );
    const result = await misconfigured(event(JSON.stringify(ticket)));
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body ?? '').error.code).toBe(ErrorCode.CONFIG_INVALID);
  });

  it('fails closed with a retryable 503 when the vault is down: nothing is delivered', async () => {
    const down = await embeddedPseudonymizer(await tempDir());
    await down.dynamo.close();
    const failing = createGenericWebhookHandler(
      () => ({ ...runtime, pseudonymizer: down.pseudonymizer }),
      new Logger({ logLevel: 'SILENT' }),
    );
    const result = await failing(event(JSON.stringify(ticket)));
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body ?? '').error.code).toBe(ErrorCode.VAULT_UNAVAILABLE);
    expect(await newlyDelivered()).toEqual([]);
  });
});
