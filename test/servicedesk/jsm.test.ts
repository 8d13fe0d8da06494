import { describe, expect, it } from 'vitest';
import { adfToText } from '../../lib/document/adf-text.ts';
import { ErrorCode, InvalidTicketError } from '../../lib/errors.ts';
import { jsmAdapter } from '../../lib/servicedesk/jsm.ts';
import type { WebhookRequest } from '../../lib/servicedesk/servicedesk-adapter.ts';
import { signHubSignature } from '../../lib/webhook/hub-signature.ts';
import { assertValidAdf } from '../support/adf-schema.ts';
import { samplePayloads } from '../support/payloads.ts';

const secret = 'jira-webhook-secret-0123456789';
const created = samplePayloads.jsmIssueCreated;
const commented = samplePayloads.jsmCommentCreated;
const PLANTED = [...created.all, ...commented.all];

function request(body: Uint8Array | string | object, headers: Record<string, string> = {}): WebhookRequest {
  const bytes =
    typeof body === 'string'
      ? Buffer.from(body)
      : body instanceof Uint8Array
        ? body
        : Buffer.from(JSON.stringify(body));
  return { tenant: 'ballerup', headers, body: bytes, nowSeconds: 1_788_246_000 };
}

function failure(fn: () => unknown): InvalidTicketError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidTicketError) return error;
    throw error;
  }
  throw new Error('expected an InvalidTicketError');
}

/** A Jira payload, edited freely by the tests: its shape is what the adapter checks. */
// biome-ignore lint/suspicious/noExplicitAny: fixtures are reshaped on purpose, including into invalid shapes
type Payload = any;

/** A deep copy of a sample's JSON, to change one part of it. */
const copy = (json: unknown): Payload => structuredClone(json);

describe('jsm adapter: jira:issue_created', () => {
  const inbound = jsmAdapter.toTicket(request(created.body), undefined);
  const json = copy(created.json);

  it('reads the issue into the generic ticket, the key as its id', () => {
    expect(inbound.ticket).toMatchObject({
      tenant: 'ballerup',
      id: 'SD-4711',
      summary: 'Borger kan ikke logge ind på Min Side – CPR 120378-1457',
      reporter: { name: 'Mette Rasmussen', email: 'mette.rasmussen@kommune.example.dk' },
      status: 'Åben',
      priority: 'High',
      labels: ['min-side', 'login'],
      closedAt: null,
    });
  });

  it("writes Jira's timestamps as ISO 8601, with a colon in the offset", () => {
    expect(inbound.ticket.created).toBe('2026-09-01T09:00:00.000+02:00');
    expect(inbound.ticket.updated).toBe('2026-09-01T09:05:12.345+02:00');
    expect(inbound.ticket.comments?.[0]?.created).toBe('2026-09-01T09:30:00.000+02:00');
  });

  it('forwards an ADF description as ADF, with its text in the ticket for detection', () => {
    expect(inbound.adf?.description).toEqual(json.issue.fields.description);
    assertValidAdf(inbound.adf?.description);
    expect(inbound.ticket.description).toBe(adfToText(json.issue.fields.description));
    expect(inbound.ticket.description).toContain('Søren Østergaard (CPR 120378-1457)');
  });

  it('reads comments in order, ADF bodies as text and ADF, jsdPublic false as internal', () => {
    expect(inbound.ticket.comments).toEqual([
      {
        id: '10041',
        author: { name: 'Jens Thomsen', email: 'jens.thomsen@kommune.example.dk' },
        body: 'Hej Søren Østergaard, vi har nulstillet din konto. Log ind med MitID og skift adgangskoden.',
        created: '2026-09-01T09:30:00.000+02:00',
        internal: false,
      },
      {
        id: '10042',
        author: { name: 'Mette Rasmussen', email: 'mette.rasmussen@kommune.example.dk' },
        body: json.issue.fields.comment.comments[1].body,
        created: '2026-09-01T09:41:00.000+02:00',
        internal: true,
      },
    ]);
    expect(Object.keys(inbound.adf?.comments ?? {})).toEqual(['10041']);
    expect(inbound.adf?.comments?.['10041']).toEqual(json.issue.fields.comment.comments[0].body);
  });

  it('copies no custom field unless configured, and only scalar ones when configured', () => {
    expect(inbound.ticket.fields).toBeUndefined();
    const configured = jsmAdapter.toTicket(request(created.body), {
      includeCustomFields: {
        customfield_10010: 'kommune',
        customfield_10020: 'område',
        customfield_10999: 'mangler',
      },
    });
    expect(configured.ticket.fields).toEqual({ kommune: 'Ballerup' });
  });

  it('never copies what it does not read: unmapped input cannot leak', () => {
    const payload = copy(created.json);
    payload.user.displayName = 'Ukendt Aktør';
    payload.issue.fields.customfield_10030 = 'CPR 2909851234';
    payload.issue.fields.environment = 'Kasper Lund, kasper.lund@example.dk';
    payload.issue.fields.reporter.phoneNumber = '22 33 44 55';
    payload.issue.fields.comment.comments[0].author.phone = '66 77 88 99';
    payload.changelog = { items: [{ field: 'description', fromString: 'Anne Holm 0305821234' }] };
    const serialized = JSON.stringify(jsmAdapter.toTicket(request(payload), undefined));
    for (const value of [
      'Ukendt Aktør',
      '2909851234',
      'Kasper Lund',
      '22 33 44 55',
      '66 77 88 99',
      'Anne Holm',
    ]) {
      expect(serialized).not.toContain(value);
    }
  });
});

