import { readdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { deflateRawSync, gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJiraWebhookHandler } from '../../functions/jira-webhook.ts';
import { createServicedeskWebhookHandler } from '../../functions/servicedesk-webhook.ts';
import { openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import type { OutboxIssue } from '../../lib/tracker/outbox-tracker.ts';
import { signHubSignature } from '../../lib/webhook/hub-signature.ts';
import { SHARED_SECRET_HEADER } from '../../lib/webhook/shared-secret.ts';
import { signWebhook } from '../../lib/webhook/signature.ts';
import {
  signZendeskWebhook,
  ZENDESK_SIGNATURE_HEADER,
  ZENDESK_TIMESTAMP_HEADER,
} from '../../lib/webhook/zendesk-signature.ts';
import { allTablesText } from '../support/leak-search.ts';
import { topdeskMapping } from '../support/payloads.ts';
import { type RunningServer, startServer } from '../support/processes.ts';
import { silent, testRuntime } from '../support/runtime.ts';
import { useTempDirs } from '../support/temp-dir.ts';

// Bad input against `npm start`'s own server, every servicedesk adapter and the Jira webhook: each
// case gets a clear 4xx with a stable code and a message naming what is wrong (never a value), the
// server keeps answering, and nothing is stored (vault and every other table, outbox, replies and
// queue compared before and after). Cases tested elsewhere are not repeated: wrong, missing and
// replayed signatures, a 1.1 MB body, Zendesk's unknown field (test/integration/sync.test.ts); a
// wrong generic signature, a 2 MB body, a tenant path that does not decode, another host
// (test/integration/local-server.test.ts); each adapter's schema refusals (test/servicedesk/).
// Where the README documents that something is accepted (fields an adapter does not read, binary
// attachment content), the documented behaviour is tested instead, and the case says so.

const tempDir = useTempDirs();
const SECRET = 'bad-input-webhook-secret-0123';
const JIRA_SECRET = 'bad-input-jira-secret-01234567';
/** Personal data planted in bad input: no answer, log line or stored byte may show it. */
const CPR = '150387-4215';
const NAME = 'Søren Østergaard';
const EMAIL = 'soren.ostergaard@borger.example.dk';
const PLANTED = [CPR, CPR.replace('-', ''), NAME, EMAIL];

let server: RunningServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = await tempDir();
  const tenants = {
    ballerup: { writeBack: { type: 'local' } },
    egedal: { servicedesk: { type: 'jsm' }, writeBack: { type: 'local' } },
    furesoe: { servicedesk: { type: 'zendesk' } },
    gladsaxe: { servicedesk: { type: 'mapped', ...(topdeskMapping as object) } },
    // A mapping whose comments are bare numbers: 100,000 of them fit in 1 MiB.
    herlev: {
      servicedesk: {
        type: 'mapped',
        mapping: {
          id: 'id',
          summary: 'summary',
          description: 'description',
          comments: { list: 'c', id: 'to_string(@)', body: 'to_string(@)' },
        },
      },
    },
  };
  await writeFile(join(dataDir, 'tenants.json'), JSON.stringify(tenants));
  server = await startServer({
    TICKET_PROXY_DATA_DIR: dataDir,
    TICKET_PROXY_WEBHOOK_SECRET: SECRET,
    TICKET_PROXY_TENANTS: join(dataDir, 'tenants.json'),
    JIRA_WEBHOOK_SECRET: JIRA_SECRET,
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
  });
});

afterAll(async () => {
  // No crash: the server is still up after everything, and stops cleanly.
  expect((await fetch(`${server.url}/health`)).status).toBe(200);
  const output = server.output();
  expect(await server.stop()).toBe(0);
  for (const value of PLANTED) expect(output, 'the server log shows a planted value').not.toContain(value);
});

type Route = 'generic' | 'jsm' | 'zendesk' | 'mapped' | 'herlev' | 'jira';
const PATHS: Record<Route, string> = {
  generic: '/webhooks/generic/ballerup',
  jsm: '/webhooks/jsm/egedal',
  zendesk: '/webhooks/zendesk/furesoe',
  mapped: '/webhooks/mapped/gladsaxe',
  herlev: '/webhooks/mapped/herlev',
  jira: '/webhooks/jira',
};

