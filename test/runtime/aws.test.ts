import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedDynamo, openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { ConfigError } from '../../lib/errors.ts';
import { awsRuntime } from '../../lib/runtime/aws.ts';
import { signWebhook } from '../../lib/webhook/signature.ts';
import { FakeJira } from '../support/fake-jira.ts';
import { FakeKms } from '../support/fake-kms.ts';
import { FakeSecretsManager } from '../support/fake-secrets-manager.ts';
import { FakeSqs } from '../support/fake-sqs.ts';
import { pointLambdaAt } from '../support/lambda-env.ts';
import { storedText } from '../support/stored-bytes.ts';

// The Lambda entry point exactly as deployed, with every AWS service replaced at the network edge:
// dynalite for DynamoDB and loopback KMS, Secrets Manager and Jira endpoints.
let dynamo: EmbeddedDynamo;
const kms = new FakeKms();
const secrets = new FakeSecretsManager();
const jira = new FakeJira();
const WEBHOOK_SECRET = 'w'.repeat(48);
const sqs = new FakeSqs();
let handler: typeof import('../../functions/servicedesk-webhook.ts').handler;
let writer: typeof import('../../functions/jira-writer.ts').handler;
/** What SQS would do next: hand the queued jobs to the Jira writer. */
const runWriter = async () => {
  const result = await writer(sqs.take(), {} as Context);
  expect(result.batchItemFailures).toEqual([]);
};

beforeAll(async () => {
  [dynamo] = await Promise.all([
    openEmbeddedDynamo(),
    kms.start(),
    secrets.start(),
    jira.start(),
    sqs.start(),
  ]);
  pointLambdaAt({
    dynamo: dynamo.endpoint,
    kms: kms.url,
    keyId: kms.keyId,
    secrets,
    sqs: sqs.url,
    jira: jira.url,
    tenants: { ballerup: WEBHOOK_SECRET },
  });
  ({ handler } = await import('../../functions/servicedesk-webhook.ts'));
  ({ handler: writer } = await import('../../functions/jira-writer.ts'));
});
afterAll(async () => {
  await Promise.all([dynamo.close(), kms.stop(), secrets.stop(), jira.stop(), sqs.stop()]);
});

function signed(ticket: object): APIGatewayProxyEventV2 {
  const body = Buffer.from(JSON.stringify(ticket));
  return {
    pathParameters: { tenant: 'ballerup', servicedesk: 'generic' },
    headers: {
      'content-type': 'application/json',
      'x-ticket-proxy-signature': signWebhook(WEBHOOK_SECRET, body),
    },
    body: body.toString('base64'),
    isBase64Encoded: true,
  } as unknown as APIGatewayProxyEventV2;
}

const ticket = (id: string, cpr: string) => ({
  tenant: 'ballerup',
  id,
  summary: `Borger ${cpr}`,
  description: 'Kontakt: mor@example.dk',
});