describe('jsm adapter: comment events and automation', () => {
  it('reads a comment_created event: the comment from the top level, the issue fields it has', () => {
    const { ticket, adf } = jsmAdapter.toTicket(request(commented.body), undefined);
    expect(ticket).toEqual({
      tenant: 'ballerup',
      id: 'SD-4711',
      summary: 'Borger kan ikke logge ind på Min Side – CPR 120378-1457',
      description: '',
      status: 'I gang',
      priority: 'High',
      comments: [
        {
          id: '10045',
          author: { name: 'Jens Thomsen', email: 'jens.thomsen@kommune.example.dk' },
          body: copy(commented.json).comment.body,
          created: '2026-09-02T10:15:00.000+02:00',
          internal: false,
        },
      ],
    });
    expect(adf).toBeUndefined();
  });

  it("merges the issue's comments with the event's, once per id, the event's version winning", () => {
    const payload = copy(created.json);
    payload.webhookEvent = 'comment_updated';
    payload.comment = { ...payload.issue.fields.comment.comments[1], body: 'Rettet: intern note uden data.' };
    const { ticket } = jsmAdapter.toTicket(request(payload), undefined);
    expect(ticket.comments?.map((c) => [c.id, c.body.slice(0, 6)])).toEqual([
      ['10041', 'Hej Sø'],
      ['10042', 'Rettet'],
    ]);
  });

  it('appends an event comment the issue does not list yet', () => {
    const payload = copy(created.json);
    payload.webhookEvent = 'comment_created';
    payload.comment = { id: 10050, body: 'Ny kommentar', jsdPublic: true };
    const { ticket } = jsmAdapter.toTicket(request(payload), undefined);
    expect(ticket.comments?.map((c) => c.id)).toEqual(['10041', '10042', '10050']);
  });

  it('reads an automation "send web request" payload: no webhookEvent, the issue in Jira format', () => {
    const payload = { issue: copy(created.json).issue, automationRule: 'Send til Jira' };
    const { ticket, adf } = jsmAdapter.toTicket(request(payload), undefined);
    expect(ticket.id).toBe('SD-4711');
    expect(adf?.description).toBeDefined();
  });

  it('reads a wiki-markup string description as it is, with no ADF', () => {
    const payload = copy(created.json);
    payload.issue.fields.description = 'Borgeren *Søren Østergaard* ringer.';
    const { ticket, adf } = jsmAdapter.toTicket(request(payload), undefined);
    expect(ticket.description).toBe('Borgeren *Søren Østergaard* ringer.');
    expect(adf?.description).toBeUndefined();
  });

  it('keeps an ADF comment whose id is __proto__ as an ordinary entry', () => {
    const payload = copy(created.json);
    payload.issue.fields.comment.comments[0].id = '__proto__';
    const { adf } = jsmAdapter.toTicket(request(payload), undefined);
    expect(Object.keys(adf?.comments ?? {})).toEqual(['__proto__']);
  });

  it.each([
    ['a null reporter, status and priority', { reporter: null, status: null, priority: null }],
    [
      'no labels, dates or comments',
      { labels: null, created: undefined, updated: undefined, comment: undefined },
    ],
  ])('accepts %s, leaving them out', (_case, fields) => {
    const payload = copy(created.json);
    Object.assign(payload.issue.fields, fields);
    const { ticket } = jsmAdapter.toTicket(request(payload), undefined);
    for (const [key, value] of Object.entries(fields))
      if (value === null) expect(ticket).not.toHaveProperty(key);
  });
});

