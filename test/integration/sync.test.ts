import { readdir, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJiraWebhookHandler } from '../../functions/jira-webhook.ts';
import { createJobHandler } from '../../functions/jira-writer.ts';
import { createServicedeskWebhookHandler } from '../../functions/servicedesk-webhook.ts';
import { startLocalServer } from '../../lib/local/server.ts';
import { type EmbeddedRuntime, openEmbeddedRuntime } from '../../lib/runtime/embedded.ts';
import { jiraConfigFor } from '../../lib/runtime/tenant-wiring.ts';
import { FileJobQueue } from '../../lib/sync/file-job-queue.ts';
import { JiraCloudTracker } from '../../lib/tracker/jira-cloud-tracker.ts';
import { signHubSignature } from '../../lib/webhook/hub-signature.ts';
import { SHARED_SECRET_HEADER } from '../../lib/webhook/shared-secret.ts';
import { signWebhook, verifyWebhookSignature } from '../../lib/webhook/signature.ts';
import {
  signZendeskWebhook,
  ZENDESK_SIGNATURE_HEADER,
  ZENDESK_TIMESTAMP_HEADER,
} from '../../lib/webhook/zendesk-signature.ts';
import { type FakeIssue, FakeJira } from '../support/fake-jira.ts';
import { type LoopbackReply, LoopbackServer } from '../support/loopback-server.ts';
import { type SamplePayload, samplePayloads, topdeskMapping } from '../support/payloads.ts';
import { run } from '../support/processes.ts';
import { silent } from '../support/runtime.ts';
import { storedText } from '../support/stored-bytes.ts';
import { useTempDirs } from '../support/temp-dir.ts';

// The sync path end to end on the local stack: the local server's HTTP routes, the same handlers
// Lambda runs, the file queue and its worker, dynalite, and jira.js against a loopback Jira Cloud
// that keeps state and validates every ADF body against Atlassian's schema.

const tempDir = useTempDirs();
const SECRET = 'sync-test-webhook-secret-0123';
const JIRA_SECRET = 'jira-webhook-secret-0123456789';
const REPLY_SECRET = 'servicedesk-reply-secret-0123456';
const TOKEN = /\b[A-Z]{2,10}_[A-Z2-7]{16}\b/;
const credentials = { email: 'bot@example.invalid', apiToken: 'jira-api-token' };

/** The generic servicedesk's endpoint for replies: records what it gets, checks the signature. */
class ServicedeskReceiver extends LoopbackServer {
  readonly replies: { body: Record<string, unknown>; signed: boolean }[] = [];
  protected contentType = 'application/json';
  protected handle(req: IncomingMessage, raw: string): LoopbackReply {
    const check = verifyWebhookSignature(
      req.headers['x-ticket-proxy-signature'] as string,
      [REPLY_SECRET],
      Buffer.from(raw),
    );
    this.replies.push({ body: JSON.parse(raw), signed: check.valid });
    return { status: 200, body: {} };
  }
}

const jira = new FakeJira({ credentials });
const jsmSite = new FakeJira();
const receiver = new ServicedeskReceiver();
let dataDir: string;
let env: NodeJS.ProcessEnv;
let runtime: EmbeddedRuntime;
let server: Server;
let url: string;

