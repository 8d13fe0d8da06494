import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ErrorCode, InvalidTicketError, TicketProxyError } from '../lib/errors.ts';
import { acceptTicket } from '../lib/ingest/accept-ticket.ts';
import { awsRuntime } from '../lib/runtime/aws.ts';
import type { Runtime } from '../lib/runtime/runtime.ts';
import { TENANT_PATTERN, TicketLimits } from '../lib/ticket/generic-ticket.ts';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../lib/webhook/signature.ts';

export type Handler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

const respond = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const error = (statusCode: number, code: string, message: string) =>
  respond(statusCode, { error: { code, message } });

/**
 * `POST /webhooks/generic/{tenant}` (CONTRACTS.md §4): verify the signature, then accept the ticket.
 * Responses and logs name codes, sizes and ids, never ticket content.
 */
export function createGenericWebhookHandler(
  runtime: () => Runtime | Promise<Runtime>,
  logger: Logger = new Logger({ serviceName: 'generic-webhook' }),
): Handler {
  return async (event) => {
    const tenant = event.pathParameters?.tenant ?? '';
    if (!TENANT_PATTERN.test(tenant)) return error(404, 'UNKNOWN_TENANT', 'no such webhook');
    const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
    if (body.byteLength > TicketLimits.maxTicketBytes) {
      return error(
        413,
        ErrorCode.TICKET_TOO_LARGE,
        `body is larger than ${TicketLimits.maxTicketBytes} bytes`,
      );
    }
    const contentType = headerOf(event, 'content-type');
    if (contentType && !/^application\/json\s*(;|$)/i.test(contentType)) {
      return error(415, ErrorCode.INVALID_TICKET, 'content type must be application/json');
    }
    try {
      const deps = await runtime();
      const check = verifyWebhookSignature(
        headerOf(event, SIGNATURE_HEADER),
        await deps.webhookSecrets.secretsFor(tenant),
        body,
      );
      if (!check.valid) {
        logger.warn('webhook refused', { tenant, reason: check.reason });
        return error(401, ErrorCode.SIGNATURE_INVALID, check.reason);
      }
      const accepted = await acceptTicket({ tenant, body }, deps);
      logger.info('ticket accepted', {
        tenant,
        ticketId: accepted.ticketId,
        issueKey: accepted.issueKey,
        replaced: accepted.replaced,
      });
      return respond(202, { status: 'accepted', ticketId: accepted.ticketId, issueKey: accepted.issueKey });
    } catch (caught) {
      if (caught instanceof InvalidTicketError) {
        logger.warn('ticket refused', { tenant, code: caught.code, issues: caught.issues.length });
        return error(caught.code === ErrorCode.TICKET_TOO_LARGE ? 413 : 400, caught.code, caught.message);
      }
      // Fail closed: nothing was forwarded. 503 asks the servicedesk to retry; 500 says retrying will not help.
      const known = caught instanceof TicketProxyError;
      const code = known ? caught.code : 'INTERNAL';
      logger.error('ticket not accepted', { tenant, code, errorName: (caught as Error)?.name });
      return known && caught.retryable
        ? error(503, code, 'the ticket was not accepted; retry later')
        : error(500, code, 'the ticket was not accepted');
    }
  };
}

function headerOf(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const headers = event.headers ?? {};
  return headers[name] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
}

let aws: Runtime | undefined;
/** The Lambda entry point: AWS adapters, built once per container on first use. */
export const handler: Handler = createGenericWebhookHandler(() => {
  aws ??= awsRuntime();
  return aws;
});