describe('jsm adapter: verification', () => {
  const body = created.body;

  it.each([
    ['a valid X-Hub-Signature', { 'x-hub-signature': signHubSignature(secret, body) }],
    ['the shared-secret header (automation cannot sign)', { 'x-ticket-proxy-secret': secret }],
  ])('accepts %s', (_case, headers) => {
    expect(jsmAdapter.verify(request(body, headers), [secret])).toEqual({ valid: true });
  });

  it.each([
    [
      'a wrong X-Hub-Signature, even with the right shared secret',
      { 'x-hub-signature': signHubSignature('x'.repeat(20), body), 'x-ticket-proxy-secret': secret },
    ],
    ['a wrong shared secret', { 'x-ticket-proxy-secret': 'x'.repeat(20) }],
    ['neither header', {}],
  ])('refuses %s', (_case, headers) => {
    expect(jsmAdapter.verify(request(body, headers), [secret]).valid).toBe(false);
  });
});

describe('jsm adapter: refusals', () => {
  const withFields = (fields: Record<string, unknown>) => {
    const payload = copy(created.json);
    Object.assign(payload.issue.fields, fields);
    return payload;
  };

  it.each<[string, Uint8Array | string | object, string, string]>([
    [
      'malformed JSON',
      '{"issue": {"key": "SD-1", "fields": {"summary": "Søren Østergaard"',
      '',
      'not valid JSON',
    ],
    ['invalid UTF-8', Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), '', 'body is not valid UTF-8'],
    ['a payload without an issue', { webhookEvent: 'jira:issue_created' }, 'issue', 'is required'],
    [
      'an issue without a key',
      { issue: { fields: { summary: 'Søren Østergaard' } } },
      'issue.key',
      'is required',
    ],
    [
      'a summary that is not text',
      withFields({ summary: 120378 }),
      'issue.fields.summary',
      'expected string',
    ],
    [
      'an event it does not handle',
      { ...copy(created.json), webhookEvent: 'jira:issue_deleted' },
      'webhookEvent',
      'Invalid option',
    ],
    [
      'a description that is neither text nor ADF',
      withFields({ description: { text: 'Søren Østergaard' } }),
      'issue.fields.description',
      'must be a string or an ADF document',
    ],
    [
      'a timestamp Jira does not write',
      withFields({ created: '01-09-2026 09:00' }),
      'issue.fields.created',
      'Invalid ISO datetime',
    ],
    [
      'labels that are not text',
      withFields({ labels: ['ok', 120378] }),
      'issue.fields.labels.1',
      'expected string',
    ],
    [
      'an issue key with spaces',
      { ...copy(created.json), issue: { ...copy(created.json).issue, key: 'SD 4711' } },
      'id',
      'must be 1-128 characters',
    ],
  ])('refuses %s, naming the path and never a value', (_case, body, path, message) => {
    const error = failure(() => jsmAdapter.toTicket(request(body), undefined));
    expect(error.code).toBe(ErrorCode.INVALID_TICKET);
    expect(error.issues[0]).toEqual({ path, message: expect.stringContaining(message) });
    for (const value of PLANTED) expect(error.message).not.toContain(value);
  });

  it('refuses ADF whose nodes are not nodes, naming the path inside the payload', () => {
    const payload = withFields({
      description: { type: 'doc', version: 1, content: [{ text: 'Søren Østergaard' }] },
    });
    const error = failure(() => jsmAdapter.toTicket(request(payload), undefined));
    expect(error.code).toBe(ErrorCode.INVALID_DOCUMENT);
    expect(error.issues).toEqual([
      { path: 'issue.fields.description.content.0', message: 'not an ADF node' },
    ]);
  });

  it('refuses a bad ADF comment body, naming the comment', () => {
    const payload = copy(created.json);
    payload.issue.fields.comment.comments[0].body.content = [{ type: 'paragraph', content: 'Søren' }];
    payload.issue.fields.comment.comments[0].body.content[0].content = [42];
    const error = failure(() => jsmAdapter.toTicket(request(payload), undefined));
    expect(error.issues[0]?.path).toBe('issue.fields.comment.comments.0.body.content.0.content.0');
  });

  it.each([
    ['a custom field id that is not one', { includeCustomFields: { summary: 'x' } }],
    ['an unknown option', { includeCustomfields: {} }],
  ])('has a configuration schema that refuses %s', async (_case, config) => {
    const { jsmConfigSchema } = await import('../../lib/servicedesk/jsm.ts');
    expect(jsmConfigSchema.safeParse(config).success).toBe(false);
  });
});