/** Signed (or authenticated) as each route wants it, so every refusal is about the body itself. */
function signed(route: Route, body: Buffer): Record<string, string> {
  switch (route) {
    case 'generic':
      return { 'x-ticket-proxy-signature': signWebhook(SECRET, body) };
    case 'jsm':
      return { 'x-hub-signature': signHubSignature(SECRET, body) };
    case 'jira':
      return { 'x-hub-signature': signHubSignature(JIRA_SECRET, body) };
    case 'zendesk': {
      const z = signZendeskWebhook(SECRET, body);
      return { [ZENDESK_SIGNATURE_HEADER]: z.signature, [ZENDESK_TIMESTAMP_HEADER]: z.timestamp };
    }
    case 'mapped':
    case 'herlev':
      return { [SHARED_SECRET_HEADER]: SECRET };
  }
}

/** The body's bytes; `raw(…)` strings in a payload go in as the JSON text they hold. */
const bytes = (value: unknown) =>
  Buffer.isBuffer(value)
    ? value
    : Buffer.from(
        typeof value === 'string'
          ? value
          : JSON.stringify(value).replace(/"\\u0000raw:((?:[^"\\]|\\.)*)"/g, (_, json: string) =>
              JSON.parse(`"${json}"`),
            ),
      );

async function post(route: Route, body: unknown, contentType = 'application/json') {
  const payload = bytes(body);
  const started = performance.now();
  const response = await fetch(`${server.url}${PATHS[route]}`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...signed(route, payload) },
    body: payload,
  });
  const text = await response.text();
  return { status: response.status, text, ms: performance.now() - started };
}

/**
 * POSTs a large body in 64 KiB pieces and stops sending once the answer comes. The server answers
 * 413 as soon as the limit is passed and then closes the connection, so a client that sends on
 * regardless (fetch does) is sometimes cut off (EPIPE) before it reads the answer.
 */
function postStreamed(route: Route, body: Buffer): Promise<{ status: number; text: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      `${server.url}${PATHS[route]}`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          ...signed(route, body),
        },
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    // A write after the answer may fail (the server closed): that is the refusal, not an error.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    void (async () => {
      for (let at = 0; at < body.length && !answered; at += 64 * 1024) {
        await new Promise<void>((done) => req.write(body.subarray(at, at + 64 * 1024), () => done()));
      }
      if (!answered) req.end();
    })();
  });
}

/** Everything the proxy keeps: every table, the outbox, the replies, the queue. */
async function stored(): Promise<string> {
  const dynamo = await openEmbeddedDynamo({ dataDir });
  let tables: string;
  try {
    tables = JSON.stringify([...(await allTablesText(dynamo.client))]);
  } finally {
    await dynamo.close();
  }
  const file = (name: string) => readFile(join(dataDir, name), 'utf8').catch(() => '');
  const queue: string[] = [];
  for (const dir of ['pending', 'inflight', 'dead']) {
    for (const name of (await readdir(join(dataDir, 'queue', dir)).catch(() => [])).sort()) {
      queue.push(`${dir}/${name}`, await file(join('queue', dir, name)));
    }
  }
  return JSON.stringify({
    tables,
    outbox: await file('outbox.jsonl'),
    replies: await file('replies.jsonl'),
    queue,
  });
}

/** Refused with `status` and `code`, the message matching `message`, nothing quoted, nothing stored, server up. */
async function expectRefused(
  send: () => Promise<{ status: number; text: string; ms: number }>,
  status: number,
  code: string,
  message: RegExp,
) {
  const before = await stored();
  const { status: got, text, ms } = await send();
  expect({ status: got, text: text.slice(0, 300) }).toMatchObject({ status });
  const { error } = JSON.parse(text) as { error: { code: string; message: string } };
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
  // A clear message: short, whatever the input's size.
  expect(text.length).toBeLessThan(1200);
  for (const value of PLANTED) expect(error.message).not.toContain(value);
  // Refused quickly, however big or deep the input.
  expect(ms).toBeLessThan(10_000);
  expect(await stored()).toBe(before);
  expect((await fetch(`${server.url}/health`)).status).toBe(200);
}

