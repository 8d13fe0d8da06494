import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJiraWriterHandler } from '../../functions/jira-writer.ts';
import { createServicedeskWebhookHandler } from '../../functions/servicedesk-webhook.ts';
import { type EmbeddedDynamo, openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { awsRuntime } from '../../lib/runtime/aws.ts';
import type { Runtime } from '../../lib/runtime/runtime.ts';
import { decodeJob } from '../../lib/sync/job-queue.ts';
import { FakeJira } from '../support/fake-jira.ts';
import { FakeKms } from '../support/fake-kms.ts';
import { FakeSecretsManager } from '../support/fake-secrets-manager.ts';
import { FakeSqs } from '../support/fake-sqs.ts';
import {
  commentIds,
  deliverUntilSettled,
  issuesOf,
  plantedIn,
  signedEvent,
  ticketTokens,
  type VaultItem,
  vaultItems,
  vaultViolations,
} from '../support/fault-checks.ts';
import { TcpFaultProxy } from '../support/fault-proxies.ts';
import { type DynamoRequest, dynamoOperation, InterceptingProxy } from '../support/intercepting-proxy.ts';
import { pointLambdaAt } from '../support/lambda-env.ts';
import type { LoopbackReply } from '../support/loopback-server.ts';
import { silent } from '../support/runtime.ts';
import { storedText } from '../support/stored-bytes.ts';
import { type PlantedTicket, plantedTickets } from '../support/tickets.ts';

// The AWS runtime's own dependencies failing, on the path the deployed functions run:
// lib/runtime/aws.ts with the real AWS SDK clients, the KMS key ring (lib/keys/kms-key-ring.ts) and
// the DynamoDB vault (lib/vault/dynamo-token-vault.ts), over loopback to
// - a fake KMS that binds the encryption context like KMS does, behind a TCP proxy that refuses,
//   resets or never answers connections;
// - dynalite, behind an HTTP proxy that answers chosen requests as DynamoDB does under load
//   (ProvisionedThroughputExceededException, ThrottlingException, or a batch only partly written);
// - loopback SQS FIFO, Secrets Manager and Jira fakes.
// Every webhook is handled by a cold function (a fresh runtime), which needs KMS for the tenant's
// token key and a value key; a warm one needs no KMS call per ticket (test/runtime/aws.test.ts).

/** A fake KMS that can fail chosen calls with KMS's own 500 (KMSInternalException). */
class FlakyKms extends FakeKms {
  /** The next this many calls fail. */
  failNext = 0;
  /** Calls this returns true for fail, for as long as it is set. */
  failWhen: ((operation: string, purpose: string | undefined) => boolean) | undefined;

  protected override handle(req: IncomingMessage, raw: string): LoopbackReply {
    const operation = String(req.headers['x-amz-target'] ?? '').replace('TrentService.', '');
    const context = (JSON.parse(raw || '{}') as { EncryptionContext?: Record<string, string> })
      .EncryptionContext;
    if (this.failNext > 0 || this.failWhen?.(operation, context?.purpose)) {
      if (this.failNext > 0) this.failNext--;
      this.calls.push({ operation, context: context ?? {} });
      return { status: 500, body: { __type: 'KMSInternalException', message: 'injected failure' } };
    }
    return super.handle(req, raw);
  }
}

type Throttle = 'ProvisionedThroughputExceededException' | 'ThrottlingException' | 'UnprocessedItems';

/** What DynamoDB says when it throttles (HTTP 400, its JSON error body). */
const THROTTLED: Record<Exclude<Throttle, 'UnprocessedItems'>, { __type: string; message: string }> = {
  ProvisionedThroughputExceededException: {
    __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message:
      'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  },
  ThrottlingException: {
    __type: 'com.amazon.coral.availability#ThrottlingException',
    message: 'Rate of requests exceeds the allowed throughput.',
  },
};

interface ThrottleRule {
  when: (request: DynamoRequest) => boolean;
  answer: Throttle;
  /** Requests it applies to. */
  times: number;
  /** For UnprocessedItems: the share of the batch DynamoDB writes before handing the rest back. */
  writes?: 'half' | 'none';
}

/**
 * The intercepting proxy between the vault's DynamoDB client and dynalite, answering the requests a
 * rule matches as a throttled DynamoDB does: an error (HTTP 400), or for BatchWriteItem a 200 that
 * wrote part of the batch (or none of it) and hands the rest back as UnprocessedItems.
 */
class ThrottlingProxy extends InterceptingProxy {
  readonly rules: ThrottleRule[] = [];
  readonly answered: { operation: string; answer: Throttle }[] = [];
  throttleOn(
    when: ThrottleRule['when'],
    answer: Throttle,
    times = Number.POSITIVE_INFINITY,
    writes?: 'half',
  ): this {
    this.rules.push({ when, answer, times, writes });
    return this;
  }

  protected override async handle(req: IncomingMessage, raw: string): Promise<LoopbackReply> {
    const operation = dynamoOperation(req);
    const body = JSON.parse(raw || '{}') as DynamoRequest['body'] & {
      RequestItems?: Record<string, unknown[]>;
    };
    const rule = this.rules.find((r) => r.times > 0 && r.when({ operation, body }));
    if (!rule) return super.handle(req, raw);
    rule.times--;
    this.answered.push({ operation, answer: rule.answer });
    if (rule.answer !== 'UnprocessedItems') return { status: 400, body: THROTTLED[rule.answer] };
    const [table, requests] = Object.entries(body.RequestItems ?? {})[0] ?? ['', []];
    const written = rule.writes === 'half' ? requests.slice(0, Math.ceil(requests.length / 2)) : [];
    const left = requests.slice(written.length);
    if (written.length > 0) {
      const part = JSON.stringify({ ...body, RequestItems: { [table]: written } });
      req.headers['content-length'] = String(Buffer.byteLength(part));
      const reply = await super.handle(req, part);
      if (reply.status !== 200) return reply;
    }
    return { status: 200, body: { UnprocessedItems: { [table]: left } } };
  }
}

const SECRET = 'k'.repeat(48);
const TENANTS = [
  'ballerup',
  'egedal',
  'furesoe',
  'gladsaxe',
  'herlev',
  'ishoej',
  'albertslund',
  'roedovre',
  'taarnby',
  'hvidovre',
  'lyngby',
  'vallensbaek',
] as const;
let dynamo: EmbeddedDynamo;
let dynamoProxy: ThrottlingProxy;
const kms = new FlakyKms();
let kmsEdge: TcpFaultProxy;
/** The KMS endpoint of one cold function that meets a KMS that never answers, for the whole file. */
let silentKms: TcpFaultProxy;
let silentKmsSince = 0;
let silentKmsCall: Promise<APIGatewayProxyStructuredResultV2> | undefined;
const secrets = new FakeSecretsManager();
const jira = new FakeJira();
const sqs = new FakeSqs();
const savedEnv = { ...process.env };
const planted: PlantedTicket[] = [];

beforeAll(async () => {
  [dynamo] = await Promise.all([
    openEmbeddedDynamo(),
    kms.start(),
    secrets.start(),
    jira.start(),
    sqs.start(),
  ]);
  [dynamoProxy, kmsEdge, silentKms] = await Promise.all([
    new ThrottlingProxy(dynamo.endpoint).start(),
    new TcpFaultProxy(kms.url).start(),
    new TcpFaultProxy(kms.url).start(),
  ]);
  await silentKms.set('hang');
  pointLambdaAt({
    dynamo: dynamoProxy.url,
    kms: silentKms.url,
    keyId: kms.keyId,
    secrets,
    sqs: sqs.url,
    jira: jira.url,
    tenants: Object.fromEntries(TENANTS.map((t) => [t, SECRET])),
  });
  // One cold function meets a KMS that accepts the connection and never answers; its outcome is
  // read at the end of the file (the test for it waits out the function's 20 s timeout meanwhile).
  // The SDK reads the endpoint at a client's first request: once that request hangs, every other
  // function gets the working KMS.
  silentKmsCall = coldFunction().handle(signedEvent(SECRET, newTicket('taarnby', 9).ticket));
  silentKmsSince = Date.now();
  await waitFor(() => silentKms.accepted.hang > 0);
  process.env.AWS_ENDPOINT_URL_KMS = kmsEdge.url;
  // ballerup has had tickets before: a cold function unwraps its stored token key (KMS Decrypt).
  expect(
    (await coldFunction().handle(signedEvent(SECRET, newTicket('ballerup', 100).ticket))).statusCode,
  ).toBe(202);
});

afterAll(async () => {
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
  await silentKms.stop();
  await silentKmsCall;
  await Promise.all([
    dynamoProxy.stop(),
    kms.stop(),
    kmsEdge.stop(),
    secrets.stop(),
    jira.stop(),
    sqs.stop(),
  ]);
  await dynamo.close();
});

/** A freshly started webhook function and its runtime: nothing cached, so it needs KMS. */
function coldFunction() {
  let runtime: Runtime | undefined;
  const runtimeOf = () => {
    runtime ??= awsRuntime();
    return runtime;
  };
  return { handle: createServicedeskWebhookHandler(runtimeOf, silent()), runtime: runtimeOf };
}

/** The Jira writer function (SQS FIFO, Powertools batch), one runtime for its life. */
function writerFunction() {
  let runtime: Runtime | undefined;
  return createJiraWriterHandler(() => {
    runtime ??= awsRuntime();
    return runtime;
  }, silent());
}

/** A new ticket with planted personal data for `tenant`, with an id of its own. */
function newTicket(tenant: string, seed: number): PlantedTicket {
  const [planting] = plantedTickets(1, seed, tenant);
  if (!planting) throw new Error('no ticket');
  const ticket = { ...planting, ticket: { ...planting.ticket, id: `SD-F${seed}` } };
  planted.push(ticket);
  return ticket;
}

/** Every job SQS was given, also after the writer took it: for the leak search at the end. */
const everQueued: string[] = [];
/** The jobs waiting, as SQS hands them to the writer; they leave the queue. */
function takeQueued(): SQSRecord[] {
  const records = sqs.take().Records;
  everQueued.push(...records.map((r) => r.body));
  return records;
}
let seeds = 1000;

const queuedFor = (ticket: PlantedTicket) =>
  sqs.messages.filter((m) => {
    const job = decodeJob(m.body);
    return job.tenant === ticket.ticket.tenant && job.ticketId === ticket.ticket.id;
  });

const tokenItems = (items: VaultItem[]) => items.filter((i) => i.sk?.S === 'TOKEN').length;

/** What {@link expectFailedClosed} compares with. */
const snapshot = async () => ({
  jiraRequests: jira.requests.length,
  tokens: tokenItems(await vaultItems(dynamo.client)),
});

/**
 * What must hold after a webhook failed for want of a dependency: a retryable 503 naming the code
 * and no value, nothing queued, nothing sent to Jira, and the vault's promise kept (every stored
 * token backed by its recorded ticket). `nothingStored`: the ticket is not recorded either.
 */
async function expectFailedClosed(
  result: { statusCode?: number; body?: string },
  ticket: PlantedTicket,
  before: { jiraRequests: number; tokens: number },
  code: string,
  nothingStored = true,
) {
  expect(result.statusCode).toBe(503);
  expect(JSON.parse(result.body ?? '{}').error.code).toBe(code);
  expect(plantedIn(result.body ?? '', [ticket])).toEqual([]);
  expect(queuedFor(ticket)).toEqual([]);
  expect(jira.requests.length).toBe(before.jiraRequests);
  const items = await vaultItems(dynamo.client);
  expect(vaultViolations(items)).toEqual([]);
  if (nothingStored) {
    expect(ticketTokens(items, ticket.ticket.tenant, ticket.ticket.id)).toEqual({
      recorded: false,
      refs: [],
      stored: [],
    });
    expect(tokenItems(items)).toBe(before.tokens);
  }
}

/**
 * The dependency is back: the servicedesk's retry of the very same delivery is accepted, a second
 * retry too, and one job is queued (SQS FIFO deduplicates by the event id); every token the ticket
 * references is stored and reveals the value as the ticket wrote it; the Jira writer makes one issue
 * of it.
 */
async function expectRetryAcceptedOnce(
  fn: ReturnType<typeof coldFunction>,
  event: APIGatewayProxyEventV2,
  ticket: PlantedTicket,
) {
  expect((await fn.handle(event)).statusCode).toBe(202);
  expect((await fn.handle(event)).statusCode).toBe(202);
  expect(queuedFor(ticket)).toHaveLength(1);
  const items = await vaultItems(dynamo.client);
  const { recorded, refs, stored } = ticketTokens(items, ticket.ticket.tenant, ticket.ticket.id);
  expect(recorded).toBe(true);
  expect(refs.length).toBeGreaterThan(3);
  expect(stored.sort()).toEqual([...refs].sort());
  for (const token of refs) {
    // The value as first written in the ticket.
    const revealed = await fn.runtime().pseudonymizer.reveal(ticket.ticket.tenant, token);
    expect(revealed?.value.length).toBeGreaterThan(3);
    expect(JSON.stringify(ticket.ticket)).toContain(revealed?.value);
  }
  const delivery = await deliverUntilSettled(writerFunction(), takeQueued());
  expect(delivery.dead).toEqual([]);
  expect(issuesOf(jira, ticket.ticket.tenant, ticket.ticket.id)).toHaveLength(1);
  expect(vaultViolations(await vaultItems(dynamo.client))).toEqual([]);
}

describe('KMS unavailable: the webhook fails closed with a retryable 503', () => {
  it('KMS answering 500 to every call (a cold function, a tenant with tickets): 503, nothing stored or queued; once KMS is back the same delivery is accepted once', async () => {
    const ticket = newTicket('ballerup', 1);
    const event = signedEvent(SECRET, ticket.ticket);
    const before = await snapshot();
    const calls = kms.calls.length;
    kms.failWhen = () => true;
    const fn = coldFunction();
    try {
      await expectFailedClosed(await fn.handle(event), ticket, before, 'KEY_UNAVAILABLE');
      // The SDK retried within its limits (3 attempts), then gave up.
      expect(kms.calls.length - calls).toBeGreaterThanOrEqual(2);
      expect(kms.calls.slice(calls).every((c) => c.operation === 'Decrypt')).toBe(true);
    } finally {
      kms.failWhen = undefined;
    }
    await expectRetryAcceptedOnce(fn, event, ticket);
  });

  it('a brief KMS hiccup (two 500s) is retried inside the SDK: accepted at the first delivery', async () => {
    const ticket = newTicket('egedal', 2);
    kms.failNext = 2;
    const fn = coldFunction();
    expect((await fn.handle(signedEvent(SECRET, ticket.ticket))).statusCode).toBe(202);
    expect(kms.failNext).toBe(0);
    expect(queuedFor(ticket)).toHaveLength(1);
  });

  it('KMS failing between the token key and the value key (a new tenant): 503, only the wrapped token key is kept; then accepted once', async () => {
    const ticket = newTicket('furesoe', 3);
    const event = signedEvent(SECRET, ticket.ticket);
    const before = await snapshot();
    kms.failWhen = (operation, purpose) => operation === 'GenerateDataKey' && purpose === 'value-encryption';
    const fn = coldFunction();
    try {
      await expectFailedClosed(await fn.handle(event), ticket, before, 'KEY_UNAVAILABLE');
      const tenantItems = (await vaultItems(dynamo.client)).filter((i) => i.pk?.S?.includes('#furesoe'));
      expect(tenantItems.map((i) => `${i.pk?.S}/${i.sk?.S}`)).toEqual([
        'TENANT#furesoe/KEY#token-derivation',
      ]);
    } finally {
      kms.failWhen = undefined;
    }
    await expectRetryAcceptedOnce(fn, event, ticket);
  });

  it.each([
    ['refuses connections', 'refuse', 'gladsaxe', 4],
    ['resets every connection', 'reset', 'herlev', 5],
  ] as const)(
    'KMS that %s: 503, nothing stored or queued; once KMS is back the same delivery is accepted once',
    async (_, mode, tenant, seed) => {
      const ticket = newTicket(tenant, seed);
      const event = signedEvent(SECRET, ticket.ticket);
      const before = await snapshot();
      const accepted = kmsEdge.accepted[mode];
      await kmsEdge.set(mode);
      const fn = coldFunction();
      try {
        await expectFailedClosed(await fn.handle(event), ticket, before, 'KEY_UNAVAILABLE');
        if (mode === 'reset') expect(kmsEdge.accepted.reset - accepted).toBeGreaterThanOrEqual(2);
      } finally {
        await kmsEdge.set('pass');
      }
      await expectRetryAcceptedOnce(fn, event, ticket);
    },
  );

  it('KMS that accepts connections and never answers: nothing is accepted, stored or queued while it hangs; when KMS answers again the held delivery completes, once', async () => {
    const ticket = newTicket('ishoej', 6);
    const event = signedEvent(SECRET, ticket.ticket);
    const before = await snapshot();
    await kmsEdge.set('hang');
    const fn = coldFunction();
    let settled: { statusCode?: number } | undefined;
    const pending = fn.handle(event).then((r) => {
      settled = r;
      return r;
    });
    try {
      await waitFor(() => kmsEdge.accepted.hang > 0);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(settled).toBeUndefined();
      expect(queuedFor(ticket)).toEqual([]);
      expect(jira.requests.length).toBe(before.jiraRequests);
      expect(ticketTokens(await vaultItems(dynamo.client), 'ishoej', ticket.ticket.id).stored).toEqual([]);
    } finally {
      // The hung connections are cut: the SDK retries on a new one, which KMS answers.
      await kmsEdge.set('pass');
    }
    expect((await pending).statusCode).toBe(202);
    await expectRetryAcceptedOnce(fn, event, ticket);
  });
});

const isTokenWrite = (r: DynamoRequest) => r.operation === 'UpdateItem' && r.body.Key?.sk?.S === 'TOKEN';
const isTicketWrite = (r: DynamoRequest) =>
  r.operation === 'UpdateItem' && r.body.Key?.sk?.S === 'TICKET' && !isDeliveryRecord(r);
const isDeliveryRecord = (r: DynamoRequest) =>
  r.operation === 'UpdateItem' && String(r.body.UpdateExpression ?? '').includes('issueKey');

describe('DynamoDB throttling: the SDK retries, the vault never half-writes a token, the webhook answers 202 or 503', () => {
  it('brief throttling of reads and writes (both error types, and a batch written only in part): absorbed by the SDK and the vault, 202 at the first delivery', async () => {
    const ticket = newTicket('roedovre', 10);
    const answered = dynamoProxy.answered.length;
    dynamoProxy
      .throttleOn((r) => r.operation === 'Query', 'ProvisionedThroughputExceededException', 1)
      .throttleOn(isTicketWrite, 'ThrottlingException', 1)
      .throttleOn((r) => r.operation === 'BatchWriteItem', 'UnprocessedItems', 2, 'half')
      .throttleOn(isTokenWrite, 'ProvisionedThroughputExceededException', 1);
    try {
      const fn = coldFunction();
      expect((await fn.handle(signedEvent(SECRET, ticket.ticket))).statusCode).toBe(202);
      expect(dynamoProxy.rules.every((r) => r.times === 0)).toBe(true);
      expect(dynamoProxy.answered.length - answered).toBe(5);
    } finally {
      dynamoProxy.rules.length = 0;
    }
    expect(queuedFor(ticket)).toHaveLength(1);
    const items = await vaultItems(dynamo.client);
    const { recorded, refs, stored } = ticketTokens(items, 'roedovre', ticket.ticket.id);
    expect(recorded).toBe(true);
    expect(stored.sort()).toEqual([...refs].sort());
    expect(vaultViolations(items)).toEqual([]);
  });

  it.each<
    [
      string,
      string,
      (r: DynamoRequest) => boolean,
      Throttle,
      'references only' | 'nothing' | 'all tokens but one',
    ]
  >([
    // The ticket and its references are written first, the tokens last (lib/vault/dynamo-token-vault.ts).
    // A tenant of its own each: its tokens are the ticket's, and no other test's writes mix in.
    ['every token write throttled', 'hvidovre', isTokenWrite, 'ThrottlingException', 'references only'],
    [
      'the write of one token throttled',
      'lyngby',
      firstTokenOnly(),
      'ProvisionedThroughputExceededException',
      'all tokens but one',
    ],
    [
      'a batch DynamoDB never finishes writing (UnprocessedItems, every round)',
      'vallensbaek',
      (r) => r.operation === 'BatchWriteItem',
      'UnprocessedItems',
      'nothing',
    ],
  ])(
    '%s for good: 503 VAULT_UNAVAILABLE, nothing queued, no token without its ticket; the servicedesk’s retry completes it once',
    async (_, tenant, when, answer, left) => {
      const ticket = newTicket(tenant, ++seeds);
      const event = signedEvent(SECRET, ticket.ticket);
      const before = await snapshot();
      const fn = coldFunction();
      const tokensOf = (items: VaultItem[]) =>
        items
          .filter((i) => i.sk?.S === 'TOKEN' && i.pk?.S?.startsWith(`TOKEN#${tenant}#`))
          .map((i) => (i.pk?.S ?? '').slice(`TOKEN#${tenant}#`.length));
      dynamoProxy.throttleOn(when, answer);
      // What the vault holds when the 503 goes out, while DynamoDB still throttles: the write that
      // gave up first answered the webhook; the ticket's other token writes may still be under way.
      try {
        await expectFailedClosed(await fn.handle(event), ticket, before, 'VAULT_UNAVAILABLE', false);
        let items = await vaultItems(dynamo.client);
        let state = ticketTokens(items, tenant, ticket.ticket.id);
        if (left === 'all tokens but one') {
          // The writes not throttled finish at once; the throttled one cannot.
          for (let i = 0; i < 60 && tokensOf(items).length < state.refs.length - 1; i++) {
            await new Promise((resolve) => setTimeout(resolve, 50));
            items = await vaultItems(dynamo.client);
            state = ticketTokens(items, tenant, ticket.ticket.id);
          }
        }
        expect(vaultViolations(items)).toEqual([]);
        const written = tokensOf(items);
        if (left === 'references only') {
          expect(state.refs.length).toBeGreaterThan(3);
          expect(written).toEqual([]);
        }
        if (left === 'nothing') expect({ refs: state.refs, written }).toEqual({ refs: [], written: [] });
        if (left === 'all tokens but one') {
          expect(state.refs.length).toBeGreaterThan(3);
          expect(written).toHaveLength(state.refs.length - 1);
        }
        // Every token written belongs to this ticket, which is recorded with its references.
        expect(written.every((t) => state.refs.includes(t))).toBe(true);
        if (written.length > 0) expect(state.recorded).toBe(true);
        // A reference whose token was not written leads nowhere: nothing to reveal.
        for (const token of state.refs.filter((t) => !written.includes(t))) {
          expect(await fn.runtime().pseudonymizer.reveal(tenant, token)).toBeUndefined();
        }
      } finally {
        dynamoProxy.rules.length = 0;
      }
      // Writes still retrying may now finish; they only ever add tokens the ticket references.
      await expectRetryAcceptedOnce(fn, event, ticket);
    },
  );

  it.each<[string, (r: DynamoRequest, ticketId: string) => boolean]>([
    [
      'recording the issue key on the ticket',
      (r, id) => isDeliveryRecord(r) && r.body.Key?.pk?.S === `TICKET#ballerup#${id}`,
    ],
  ])(
    'the Jira writer throttled for good at %s, after Jira created the issue: the job fails, SQS redelivers it, and the redelivery finds the issue (one issue, each comment once)',
    async (_, when) => {
      const ticket = newTicket('ballerup', ++seeds);
      const id = ticket.ticket.id;
      expect((await coldFunction().handle(signedEvent(SECRET, ticket.ticket))).statusCode).toBe(202);
      const records = takeQueued();
      const message = records.find((r) => decodeJob(r.body).ticketId === id);
      if (!message) throw new Error('nothing queued');
      dynamoProxy.throttleOn((r) => when(r, id), 'ProvisionedThroughputExceededException');
      const writer = writerFunction();
      let first: { batchItemFailures: { itemIdentifier: string }[] };
      try {
        // Every record failing makes the batch processor throw: SQS then redelivers them all.
        first = await writer({ Records: records }, {} as never).catch(() => ({
          batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })),
        }));
      } finally {
        dynamoProxy.rules.length = 0;
      }
      // This ticket's job failed; Jira has its issue, the vault does not know it yet.
      expect(first.batchItemFailures).toContainEqual({ itemIdentifier: message.messageId });
      expect((await coldFunction().runtime().vault.getTicket('ballerup', id))?.issueKey).toBeUndefined();
      expect(issuesOf(jira, 'ballerup', id)).toHaveLength(1);
      const delivery = await deliverUntilSettled(writer, [message]);
      expect(delivery).toMatchObject({ invocations: 1, dead: [] });
      const [issue, ...more] = issuesOf(jira, 'ballerup', id);
      expect(more).toEqual([]);
      expect(issue && commentIds(issue)).toEqual(['c1']);
      expect((await coldFunction().runtime().vault.getTicket('ballerup', id))?.issueKey).toBe(issue?.key);
    },
  );
});