describe('the deployed Lambda handler on its AWS adapters', () => {
  it('sanitizes into DynamoDB under KMS keys, queues the job on SQS FIFO, and the writer creates the issue', async () => {
    const result = await handler(signed(ticket('SD-1', '010190-1234')));
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body ?? '')).toMatchObject({ ticketId: 'SD-1' });
    const [message] = sqs.messages;
    expect(message?.groupId).toMatch(/^[0-9a-f]{64}$/);
    expect(message?.body).not.toMatch(/010190|mor@example/);
    await runWriter();
    expect([...jira.issues.keys()]).toEqual(['DEV-1']);
    const sent = jira.allSentText();
    expect(sent).toMatch(/Borger CPR_[A-Z2-7]{16}/);
    expect(sent).not.toMatch(/010190|mor@example/);
    expect(await storedText(dynamo.client)).not.toMatch(/0101901234|mor@example/);
    expect(new Set(kms.calls.map((c) => c.context.tenant))).toEqual(new Set(['ballerup']));
  });

  it('needs no KMS call per ticket once warm', async () => {
    const before = kms.calls.length;
    for (let i = 0; i < 5; i++) {
      expect((await handler(signed(ticket(`SD-${i + 10}`, `0${i + 1}0285-567${i}`)))).statusCode).toBe(202);
    }
    await runWriter();
    expect(kms.calls.length).toBe(before);
  });

  it('fails closed with a retryable 503 when KMS throttles a new tenant, and sends nothing to Jira', async () => {
    const sent = jira.requests.length;
    kms.failWith = 'ThrottlingException';
    try {
      const event = signed({ ...ticket('SD-K', '0101901234'), tenant: 'ballerup' });
      // A new value key is needed once the cached one is used up; force it with a fresh process state.
      const { createServicedeskWebhookHandler } = await import('../../functions/servicedesk-webhook.ts');
      const { awsRuntime } = await import('../../lib/runtime/aws.ts');
      const { Logger } = await import('@aws-lambda-powertools/logger');
      const cold = createServicedeskWebhookHandler(() => awsRuntime(), new Logger({ logLevel: 'SILENT' }));
      const result = await cold(event);
      expect(result.statusCode).toBe(503);
      expect(JSON.parse(result.body ?? '').error.code).toBe('KEY_UNAVAILABLE');
      expect(jira.requests.length).toBe(sent);
      expect(sqs.messages).toEqual([]);
    } finally {
      kms.failWith = undefined;
    }
  });

  it('refuses a tenant the stack does not know', async () => {
    const result = await handler({
      ...signed(ticket('SD-2', '0101901234')),
      pathParameters: { tenant: 'egedal', servicedesk: 'generic' },
    });
    expect(result.statusCode).toBe(404);
  });

  it('names the missing environment variables when the function is misconfigured', () => {
    expect(() => awsRuntime({ VAULT_TABLE_NAME: 'x' })).toThrow(ConfigError);
    expect(() => awsRuntime({ VAULT_TABLE_NAME: 'x' })).toThrow(/KEY_ID/);
  });

  it('re-identifies through the deployed staff handler on its own narrow runtime (DynamoDB, KMS, audit, grants)', async () => {
    Object.assign(process.env, {
      AUDIT_TABLE_NAME: 'ticket-proxy-audit',
      ACCESS_TABLE_NAME: 'ticket-proxy-access',
    });
    expect((await handler(signed(ticket('SD-S', '030390-3456')))).statusCode).toBe(202);
    const token = /CPR_[A-Z2-7]{16}/.exec(sqs.messages.at(-1)?.body ?? '')?.[0];
    expect(token).toBeDefined();
    await runWriter();
    const { DynamoAccessStore } = await import('../../lib/access/dynamo-access-store.ts');
    const now = new Date();
    await new DynamoAccessStore(dynamo.client).putGrant({
      user: 'alice',
      tenant: 'ballerup',
      role: 'reidentifier',
      grantedBy: 'root',
      grantedAt: now.toISOString(),
      attestedBy: 'root',
      attestedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
    });
    const { handler: staff } = await import('../../functions/staff-api.ts');
    const result = await staff({
      routeKey: 'POST /reidentify',
      rawQueryString: '',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: `Om ${token}`, purpose: 'Borgeren ringede og bad om status på sagen' }),
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'POST' },
        // As API Gateway's JWT authorizer passes Cognito's claims: arrays flattened to `[a b]`.
        authorizer: {
          jwt: {
            claims: {
              sub: 'alice',
              amr: '[pwd otp mfa]',
              'cognito:groups': '[ticket-proxy:ballerup:reidentifier]',
            },
          },
        },
      },
    } as unknown as APIGatewayProxyEventV2);
    expect(result.statusCode).toBe(200);
    const body = JSON.parse(result.body ?? '');
    expect(body.text).toMatch(/^Om (030390-3456|0303903456)$/);
    expect(body.auditId).toMatch(/^AUD-/);
  });

  it('names what the staff runtime lacks', async () => {
    const { awsStaffRuntime } = await import('../../lib/runtime/aws-staff.ts');
    expect(() => awsStaffRuntime({ VAULT_TABLE_NAME: 'x' })).toThrow(
      /KEY_ID, AUDIT_TABLE_NAME, ACCESS_TABLE_NAME/,
    );
  });
});