const genericTicket = (extra: object = {}) => ({
  tenant: 'ballerup',
  id: 'SD-BAD',
  summary: `Borger ${CPR}`,
  description: `${NAME} skrev fra ${EMAIL}`,
  ...extra,
});
const jsmIssue = (fields: object = {}, key = 'SD-4711') => ({
  webhookEvent: 'jira:issue_created',
  issue: { key, fields: { summary: `Borger ${CPR}`, ...fields } },
});
const adf = (...content: unknown[]) => ({ type: 'doc', version: 1, content });
const paragraph = (text: string) => ({ type: 'paragraph', content: [{ type: 'text', text }] });
/**
 * `depth` blockquotes, each inside the last, around a paragraph holding a CPR number; as JSON text,
 * since JSON.stringify recurses once per level.
 */
const nested = (depth: number) =>
  `${'{"type":"blockquote","content":['.repeat(depth)}${JSON.stringify(paragraph(`CPR ${CPR}`))}${']}'.repeat(depth)}`;
/** A value to put in a payload as is: JSON text that JSON.stringify must not quote. */
const RAW = '\u0000raw:';
const raw = (json: string) => `${RAW}${json}`;
/** A JSON text nested `depth` levels deep, built as text (JSON.stringify would recurse). */
const deepArrays = (depth: number) => `${'['.repeat(depth)}"${CPR}"${']'.repeat(depth)}`;

const ROUTES: Route[] = ['generic', 'jsm', 'zendesk', 'mapped', 'jira'];

describe('malformed bodies, on every route', () => {
  it.each(ROUTES)('%s: JSON cut off midway is 400 INVALID_TICKET naming the position', async (route) => {
    const whole = JSON.stringify(route === 'jsm' ? jsmIssue() : genericTicket());
    await expectRefused(
      () => post(route, whole.slice(0, whole.length - 12)),
      400,
      'INVALID_TICKET',
      /^not valid JSON \(at character \d+\)$/,
    );
  });

  it.each(ROUTES)('%s: bytes that are not UTF-8 are 400 INVALID_TICKET', async (route) => {
    // A truncated two-byte sequence, and an encoded UTF-16 surrogate (CESU-8), amid personal data.
    for (const bad of [
      [0xc3, 0x28],
      [0xed, 0xa0, 0x80],
    ]) {
      const body = Buffer.concat([
        Buffer.from(`{"summary":"${NAME} `),
        Buffer.from(bad),
        Buffer.from(`${CPR}"}`),
      ]);
      await expectRefused(() => post(route, body), 400, 'INVALID_TICKET', /^body is not valid UTF-8$/);
    }
  });

  it.each(ROUTES)('%s: an empty body is 400 INVALID_TICKET', async (route) => {
    await expectRefused(() => post(route, ''), 400, 'INVALID_TICKET', /^empty, not a ticket$/);
  });

  it.each(ROUTES)(
    '%s: JSON that is not an object (a string, 500,000 nested arrays) is 400',
    async (route) => {
      // A mapping's expressions find nothing in a string or an array: the mapped ticket lacks its parts.
      const message = route === 'mapped' ? /^id: is required; summary: is required$/ : /expected object/;
      await expectRefused(
        () => post(route, JSON.stringify(`${NAME} ${CPR}`)),
        400,
        'INVALID_TICKET',
        message,
      );
      await expectRefused(() => post(route, deepArrays(500_000)), 400, 'INVALID_TICKET', message);
    },
  );

  it.each<[Route, string]>(
    ROUTES.flatMap((route) =>
      [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/jsonx',
      ].map((type): [Route, string] => [route, type]),
    ),
  )('%s: content type %s is 415 INVALID_TICKET', async (route, type) => {
    await expectRefused(
      () => post(route, genericTicket(), type),
      415,
      'INVALID_TICKET',
      /^content type must be application\/json$/,
    );
  });
});

