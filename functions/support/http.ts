import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ErrorCode, InvalidTicketError, TicketProxyError } from '../../lib/errors.ts';
import { TicketLimits } from '../../lib/ticket/ticket-limits.ts';

/** Lambda passes the invocation's context; the local server and tests call with the event alone. */
export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context?: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export const respond = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const errorResponse = (statusCode: number, code: string, message: string) =>
  respond(statusCode, { error: { code, message } });

/** Header names in lower case, as adapters read them. */
export function headersOf(event: APIGatewayProxyEventV2): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

/** The body's exact bytes: signatures are computed over them. */
export const bodyOf = (event: APIGatewayProxyEventV2) =>
  Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');

/** 413 for a body over the ticket limit, checked before anything reads it. */
export function tooLarge(body: Uint8Array): APIGatewayProxyStructuredResultV2 | undefined {
  if (body.byteLength <= TicketLimits.maxTicketBytes) return undefined;
  return errorResponse(
    413,
    ErrorCode.TICKET_TOO_LARGE,
    `body is larger than ${TicketLimits.maxTicketBytes} bytes`,
  );
}

/** 415 unless the body is JSON (or says nothing about its type). */
export function notJson(contentType: string | undefined): APIGatewayProxyStructuredResultV2 | undefined {
  if (contentType === undefined || /^application\/json\s*(;|$)/i.test(contentType)) return undefined;
  return errorResponse(415, ErrorCode.INVALID_TICKET, 'content type must be application/json');
}

/**
 * An error as the sender sees it, logged by code only: invalid input is the sender's to fix (4xx),
 * a dependency that failed is worth a retry (503), anything else is ours (500). Never the message of
 * an unknown error: it might quote what the request held.
 */
export function errorToResponse(caught: unknown, logger: Logger, context: Record<string, unknown>) {
  if (caught instanceof InvalidTicketError) {
    logger.warn('request refused', { ...context, code: caught.code, issues: caught.issues.length });
    return errorResponse(caught.code === ErrorCode.TICKET_TOO_LARGE ? 413 : 400, caught.code, caught.message);
  }
  const known = caught instanceof TicketProxyError;
  const code = known ? caught.code : 'INTERNAL';
  logger.error('request failed', { ...context, code, errorName: (caught as Error)?.name });
  return known && caught.retryable
    ? errorResponse(503, code, 'not accepted; retry later')
    : errorResponse(500, code, 'not accepted');
}
