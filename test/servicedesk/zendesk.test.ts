import { describe, expect, it } from 'vitest';
import { ErrorCode, InvalidTicketError } from '../../lib/errors.ts';
import type { WebhookRequest } from '../../lib/servicedesk/servicedesk-adapter.ts';
import { zendeskAdapter } from '../../lib/servicedesk/zendesk.ts';
import { signZendeskWebhook } from '../../lib/webhook/zendesk-signature.ts';
import { samplePayloads } from '../support/payloads.ts';

const sample = samplePayloads.zendeskTicket;
const secret = 'zendesk-signing-secret-0123456789';
const now = Date.parse('2026-09-03T08:01:10Z') / 1000;

function request(body: Uint8Array | string | object, headers: Record<string, string> = {}): WebhookRequest {
  const bytes =
    typeof body === 'string'
      ? Buffer.from(body)
      : body instanceof Uint8Array
        ? body
        : Buffer.from(JSON.stringify(body));
  return { tenant: 'ballerup', headers, body: bytes, nowSeconds: now };
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

/** The sample with its ticket changed: a property set, or removed where the value is undefined. */
function withTicket(changes: Record<string, unknown>) {
  const json = structuredClone(sample.json) as { ticket: Record<string, unknown> };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete json.ticket[key];
    else json.ticket[key] = value;
  }
  return json;
}

describe('zendesk adapter', () => {
  it('reads the documented payload into the generic ticket', () => {
    const { ticket, adf } = zendeskAdapter.toTicket(request(sample.body), undefined);
    const json = structuredClone(sample.json) as {
      ticket: { description: string; comments: { plain_body?: string }[] };
    };
    expect(ticket).toEqual({
      tenant: 'ballerup',
      id: '35436',
      summary: 'Hjemmeplejen kan ikke se borgerens medicinliste (CPR 071165-4321)',
      description: json.ticket.description,
      reporter: { name: 'Signe Bertelsen', email: 'signe.bertelsen@kommune.example.dk' },
      status: 'open',
      priority: 'high',
      created: '2026-09-03T07:12:44Z',
      updated: '2026-09-03T08:01:09Z',
      labels: ['nexus', 'medicin', 'hjemmepleje'],
      comments: [
        {
          id: '9001001',
          author: { name: 'Signe Bertelsen', email: 'signe.bertelsen@kommune.example.dk' },
          body: json.ticket.description,
          created: '2026-09-03T07:12:44Z',
          internal: false,
        },
        {
          id: '9001002',
          author: { name: 'Rasmus Lauridsen', email: 'rasmus.lauridsen@kommune.example.dk' },
          body: json.ticket.comments[1]?.plain_body,
          created: '2026-09-03T08:01:09Z',
          internal: true,
        },
      ],
    });
    expect(adf).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['ids written as strings', { id: '35436' }, { id: '35436' }],
    [
      'tags as {{ticket.tags}} renders them, space-separated',
      { tags: 'nexus  medicin' },
      { labels: ['nexus', 'medicin'] },
    ],
    [
      'an empty priority, as a placeholder without a value renders',
      { priority: '' },
      { priority: undefined },
    ],
    ['a null priority, as the API writes it', { priority: null }, { priority: undefined }],
    ['no description', { description: undefined }, { description: '' }],
    [
      'a timestamp with an offset without a colon',
      { created_at: '2026-09-03T09:12:44+0200' },
      { created: '2026-09-03T09:12:44+02:00' },
    ],
  ])('accepts %s', (_case, changes, expected) => {
    const { ticket } = zendeskAdapter.toTicket(request(withTicket(changes)), undefined);
    for (const [key, value] of Object.entries(expected)) {
      if (value === undefined) expect(ticket).not.toHaveProperty(key);
      else expect(ticket[key as keyof typeof ticket]).toEqual(value);
    }
  });

  it('prefers body to plain_body when a comment has both', () => {
    const comments = [{ id: 1, body: 'Formateret', plain_body: 'Uformateret', public: true }];
    const { ticket } = zendeskAdapter.toTicket(request(withTicket({ comments })), undefined);
    expect(ticket.comments?.[0]?.body).toBe('Formateret');
  });

  it.each<[string, Uint8Array | string | object, string, string]>([
    ['malformed JSON', '{"ticket": {"subject": "Lars Christensen"', '', 'not valid JSON'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xe6, 0x7d]), '', 'body is not valid UTF-8'],
    ['a body without a ticket', { subject: 'x' }, '', 'unknown property "subject"'],
    [
      'a property the payload does not define',
      withTicket({ via: { channel: 'web' } }),
      'ticket',
      'unknown property "via"',
    ],
    [
      'a property named like personal data',
      withTicket({ 'Lars Christensen': 1 }),
      'ticket',
      'unknown property (a name that looks like personal data)',
    ],
    [
      "Zendesk's html_body",
      withTicket({ comments: [{ id: 1, html_body: '<p>Lars</p>' }] }),
      'ticket.comments.0',
      'unknown property "html_body"',
    ],
    [
      'a requester with a phone number',
      withTicket({ requester: { name: 'Lars', phone: '20456789' } }),
      'ticket.requester',
      'unknown property "phone"',
    ],
    [
      'a comment without a body',
      withTicket({ comments: [{ id: 1, public: true }] }),
      'ticket.comments.0',
      'needs body or plain_body',
    ],
    ['a missing subject', withTicket({ subject: undefined }), 'ticket.subject', 'is required'],
    [
      'an id that is not a Zendesk id',
      withTicket({ id: '071165-4321' }),
      'ticket.id',
      'must be a Zendesk id',
    ],
    ['an id of the wrong type', withTicket({ id: true }), 'ticket.id', 'must be a Zendesk id'],
    [
      'a public flag that is not a boolean',
      withTicket({ comments: [{ id: 1, body: 'x', public: 'false' }] }),
      'ticket.comments.0.public',
      'expected boolean',
    ],
    [
      'a timestamp that is not ISO 8601',
      withTicket({ updated_at: 'September 3, 2026 08:01' }),
      'ticket.updated_at',
      'Invalid ISO datetime',
    ],
  ])('refuses %s, naming the path and never a value', (_case, body, path, message) => {
    const error = failure(() => zendeskAdapter.toTicket(request(body), undefined));
    expect(error.code).toBe(ErrorCode.INVALID_TICKET);
    expect(error.issues).toContainEqual({ path, message: expect.stringContaining(message) });
    for (const value of sample.all) expect(error.message).not.toContain(value);
  });

  it("verifies Zendesk's signature and its timestamp", () => {
    const { signature, timestamp } = signZendeskWebhook(secret, sample.body, '2026-09-03T08:01:09Z');
    const headers = {
      'x-zendesk-webhook-signature': signature,
      'x-zendesk-webhook-signature-timestamp': timestamp,
    };
    expect(zendeskAdapter.verify(request(sample.body, headers), [secret])).toEqual({ valid: true });
    expect(zendeskAdapter.verify(request(Buffer.from('{}'), headers), [secret]).valid).toBe(false);
    expect(zendeskAdapter.verify(request(sample.body), [secret]).valid).toBe(false);
  });
});