beforeAll(async () => {
  await Promise.all([jira.start(), jsmSite.start(), receiver.start()]);
  dataDir = await tempDir();
  const tenants = {
    ballerup: {
      ticketUrl: 'https://sd.ballerup.example.dk/tickets/{id}',
      writeBack: { type: 'signed-webhook', url: receiver.url, secret: { env: 'BALLERUP_REPLY_SECRET' } },
    },
    egedal: {
      servicedesk: { type: 'jsm' },
      jira: { projectKey: 'EGE' },
      writeBack: {
        type: 'jsm',
        baseUrl: jsmSite.url,
        email: 'bot@example.invalid',
        apiToken: { env: 'JSM_TOKEN' },
      },
    },
    furesoe: {
      servicedesk: { type: 'zendesk' },
      jira: { projectKey: 'FUR', retentionDateField: 'customfield_10050' },
    },
    gladsaxe: { servicedesk: { type: 'mapped', ...(topdeskMapping as object) } },
  };
  await writeFile(join(dataDir, 'tenants.json'), JSON.stringify(tenants));
  env = {
    TICKET_PROXY_DATA_DIR: dataDir,
    TICKET_PROXY_WEBHOOK_SECRET: SECRET,
    TICKET_PROXY_TENANTS: join(dataDir, 'tenants.json'),
    JIRA_WEBHOOK_SECRET: JIRA_SECRET,
    JIRA_BASE_URL: jira.url,
    JIRA_EMAIL: credentials.email,
    JIRA_API_TOKEN: credentials.apiToken,
    JIRA_PROJECT_KEY: 'DEV',
    BALLERUP_REPLY_SECRET: REPLY_SECRET,
    JSM_TOKEN: 'jsm-api-token-0123456789',
  };
  runtime = await openEmbeddedRuntime(env, { role: 'serve' });
  // Shorter waits than production, so giving up takes a second, not minutes; same code otherwise.
  const trackers = new Map<string, JiraCloudTracker>();
  Object.assign(runtime, {
    queue: new FileJobQueue(join(dataDir, 'queue'), { maxAttempts: 3, backoffMs: () => 100 }),
    // After a create Jira may have carried out, wait 300 ms for its search (production: 15 minutes).
    createSettleMs: 300,
    trackerFor: (tenant: string) => {
      if (!trackers.has(tenant)) {
        const config = jiraConfigFor(
          { baseUrl: jira.url, ...credentials, projectKey: 'DEV' },
          runtime.tenants.configFor(tenant),
        );
        trackers.set(tenant, new JiraCloudTracker(config, { retry: { baseDelayMs: 20, maxDelayMs: 50 } }));
      }
      return trackers.get(tenant);
    },
  });
  ({ server, url } = await startLocalServer({
    servicedeskHandler: createServicedeskWebhookHandler(() => runtime, silent()),
    jiraHandler: createJiraWebhookHandler(() => runtime, silent()),
    outbox: runtime.outbox,
    replies: runtime.localReplies,
    queue: runtime.queue,
    port: 0,
  }));
  runtime.queue.start(
    createJobHandler(() => runtime, silent()),
    50,
  );
});

afterAll(async () => {
  await runtime.queue.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await runtime.close();
  await Promise.all([jira.stop(), jsmSite.stop(), receiver.stop()]);
});

