import type { z } from 'zod';
import { ErrorCode, InvalidTicketError } from '../errors.ts';
import { parseJson, parseTicket, TicketLimits, toTicketIssue } from '../ticket/generic-ticket.ts';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../webhook/signature.ts';
import type { ServicedeskAdapter, WebhookRequest } from './servicedesk-adapter.ts';

/**
 * The generic ticket (CONTRACTS.md §1) as the body, signed with `X-Ticket-Proxy-Signature`
 * (CONTRACTS.md §4). The body's `tenant` must be the webhook's: a sender signs for one tenant only.
 */
export const genericAdapter: ServicedeskAdapter = {
  name: 'generic',
  verify: (request, secrets) =>
    verifyWebhookSignature(request.headers[SIGNATURE_HEADER], secrets, request.body, request.nowSeconds),
  toTicket: (request) => {
    const ticket = parseTicket(request.body);
    if (ticket.tenant !== request.tenant) {
      throw new InvalidTicketError([{ path: 'tenant', message: "does not match the webhook's tenant" }]);
    }
    return { ticket };
  },
};

// What every adapter shares: reading a body and reporting what is wrong with it, in the words
// parseTicket uses, naming paths and never quoting values.

/**
 * Decodes a webhook body as JSON: size limit, strict UTF-8, then JSON.
 * @throws InvalidTicketError (TICKET_TOO_LARGE past {@link TicketLimits.maxTicketBytes}, else
 *   INVALID_TICKET), never quoting the body.
 */
export function decodeJsonBody(body: WebhookRequest['body']): unknown {
  if (body.byteLength > TicketLimits.maxTicketBytes) {
    throw new InvalidTicketError(
      [
        {
          path: '',
          message: `body is ${body.byteLength} bytes, more than the limit of ${TicketLimits.maxTicketBytes / 1024} KiB`,
        },
      ],
      ErrorCode.TICKET_TOO_LARGE,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new InvalidTicketError([{ path: '', message: 'body is not valid UTF-8' }]);
  }
  return parseJson(text);
}

/**
 * Parses a decoded body with a servicedesk's payload schema.
 * @throws InvalidTicketError naming each offending path, as {@link parseTicket} does.
 */
export function parsePayload<Schema extends z.ZodType>(schema: Schema, value: unknown): z.output<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidTicketError(result.error.issues.map(toTicketIssue));
}

/**
 * Jira and TOPdesk write timestamps as `2026-09-01T09:00:00.000+0200`, an offset without a colon,
 * which ISO 8601's extended form (and the generic ticket) does not take. Returns the value with the
 * colon put in; any other value unchanged, for the schema to judge.
 */
export function toIsoTimestamp(value: string): string {
  return value.replace(/^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)([+-]\d{2})(\d{2})$/, '$1$2:$3');
}
