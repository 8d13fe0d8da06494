import { describe, expect, it } from 'vitest';
import { ConfigError, ErrorCode, InvalidTicketError } from '../../lib/errors.ts';
import {
  type MappedConfig,
  mappedAdapter,
  mappedConfigSchema,
  parseMappedConfig,
  verifyMappedRequest,
} from '../../lib/servicedesk/mapped.ts';
import type { WebhookRequest } from '../../lib/servicedesk/servicedesk-adapter.ts';
import { signWebhook } from '../../lib/webhook/signature.ts';
import { samplePayloads, topdeskMapping } from '../support/payloads.ts';

const sample = samplePayloads.topdeskIncident;
const config = parseMappedConfig(topdeskMapping);
const secret = 'topdesk-shared-secret-0123456789';
const now = 1_788_420_000;

function request(body: Uint8Array | string | object, headers: Record<string, string> = {}): WebhookRequest {
  const bytes =
    typeof body === 'string'
      ? Buffer.from(body)
      : body instanceof Uint8Array
        ? body
        : Buffer.from(JSON.stringify(body));
  return { tenant: 'ballerup', headers, body: bytes, nowSeconds: now };
}

function failure<E extends Error>(kind: new (...args: never[]) => E, fn: () => unknown): E {
  try {
    fn();
  } catch (error) {
    if (error instanceof kind) return error;
    throw error;
  }
  throw new Error(`expected a ${kind.name}`);
}

const minimal = (mapping: Partial<MappedConfig['mapping']>, auth?: MappedConfig['auth']) =>
  parseMappedConfig({
    mapping: { id: 'id', summary: 'title', description: 'text', ...mapping },
    ...(auth && { auth }),
  });

describe('mapped adapter: a TOPdesk incident', () => {
  const { ticket, adf } = mappedAdapter.toTicket(request(sample.body), config);

  it('reads the incident with the mapping', () => {
    expect(ticket).toMatchObject({
      tenant: 'ballerup',
      id: '8f3c2a10-5d4e-4b7a-9c61-2e0f7a9b1c35',
      summary: 'Fejl i ansøgning om boligstøtte - Ulla Thomsen',
      reporter: { name: 'Bente Madsen', email: 'bente.madsen@kommune.example.dk' },
      status: 'Under behandling',
      priority: 'P2 Høj',
      labels: ['Selvbetjening', 'Boligstøtte'],
      fields: { 'topdesk-nummer': 'I 2609 014', afdeling: 'Borgerservice', lokation: 'Ballerup Rådhus' },
    });
    expect(ticket.description).toMatch(/^03-09-2026 09:14 Torben Jensen:\nBorgeren Ulla Thomsen/);
    expect(adf).toBeUndefined();
  });

  it("writes TOPdesk's timestamps as ISO 8601 and leaves out a closedDate of null", () => {
    expect(ticket.created).toBe('2026-09-03T09:14:00.000+02:00');
    expect(ticket.updated).toBe('2026-09-03T10:02:47.000+02:00');
    expect(ticket).not.toHaveProperty('closedAt');
  });

  it('reads each action as a comment: the operator or the person as author, invisibleForCaller as internal', () => {
    expect(ticket.comments?.map((c) => [c.author?.name, c.internal, c.created])).toEqual([
      ['Torben Jensen', false, '2026-09-03T09:40:00.000+02:00'],
      ['Camilla Christensen', true, '2026-09-03T10:02:00.000+02:00'],
      ['Bente Madsen', false, '2026-09-03T10:05:00.000+02:00'],
    ]);
  });

  it('copies nothing the mapping does not select: unmapped input cannot leak', () => {
    const serialized = JSON.stringify(ticket);
    for (const value of ['44 77 20 13', '30 12 45 78', 'BM2291', 'Sagsbehandler'])
      expect(serialized).not.toContain(value);
  });
});

describe('mapped adapter: values', () => {
  const incident = {
    sys_id: 4711,
    title: 'Printer',
    text: null,
    opened: '2026-09-01T09:00:00Z',
    notes: [{ n: 12, text: 'Ring til Jens Hansen', hidden: true }],
  };

  it('turns numbers for ids into strings, and reads a null description as ""', () => {
    const mapped = minimal({
      id: 'sys_id',
      created: 'opened',
      comments: { list: 'notes', id: 'n', body: 'text', internal: 'hidden' },
    });
    expect(mappedAdapter.toTicket(request(incident), mapped).ticket).toEqual({
      tenant: 'ballerup',
      id: '4711',
      summary: 'Printer',
      description: '',
      created: '2026-09-01T09:00:00Z',
      comments: [{ id: '12', body: 'Ring til Jens Hansen', internal: true }],
    });
  });

  it('leaves out optional parts an expression finds nothing for', () => {
    const mapped = minimal({
      id: 'sys_id',
      status: 'state.name',
      reporterName: 'caller.name',
      comments: { list: 'none', id: 'n', body: 'text' },
    });
    const { ticket } = mappedAdapter.toTicket(request(incident), mapped);
    expect(Object.keys(ticket).sort()).toEqual(['description', 'id', 'summary', 'tenant']);
  });

  it.each<[string, Partial<MappedConfig['mapping']>, object, string, string]>([
    [
      'a required part it finds nothing for',
      { summary: 'missing' },
      { id: 1, text: '' },
      'summary',
      'is required',
    ],
    ['an id that is an object', { id: '@' }, { title: 'x', text: '' }, 'id', 'expected string'],
    [
      'a field value that is not a scalar',
      { fields: { borger: 'person' } },
      { id: 1, title: 'x', text: '', person: { cpr: '0101901234' } },
      'fields.borger',
      'Invalid input',
    ],
    [
      'labels that are not strings',
      { labels: 'tags' },
      { id: 1, title: 'x', text: '', tags: [1] },
      'labels.0',
      'expected string',
    ],
    [
      'a comment list that is not a list',
      { comments: { list: 'notes', id: 'n', body: 'b' } },
      { id: 1, title: 'x', text: '', notes: 'Jens Hansen' },
      'comments',
      'must give an array',
    ],
    [
      'a function given the wrong type',
      { summary: "join(', ', title)" },
      { id: 1, title: 'Jens Hansen', text: '' },
      'summary',
      'mapping.summary does not fit this payload',
    ],
  ])('refuses %s, naming the path and never a value', (_case, mapping, payload, path, message) => {
    const error = failure(InvalidTicketError, () =>
      mappedAdapter.toTicket(request(payload), minimal(mapping)),
    );
    expect(error.issues).toContainEqual({ path, message: expect.stringContaining(message) });
    expect(error.message).not.toMatch(/Jens|0101901234/);
    expect(error.cause).toBeUndefined();
  });

  it.each<[string, string | Uint8Array, string]>([
    ['malformed JSON', '{"title": "Jens Hansen"', 'not valid JSON'],
    ['invalid UTF-8', Buffer.from([0x22, 0xff, 0x22]), 'body is not valid UTF-8'],
  ])('refuses %s', (_case, body, message) => {
    const error = failure(InvalidTicketError, () => mappedAdapter.toTicket(request(body), config));
    expect(error.code).toBe(ErrorCode.INVALID_TICKET);
    expect(error.message).toContain(message);
  });
});