function post(path: string, body: Buffer | string, headers: Record<string, string>) {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

const sendJsm = (body: Buffer) =>
  post('/webhooks/jsm/egedal', body, { 'x-hub-signature': signHubSignature(SECRET, body) });
function sendZendesk(body: Buffer, timestamp?: string) {
  const signed = signZendeskWebhook(SECRET, body, timestamp);
  return post('/webhooks/zendesk/furesoe', body, {
    [ZENDESK_SIGNATURE_HEADER]: signed.signature,
    [ZENDESK_TIMESTAMP_HEADER]: signed.timestamp,
  });
}
const sendTopdesk = (body: Buffer, secret = SECRET) =>
  post('/webhooks/mapped/gladsaxe', body, { [SHARED_SECRET_HEADER]: secret });
const sendGeneric = (ticket: object) => {
  const body = Buffer.from(JSON.stringify(ticket));
  return post('/webhooks/generic/ballerup', body, { 'x-ticket-proxy-signature': signWebhook(SECRET, body) });
};

/** The issue whose `ticket-proxy` property names the ticket, once the queue worker has written it. */
async function issueFor(tenant: string, ticketId: string, until: (i: FakeIssue) => boolean = () => true) {
  for (let i = 0; i < 200; i++) {
    const issue = [...jira.issues.values()].find((candidate) => {
      const property = candidate.properties.get('ticket-proxy') as
        | { tenant?: string; ticketId?: string }
        | undefined;
      return property?.tenant === tenant && property.ticketId === ticketId;
    });
    if (issue && until(issue)) return issue;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no issue for ${tenant}/${ticketId}`);
}

const issuesFor = (tenant: string, ticketId: string) =>
  [...jira.issues.values()].filter((i) => {
    const property = i.properties.get('ticket-proxy') as { tenant?: string; ticketId?: string } | undefined;
    return property?.tenant === tenant && property.ticketId === ticketId;
  });

/** Every byte that left the proxy for Jira, and every job file it queued. */
async function everythingForwarded(): Promise<string> {
  const queued: string[] = [];
  for (const dir of ['pending', 'inflight', 'dead']) {
    for (const name of await readdir(join(dataDir, 'queue', dir)).catch(() => [])) {
      // The worker may finish a job between the listing and the read.
      queued.push(await readFile(join(dataDir, 'queue', dir, name), 'utf8').catch(() => ''));
    }
  }
  return [
    jira.allSentText(),
    ...[...jira.issues.values()].flatMap((i) => i.attachments.map((a) => a.content.toString('utf8'))),
    ...queued,
  ].join('\n');
}

function expectNothingPlanted(sample: SamplePayload, text: string) {
  for (const value of sample.all) expect(text, `${sample.file} leaked a planted value`).not.toContain(value);
}

const adfText = (doc: unknown) => JSON.stringify(doc);

describe('servicedesk → Jira', () => {
  it('a Jira Service Management webhook arrives as an issue holding tokens and no personal data', async () => {
    const sample = samplePayloads.jsmIssueCreated;
    const response = await sendJsm(sample.body);
    expect(response.status).toBe(202);
    const issue = await issueFor('egedal', 'SD-4711', (i) => i.comments.length > 0);
    expect(issue.key).toMatch(/^EGE-\d+$/);
    expect(String(issue.fields.summary)).toMatch(TOKEN);
    expect(adfText(issue.fields.description)).toMatch(TOKEN);
    // The internal comment stays in the servicedesk.
    const json = sample.json as { issue: { fields: { comment: { comments: { jsdPublic?: boolean }[] } } } };
    const publicComments = json.issue.fields.comment.comments.filter((c) => c.jsdPublic !== false).length;
    expect(issue.comments).toHaveLength(publicComments);
    for (const comment of issue.comments) expect(adfText(comment.body)).toMatch(TOKEN);
    expect(issue.fields.labels).toEqual(
      expect.arrayContaining([
        'ticket-proxy',
        'tenant-egedal',
        expect.stringMatching(/^retention-\d{4}-\d\d-\d\d$/),
      ]),
    );
    expect(jira.adfErrors).toEqual([]);
    expectNothingPlanted(sample, await everythingForwarded());
  });

  it("a later comment event adds the comment and keeps the description and labels Jira's comment events leave out", async () => {
    const sample = samplePayloads.jsmCommentCreated;
    const before = await issueFor('egedal', 'SD-4711');
    const description = adfText(before.fields.description);
    const labels = [...before.fields.labels];
    const comments = before.comments.length;
    expect((await sendJsm(sample.body)).status).toBe(202);
    const after = await issueFor('egedal', 'SD-4711', (i) => i.comments.length > comments);
    expect(adfText(after.fields.description)).toBe(description);
    expect([...after.fields.labels].sort()).toEqual(labels.sort());
    expect(issuesFor('egedal', 'SD-4711')).toHaveLength(1);
    expect(jira.adfErrors).toEqual([]);
    expectNothingPlanted(sample, await everythingForwarded());
  });

  it('a Zendesk webhook arrives as an issue, with the retention expiry in its date field', async () => {
    const sample = samplePayloads.zendeskTicket;
    expect((await sendZendesk(sample.body)).status).toBe(202);
    const id = String((sample.json as { ticket: { id: number } }).ticket.id);
    const issue = await issueFor('furesoe', id, (i) => i.comments.length > 0);
    expect(issue.key).toMatch(/^FUR-\d+$/);
    expect(String(issue.fields.summary)).toMatch(TOKEN);
    expect(issue.fields.customfield_10050).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect((issue.properties.get('ticket-proxy') as { expiresAt?: string }).expiresAt).toMatch(/^\d{4}-/);
    expect(jira.adfErrors).toEqual([]);
    expectNothingPlanted(sample, await everythingForwarded());
  });

  it('a TOPdesk incident, read with a JMESPath mapping, arrives as an issue', async () => {
    const sample = samplePayloads.topdeskIncident;
    expect((await sendTopdesk(sample.body)).status).toBe(202);
    const id = (sample.json as { id: string }).id;
    const issue = await issueFor('gladsaxe', id, (i) => i.comments.length > 0);
    expect(String(issue.fields.summary)).toMatch(TOKEN);
    expect(jira.adfErrors).toEqual([]);
    expectNothingPlanted(sample, await everythingForwarded());
  });

  it('sanitizes text attachments, withholds binary ones with a note, and links back to the servicedesk', async () => {
    const log = 'INFO lookup cpr=0101901234 for mette.holm@ballerup.example.dk\n';
    const response = await sendGeneric({
      tenant: 'ballerup',
      id: 'SD-ATT',
      summary: 'Fejl i Nexus for 0101901234',
      description: 'Se log.',
      attachments: [
        {
          id: 'a1',
          filename: 'nexus.log',
          mimeType: 'text/plain',
          contentBase64: Buffer.from(log).toString('base64'),
        },
        {
          id: 'a2',
          filename: 'scan.pdf',
          mimeType: 'application/pdf',
          contentBase64: Buffer.from('%PDF-1.7 \u0000\u00ff').toString('base64'),
        },
      ],
    });
    expect(response.status).toBe(202);
    const issue = await issueFor(
      'ballerup',
      'SD-ATT',
      (i) => i.attachments.length > 0 && i.comments.length > 0,
    );
    expect(issue.attachments).toHaveLength(1);
    expect(issue.attachments[0]?.content.toString('utf8')).toMatch(
      /^INFO lookup cpr=CPR_[A-Z2-7]{16} for EMAIL_[A-Z2-7]{16}\n$/,
    );
    expect(adfText(issue.comments[0]?.body)).toMatch(/Vedhæftet fil tilbageholdt: scan.pdf, \d+ B/);
    expect(issue.remoteLinks[0]?.object.url).toBe('https://sd.ballerup.example.dk/tickets/SD-ATT');
    const sent = await everythingForwarded();
    expect(sent).not.toContain('0101901234');
    expect(sent).not.toContain('mette.holm');
    expect(sent).not.toContain('%PDF');
  });
});

describe('nothing lost, nothing twice', () => {
  it('a webhook delivered three times gives one issue, and each comment once', async () => {
    const ticket = {
      tenant: 'ballerup',
      id: 'SD-DUP',
      summary: 'Dobbelt levering',
      description: '',
      comments: [{ id: 'c1', body: 'Ring til 20304050' }],
    };
    for (let i = 0; i < 3; i++) expect((await sendGeneric(ticket)).status).toBe(202);
    const issue = await issueFor('ballerup', 'SD-DUP', (i) => i.comments.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(issuesFor('ballerup', 'SD-DUP')).toHaveLength(1);
    expect(issue.comments).toHaveLength(1);
  });

  it('Jira failing the create with 500, first before and then after carrying it out, gives exactly one issue', async () => {
    // A 500 to a create is not retried at once (Jira may have created the issue): the writer waits
    // out the settle window, finds nothing and creates again; the second 500 comes after Jira created
    // the issue, and the next try finds it.
    for (const afterApplying of [false, true])
      jira.failures.push({
        status: 500,
        body: { errorMessages: ['boom'] },
        match: /^POST \/rest\/api\/3\/issue$/,
        afterApplying,
      });
    expect(
      (await sendGeneric({ tenant: 'ballerup', id: 'SD-500', summary: 'Jira hikker', description: '' }))
        .status,
    ).toBe(202);
    await issueFor('ballerup', 'SD-500');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(issuesFor('ballerup', 'SD-500')).toHaveLength(1);
    expect(jira.failures).toEqual([]);
  });

  it('Jira down for good leaves the job in the dead-letter queue; `redrive` delivers it once Jira is back', async () => {
    jira.down = true;
    try {
      expect(
        (await sendGeneric({ tenant: 'ballerup', id: 'SD-DLQ', summary: 'Jira er nede', description: '' }))
          .status,
      ).toBe(202);
      let dead: { ticketId: string; lastError: string }[] = [];
      for (let i = 0; i < 200 && dead.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        dead = ((await (await fetch(`${url}/queue`)).json()) as { dead: typeof dead }).dead;
      }
      expect(dead).toEqual([
        expect.objectContaining({ ticketId: 'SD-DLQ', lastError: 'TRACKER_UNAVAILABLE' }),
      ]);
    } finally {
      jira.down = false;
    }
    expect(issuesFor('ballerup', 'SD-DLQ')).toHaveLength(0);
    const redriven = await run('npx --no-install ticket-proxy redrive', { env });
    expect(redriven.stdout).toContain(
      '1 job(s) put back in line; 0 waiting to be written later; 0 still failing',
    );
    expect(redriven.code).toBe(0);
    await issueFor('ballerup', 'SD-DLQ');
    expect(issuesFor('ballerup', 'SD-DLQ')).toHaveLength(1);
  });
});

describe('refused at the door, nothing stored', () => {
  const zendesk = samplePayloads.zendeskTicket.body;
  const withUnknownField = Buffer.from(
    JSON.stringify({ ...(samplePayloads.zendeskTicket.json as { ticket: object }), cpr: '0101901234' }),
  );
  it.each<[string, () => Promise<Response>, number]>([
    [
      'a wrong Zendesk signature',
      () =>
        post('/webhooks/zendesk/furesoe', zendesk, {
          [ZENDESK_SIGNATURE_HEADER]: 'AAAA',
          [ZENDESK_TIMESTAMP_HEADER]: new Date().toISOString(),
        }),
      401,
    ],
    ['a missing Zendesk signature', () => post('/webhooks/zendesk/furesoe', zendesk, {}), 401],
    ['a replayed Zendesk timestamp', () => sendZendesk(zendesk, '2026-01-01T00:00:00Z'), 401],
    [
      'a wrong Jira Service Management signature',
      () =>
        post('/webhooks/jsm/egedal', samplePayloads.jsmIssueCreated.body, {
          'x-hub-signature': signHubSignature('wrong-secret-0123456789', samplePayloads.jsmIssueCreated.body),
        }),
      401,
    ],
    [
      'a wrong shared secret',
      () => sendTopdesk(samplePayloads.topdeskIncident.body, 'wrong-secret-0123456789'),
      401,
    ],
    ['an oversized body', () => sendZendesk(Buffer.alloc(1_100_000, 0x20)), 413],
    ['a body with an unknown field', () => sendZendesk(withUnknownField), 400],
  ])('%s gives a clear 4xx', async (_, send, status) => {
    const before = await storedText(runtime.dynamo.client);
    const issuesBefore = jira.issues.size;
    const response = await send();
    expect(response.status).toBe(status);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toMatch(/^[A-Z_]+$/);
    expect(error.message.length).toBeGreaterThan(5);
    expect(error.message).not.toContain('0101901234');
    expect(await storedText(runtime.dynamo.client)).toBe(before);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(jira.issues.size).toBe(issuesBefore);
  });
});

describe('Jira → servicedesk', () => {
  function jiraComment(issueKey: string, body: string, accountId = '712020:developer') {
    const payload = Buffer.from(
      JSON.stringify({
        timestamp: Date.now(),
        webhookEvent: 'comment_created',
        issue: { key: issueKey },
        comment: {
          id: String(Math.floor(Math.random() * 1e9)),
          author: { accountId, displayName: 'Udvikler' },
          body,
        },
      }),
    );
    return post('/webhooks/jira', payload, { 'x-hub-signature': signHubSignature(JIRA_SECRET, payload) });
  }

  it("a developer's comment reaches the servicedesk with the values restored, and the audit log shows it", async () => {
    expect(
      (
        await sendGeneric({
          tenant: 'ballerup',
          id: 'SD-WB',
          summary: 'Borger 0101901234 mangler plan',
          description: '',
        })
      ).status,
    ).toBe(202);
    const issue = await issueFor('ballerup', 'SD-WB');
    const token = TOKEN.exec(String(issue.fields.summary))?.[0] as string;
    const egedal = await issueFor('egedal', 'SD-4711');
    const foreign = TOKEN.exec(String(egedal.fields.summary))?.[0] as string;
    const response = await jiraComment(issue.key, `Rettet for ${token}. Se også ${foreign}.`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      outcome: 'posted',
      reidentified: 1,
      auditId: expect.any(String),
    });
    expect(receiver.replies.at(-1)).toEqual({
      signed: true,
      body: expect.objectContaining({
        ticketId: 'SD-WB',
        issueKey: issue.key,
        event: 'comment',
        // Another tenant's token stays a token.
        body: `Rettet for 0101901234. Se også ${foreign}.`,
      }),
    });
    const audit = await run('npx --no-install ticket-proxy audit list --json', { env });
    const records = audit.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records).toContainEqual(
      expect.objectContaining({
        actor: 'system:write-back',
        action: 'write-back',
        purpose: 'write-back',
        tenant: 'ballerup',
        tokens: [token],
        issueKey: issue.key,
        outcome: 'granted',
      }),
    );
    expect(audit.stdout).not.toContain('0101901234');
    expect((await run('npx --no-install ticket-proxy audit verify', { env })).code).toBe(0);
  });

  it("posts to Jira Service Management as a public comment, and never echoes the proxy's own comments", async () => {
    jsmSite.seedIssue('SD', {}, 4711);
    const issue = await issueFor('egedal', 'SD-4711');
    const token = TOKEN.exec(String(issue.fields.summary))?.[0] as string;
    expect((await jiraComment(issue.key, `Kontakt ${token}`)).status).toBe(200);
    const [reply] = jsmSite.issue('SD-4711').comments;
    expect(reply?.properties.get('sd.public.comment')).toEqual({ internal: false });
    expect(adfText(reply?.body)).not.toContain(token);
    const own = await jiraComment(issue.key, 'Skrevet af proxyen', jira.account.accountId);
    expect(await own.json()).toEqual({ outcome: 'ignored', reason: 'OWN_COMMENT' });
    expect(jsmSite.issue('SD-4711').comments).toHaveLength(1);
  });

  it('refuses an unsigned or stale Jira webhook', async () => {
    const payload = Buffer.from(JSON.stringify({ timestamp: Date.now(), webhookEvent: 'comment_created' }));
    expect((await post('/webhooks/jira', payload, {})).status).toBe(401);
    const stale = Buffer.from(
      JSON.stringify({ timestamp: Date.now() - 2 * 3600_000, webhookEvent: 'comment_created' }),
    );
    expect(
      (await post('/webhooks/jira', stale, { 'x-hub-signature': signHubSignature(JIRA_SECRET, stale) }))
        .status,
    ).toBe(401);
  });
});