describe('size', () => {
  const tenMegabytes = () => {
    const body = Buffer.alloc(10 * 1024 * 1024, 0x20);
    body.write(JSON.stringify(genericTicket()));
    return body;
  };

  it.each(ROUTES)(
    '%s: a 10 MB body is refused (413, or cut off), nothing stored, the server up',
    async (route) => {
      const before = await stored();
      const body = tenMegabytes();
      try {
        const { status, text } = await postStreamed(route, body);
        expect(status).toBe(413);
        expect(JSON.parse(text)).toEqual({
          error: { code: 'TICKET_TOO_LARGE', message: 'body is too large' },
        });
      } catch (error) {
        // The server closed the connection before the sender read its answer: see the test below.
        expect((error as NodeJS.ErrnoException).code).toMatch(/^(EPIPE|ECONNRESET)$/);
      }
      expect(await stored()).toBe(before);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    },
  );

  // The server reads and drops the rest of a body too large before it closes the connection, so a
  // sender still sending reads the 413 rather than a reset.
  it('a sender of a 10 MB body always reads the 413 (20 tries)', async () => {
    const body = tenMegabytes();
    for (let i = 0; i < 20; i++) {
      const response = await fetch(`${server.url}${PATHS.generic}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signed('generic', body) },
        body,
      });
      expect(response.status).toBe(413);
      await response.text();
    }
  });

  it('the handlers themselves refuse a 10 MB body (what API Gateway lets through) with 413', async () => {
    const runtime = await testRuntime(await tempDir());
    try {
      const body = Buffer.alloc(10 * 1024 * 1024, 0x20).toString('base64');
      const event = (path: Record<string, string>) =>
        ({
          headers: { 'content-type': 'application/json' },
          pathParameters: path,
          body,
          isBase64Encoded: true,
          requestContext: { requestId: 'r' },
        }) as unknown as APIGatewayProxyEventV2;
      const servicedesk = await createServicedeskWebhookHandler(
        () => runtime,
        silent(),
      )(event({ servicedesk: 'generic', tenant: 'ballerup' }));
      const jira = await createJiraWebhookHandler(() => runtime, silent())(event({}));
      for (const result of [servicedesk, jira]) {
        expect(result.statusCode).toBe(413);
        expect(JSON.parse(result.body ?? '')).toEqual({
          error: { code: 'TICKET_TOO_LARGE', message: 'body is larger than 1048576 bytes' },
        });
      }
    } finally {
      await runtime.close();
    }
  });

  it.each<[Route, () => unknown]>([
    [
      'generic',
      () => genericTicket({ comments: Array.from({ length: 45_000 }, () => ({ id: 'c', body: '' })) }),
    ],
    [
      'zendesk',
      () => ({
        ticket: {
          id: 1,
          subject: `Borger ${CPR}`,
          comments: Array.from({ length: 40_000 }, (_, i) => ({ id: i, body: '' })),
        },
      }),
    ],
    [
      'jsm',
      () =>
        jsmIssue({ comment: { comments: Array.from({ length: 40_000 }, (_, i) => ({ id: i, body: '' })) } }),
    ],
    [
      'herlev',
      () => ({
        id: 'H-1',
        summary: `Borger ${CPR}`,
        description: '',
        c: Array.from({ length: 100_000 }, (_, i) => i % 10),
      }),
    ],
  ])('%s: tens of thousands of comments within 1 MiB are 400, refused by count', async (route, payload) => {
    const body = bytes(payload());
    expect(body.byteLength).toBeLessThan(1024 * 1024);
    await expectRefused(
      () => post(route, body),
      400,
      'INVALID_TICKET',
      /^comments: Too big: expected array to have <=1000 items$/,
    );
  });
});

describe('deeply nested and oversized documents', () => {
  it('a description nested 10,000 levels deep is 400 INVALID_DOCUMENT, naming the depth', async () => {
    await expectRefused(
      () => post('jsm', jsmIssue({ description: adf(raw(nested(10_000))) })),
      400,
      'INVALID_DOCUMENT',
      /^issue\.fields\.description\.content\.0(\.content\.0)+: nested deeper than 64 levels$/,
    );
  });

  it('a comment nested 10,000 levels deep is 400 INVALID_DOCUMENT, naming the comment', async () => {
    await expectRefused(
      () => post('jsm', jsmIssue({ comment: { comments: [{ id: '1', body: adf(raw(nested(10_000))) }] } })),
      400,
      'INVALID_DOCUMENT',
      /^issue\.fields\.comment\.comments\.0\.body\.content\.0(\.content\.0)+: nested deeper than 64 levels$/,
    );
  });

  it('card data nested 10,000 levels deep in an attribute is 400 INVALID_DOCUMENT', async () => {
    const data = raw(`${'{"inner":'.repeat(10_000)}{"cpr":"${CPR}"}${'}'.repeat(10_000)}`);
    await expectRefused(
      () =>
        post(
          'jsm',
          jsmIssue({ description: adf({ type: 'blockCard', attrs: { url: 'https://x.example', data } }) }),
        ),
      400,
      'INVALID_DOCUMENT',
      /^content\.0\.attrs: nested deeper than 64 levels$/,
    );
  });

  it('a document of more than 10,000 nodes is 400 INVALID_DOCUMENT', async () => {
    const many = Array.from({ length: 10_001 }, () => ({ type: 'rule' }));
    await expectRefused(
      () => post('jsm', jsmIssue({ description: adf(...many) })),
      400,
      'INVALID_DOCUMENT',
      /more than 10000 nodes$/,
    );
  });

  it('a custom field nested 400,000 levels deep is 400 INVALID_TICKET', async () => {
    const body = `{"tenant":"ballerup","id":"SD-BAD","summary":"x","description":"","fields":{"borger":${deepArrays(400_000)}}}`;
    await expectRefused(
      () => post('generic', body),
      400,
      'INVALID_TICKET',
      /^fields\.borger: Invalid input$/,
    );
  });

  it("a developer's reply nested 10,000 levels deep is 400 INVALID_DOCUMENT, and the servicedesk gets nothing", async () => {
    // A real issue first, so that the reply is not ignored as someone else's.
    const ticket = { tenant: 'ballerup', id: 'SD-REPLY', summary: 'Printer', description: '' };
    expect((await post('generic', ticket)).status).toBe(202);
    let issue: OutboxIssue | undefined;
    for (let i = 0; i < 100 && !issue; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      issue = ((await (await fetch(`${server.url}/outbox`)).json()) as OutboxIssue[]).find(
        (e) => e.source.ticketId === 'SD-REPLY',
      );
    }
    const reply = (body: unknown) => ({
      timestamp: Date.now(),
      webhookEvent: 'comment_created',
      issue: { key: issue?.issueKey },
      comment: { id: '4711', author: { accountId: 'dev', displayName: 'Udvikler' }, body },
    });
    await expectRefused(
      () => post('jira', reply(adf(raw(nested(10_000))))),
      400,
      'INVALID_DOCUMENT',
      /^content\.0(\.content\.0)+: nested deeper than 64 levels$/,
    );
  });
});

describe('unknown fields', () => {
  it('generic: an unknown property is 400 naming it; one named by personal data is not named', async () => {
    await expectRefused(
      () => post('generic', genericTicket({ escalatedBy: NAME })),
      400,
      'INVALID_TICKET',
      /^unknown property "escalatedBy"$/,
    );
    await expectRefused(
      () => post('generic', genericTicket({ [EMAIL]: NAME, comments: [{ id: 'c1', body: '', [CPR]: 1 }] })),
      400,
      'INVALID_TICKET',
      /^comments\.0: unknown property \(a name that looks like personal data\); unknown property \(a name that looks like personal data\)$/,
    );
  });

  it('zendesk: an unknown property inside a comment is 400 naming its path', async () => {
    await expectRefused(
      () => post('zendesk', { ticket: { id: 1, subject: 'x', comments: [{ id: 2, body: '', via: NAME }] } }),
      400,
      'INVALID_TICKET',
      /^ticket\.comments\.0: unknown property "via"$/,
    );
  });

  it.each<[Route, object]>([
    [
      'jsm',
      {
        ...jsmIssue(
          { customfield_10099: `CPR ${CPR}`, assignee: { displayName: NAME, emailAddress: EMAIL } },
          'SD-4712',
        ),
        changelog: { note: CPR },
      },
    ],
    [
      'mapped',
      {
        id: 'TD-1',
        briefDescription: 'Printer',
        request: '',
        caller: { dynamicName: 'Support' },
        optionalFields1: { text1: `${NAME} ${CPR} ${EMAIL}` },
      },
    ],
  ])(
    '%s: fields the adapter does not read are accepted and ignored, as documented: none of it goes on',
    async (route, payload) => {
      // README, "Servicedesks and tenants": adapters read only the parts they name; nothing else in a
      // payload is copied anywhere. Jira's and TOPdesk's payloads are large and change: refusing what is
      // not read would refuse them.
      const response = await post(route, payload);
      expect(response.status).toBe(202);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const after = await stored();
      for (const value of PLANTED) expect(after).not.toContain(value);
    },
  );
});

/** A zip archive holding one deflated file, built by hand: no dependency for a test fixture. */
function zip(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const packed = deflateRawSync(data);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(8, 8);
  header.writeUInt32LE(packed.length, 18);
  header.writeUInt32LE(data.length, 22);
  header.writeUInt16LE(name.length, 26);
  return Buffer.concat([header, Buffer.from(name), packed]);
}

describe('attachments', () => {
  const attach = (attachment: object) =>
    genericTicket({ id: 'SD-ATT', attachments: [{ id: 'a1', ...attachment }] });

  it('base64 that is not base64 is 400 naming the attachment', async () => {
    await expectRefused(
      () =>
        post('generic', attach({ filename: 'log.txt', mimeType: 'text/plain', contentBase64: `!!${CPR}??` })),
      400,
      'INVALID_TICKET',
      /^attachments\.0\.contentBase64: /,
    );
  });

  it('more than 100 attachments is 400', async () => {
    const attachments = Array.from({ length: 101 }, (_, i) => ({ id: `a${i}`, filename: 'x.txt' }));
    await expectRefused(
      () => post('generic', genericTicket({ attachments })),
      400,
      'INVALID_TICKET',
      /^attachments: Too big: expected array to have <=100 items$/,
    );
  });

  it('a base64 attachment past the body limit is 413', async () => {
    const contentBase64 = Buffer.alloc(1024 * 1024, 0x41).toString('base64');
    await expectRefused(
      () => post('generic', attach({ filename: 'dump.txt', mimeType: 'text/plain', contentBase64 })),
      413,
      'TICKET_TOO_LARGE',
      /too large/,
    );
  });

  it.each<[string, object]>([
    [
      'a zip declared as text/plain',
      {
        filename: 'log.txt',
        mimeType: 'text/plain',
        contentBase64: zip('cpr.txt', `CPR ${CPR} ${NAME}`).toString('base64'),
      },
    ],
    // 200 MB of zeros in 200 KB: the proxy never unpacks anything, so the bomb stays 200 KB.
    [
      'a gzip bomb',
      {
        filename: 'backup.gz',
        mimeType: 'application/gzip',
        contentBase64: gzipSync(Buffer.alloc(200 * 1024 * 1024)).toString('base64'),
      },
    ],
  ])(
    '%s is accepted with its content withheld, as documented for content that is not UTF-8 text',
    async (name, attachment) => {
      // README, "What fails closed": attachments that are not UTF-8 text cannot be sanitized: their
      // content is withheld and only the sanitized file name goes on.
      const id = name.startsWith('a zip') ? 'SD-ZIP' : 'SD-GZIP';
      const response = await post('generic', { ...attach(attachment), id });
      expect(response.status).toBe(202);
      expect(response.ms).toBeLessThan(5000);
      let issue: OutboxIssue | undefined;
      for (let i = 0; i < 100 && !issue?.comments.length; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        issue = ((await (await fetch(`${server.url}/outbox`)).json()) as OutboxIssue[]).find(
          (e) => e.source.ticketId === id,
        );
      }
      expect(issue?.attachments).toEqual([]);
      expect(JSON.stringify(issue?.comments)).toMatch(
        /Vedhæftet fil tilbageholdt: [^,]+, [\d.]+ (B|KiB|MiB)\./,
      );
      const after = await stored();
      expect(after).not.toContain((attachment as { contentBase64: string }).contentBase64.slice(0, 40));
      for (const value of PLANTED) expect(after).not.toContain(value);
    },
  );
});

describe('after sanitizing', () => {
  // README: "A webhook whose ... ticket is invalid gets a 4xx naming what is wrong and stores nothing."
  // A ticket valid as sent but too large once its values are tokens (a token is longer than the
  // e-mail address it replaces) is refused before anything is written to the vault.
  const grows = (id: string) => genericTicket({ id, description: 'skriv til a@b.dk '.repeat(15_000) });

  it('a ticket that grows past the field limit once sanitized is 400, naming the field', async () => {
    const { status, text } = await post('generic', grows('SD-GROW-1'));
    expect(status).toBe(400);
    expect(JSON.parse(text)).toEqual({
      error: { code: 'INVALID_TICKET', message: 'description: once sanitized, longer than 256 KiB' },
    });
  });

  it('... and stores nothing: the limits are checked before the tokens are written', async () => {
    const before = await stored();
    expect((await post('generic', grows('SD-GROW-2'))).status).toBe(400);
    expect(await stored()).toBe(before);
  });
});