describe('mapped adapter: configuration', () => {
  it('defaults auth to the shared secret', () => {
    expect(minimal({}).auth).toBe('shared-secret');
  });

  it.each([
    ['a parse error', { summary: 'title[' }, 'mapping.summary'],
    ['an unknown function', { description: 'lower(text)' }, 'mapping.description'],
    ['an unknown function under a projection', { labels: 'tags[*].trim(@)' }, 'mapping.labels'],
    ['a wrong number of arguments', { id: 'length(a, b)' }, 'mapping.id'],
    ['an empty expression', { status: '' }, 'mapping.status'],
    [
      'a bad comment expression',
      { comments: { list: 'actions', id: 'id', body: 'memoText[' } },
      'mapping.comments.body',
    ],
    ['a bad field expression', { fields: { nummer: 'number]' } }, 'mapping.fields.nummer'],
    ['an unknown mapping key', { reporterPhone: 'caller.phoneNumber' }, 'mapping'],
  ])('refuses %s, naming the mapping key', (_case, mapping, key) => {
    const error = failure(ConfigError, () =>
      parseMappedConfig({ mapping: { id: 'id', summary: 'title', description: 'text', ...mapping } }),
    );
    expect(error.code).toBe(ErrorCode.CONFIG_INVALID);
    expect(error.message).toContain(`${key}:`);
  });

  it('accepts expressions that only fail on some data, such as a function on a missing value', () => {
    expect(
      mappedConfigSchema.safeParse({
        mapping: { id: 'to_string(number)', summary: "join(' ', tags)", description: 'text' },
      }).success,
    ).toBe(true);
  });

  it('refuses an unknown auth', () => {
    expect(() =>
      parseMappedConfig({ auth: 'none', mapping: { id: 'id', summary: 'a', description: 'b' } }),
    ).toThrow(ConfigError);
  });
});

describe('mapped adapter: verification', () => {
  const body = sample.body;
  const signature = signWebhook(secret, body, now);

  it.each([
    ['the shared-secret header', { 'x-ticket-proxy-secret': secret }],
    ['the signature', { 'x-ticket-proxy-signature': signature }],
  ])('without its configuration, accepts %s', (_case, headers) => {
    expect(mappedAdapter.verify(request(body, headers), [secret])).toEqual({ valid: true });
  });

  it.each([
    ['a wrong shared secret', { 'x-ticket-proxy-secret': 'x'.repeat(20) }],
    [
      'a bad signature, even with the right shared secret',
      { 'x-ticket-proxy-signature': signWebhook('x'.repeat(20), body, now), 'x-ticket-proxy-secret': secret },
    ],
    ['neither header', {}],
  ])('refuses %s', (_case, headers) => {
    expect(mappedAdapter.verify(request(body, headers), [secret]).valid).toBe(false);
  });

  it("refuses an unsigned request when the configuration says auth: 'signature'", () => {
    const signed = minimal({}, 'signature');
    const unsigned = request({ id: 1, title: 'x', text: '' }, { 'x-ticket-proxy-secret': secret });
    expect(mappedAdapter.verify(unsigned, [secret]).valid).toBe(true);
    expect(failure(InvalidTicketError, () => mappedAdapter.toTicket(unsigned, signed)).message).toContain(
      'X-Ticket-Proxy-Signature',
    );
  });

  it('verifies strictly by auth where the configuration is at hand', () => {
    expect(
      verifyMappedRequest(request(body, { 'x-ticket-proxy-secret': secret }), [secret], 'signature').valid,
    ).toBe(false);
    expect(
      verifyMappedRequest(request(body, { 'x-ticket-proxy-signature': signature }), [secret], 'signature')
        .valid,
    ).toBe(true);
    expect(
      verifyMappedRequest(request(body, { 'x-ticket-proxy-signature': signature }), [secret], 'shared-secret')
        .valid,
    ).toBe(false);
  });
});