describe('after every KMS and DynamoDB fault', () => {
  // The AWS clients answer within seconds when a dependency hangs (lib/runtime/aws-client-config.ts):
  // the SDK's default would wait 300 s, and Lambda's 20 s timeout would answer the servicedesk with
  // API Gateway's error instead of the function's 503. The call was started in beforeAll; this waits
  // out what is left of the 20 s.
  it('a KMS that never answers: the function answers 503 before its 20 s Lambda timeout', async () => {
    const left = Math.max(0, silentKmsSince + 20_000 - Date.now());
    const result = await Promise.race([
      silentKmsCall,
      new Promise<{ statusCode: number }>((resolve) => setTimeout(() => resolve({ statusCode: 0 }), left)),
    ]);
    expect(result?.statusCode).toBe(503);
  }, 30_000);

  it('no planted value reached SQS, Jira, KMS or the vault, and every stored token is backed by its ticket', async () => {
    expect(planted.length).toBeGreaterThan(10);
    const out = [
      ...everQueued,
      ...sqs.messages.map((m) => m.body),
      jira.allSentText(),
      await storedText(dynamo.client),
      JSON.stringify(kms.calls),
    ].join('\n');
    expect(plantedIn(out, planted)).toEqual([]);
    expect(vaultViolations(await vaultItems(dynamo.client))).toEqual([]);
  });
});

/** Matches the writes of the first token item it sees, and only those. */
function firstTokenOnly(): (r: DynamoRequest) => boolean {
  let pk: string | undefined;
  return (r) => {
    if (!isTokenWrite(r)) return false;
    pk ??= r.body.Key?.pk?.S;
    return r.body.Key?.pk?.S === pk;
  };
}

async function waitFor(condition: () => boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
