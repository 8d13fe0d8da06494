import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ErrorCode, InvalidTicketError } from '../../lib/errors.ts';
import {
  decodeJsonBody,
  genericAdapter,
  parsePayload,
  toIsoTimestamp,
} from '../../lib/servicedesk/generic.ts';
import type { WebhookRequest } from '../../lib/servicedesk/servicedesk-adapter.ts';
import { TicketLimits } from '../../lib/ticket/generic-ticket.ts';
import { signWebhook } from '../../lib/webhook/signature.ts';

const secret = 'generic-webhook-secret-0123456789';
const now = 1_788_246_000;
const ticket = {
  tenant: 'ballerup',
  id: 'SD-12345',
  summary: 'Borger kan ikke logge ind',
  description: 'Borgeren Jens Hansen, CPR 010190-1234, ringer på 40 12 34 56.',
  reporter: { name: 'Mette Holm', email: 'mette.holm@kommune.example.dk' },
};
const PLANTED = ['Jens Hansen', '010190-1234', '40 12 34 56', 'Mette Holm', 'mette.holm@kommune.example.dk'];

function request(body: Uint8Array | string, headers: Record<string, string> = {}): WebhookRequest {
  return {
    tenant: 'ballerup',
    headers,
    body: typeof body === 'string' ? Buffer.from(body) : body,
    nowSeconds: now,
  };
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

describe('generic adapter', () => {
  it('reads the generic ticket as it is', () => {
    expect(genericAdapter.toTicket(request(JSON.stringify(ticket)), undefined)).toEqual({ ticket });
  });

  it('verifies X-Ticket-Proxy-Signature over the raw body', () => {
    const body = Buffer.from(JSON.stringify(ticket));
    const signed = request(body, { 'x-ticket-proxy-signature': signWebhook(secret, body, now) });
    expect(genericAdapter.verify(signed, [secret])).toEqual({ valid: true });
    expect(genericAdapter.verify(request(body), [secret])).toEqual({
      valid: false,
      reason: 'signature header is missing',
    });
  });

  it.each<[string, string | Uint8Array, string, string]>([
    [
      'a ticket for another tenant',
      JSON.stringify({ ...ticket, tenant: 'herlev' }),
      'tenant',
      "does not match the webhook's tenant",
    ],
    ['malformed JSON', `{"description":"${ticket.description}"`, '', 'not valid JSON'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), '', 'body is not valid UTF-8'],
    ['an empty body', '', '', 'empty, not a ticket'],
    ['an unknown property', JSON.stringify({ ...ticket, cpr: '010190-1234' }), '', 'unknown property "cpr"'],
  ])('refuses %s, naming the path and never a value', (_case, body, path, message) => {
    const error = failure(() => genericAdapter.toTicket(request(body), undefined));
    expect(error.issues[0]).toEqual({ path, message: expect.stringContaining(message) });
    for (const value of PLANTED) expect(error.message).not.toContain(value);
  });
});

describe('shared adapter helpers', () => {
  it('refuses a body past the ticket size limit as too large', () => {
    const error = failure(() => decodeJsonBody(new Uint8Array(TicketLimits.maxTicketBytes + 1)));
    expect(error.code).toBe(ErrorCode.TICKET_TOO_LARGE);
  });

  it('reports schema problems as parseTicket does, withholding property names that look personal', () => {
    const schema = z.strictObject({ subject: z.string() });
    const error = failure(() => parsePayload(schema, { subject: 1, 'Jens Hansen': 'x', '0101901234': 'y' }));
    expect(error.issues).toEqual([
      { path: 'subject', message: expect.stringContaining('expected string') },
      {
        path: '',
        message:
          'unknown properties (a name that looks like personal data), (a name that looks like personal data)',
      },
    ]);
  });

  it.each([
    ['2026-09-01T09:00:00.000+0200', '2026-09-01T09:00:00.000+02:00'],
    ['2026-09-01T09:00:00-0130', '2026-09-01T09:00:00-01:30'],
    ['2026-09-01T09:00+0000', '2026-09-01T09:00+00:00'],
    ['2026-09-01T09:00:00.000+02:00', '2026-09-01T09:00:00.000+02:00'],
    ['2026-09-01T07:00:00Z', '2026-09-01T07:00:00Z'],
    ['01-09-2026 09:00', '01-09-2026 09:00'],
  ])('writes the timestamp %s as %s', (input, expected) => {
    expect(toIsoTimestamp(input)).toBe(expected);
  });
});
