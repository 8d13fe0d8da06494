import { Logger } from '@aws-lambda-powertools/logger';
import { ErrorCode } from '../lib/errors.ts';
import { acceptWebhook } from '../lib/ingest/accept-webhook.ts';
import { awsRuntime } from '../lib/runtime/aws.ts';
import type { Runtime } from '../lib/runtime/runtime.ts';
import { configuredServicedesk } from '../lib/servicedesk/adapters.ts';
import {
  bodyOf,
  errorResponse,
  errorToResponse,
  type HttpHandler,
  headersOf,
  notJson,
  respond,
  tooLarge,
} from './support/http.ts';
import { withRequestIds } from './support/logging.ts';

/**
 * `POST /webhooks/{servicedesk}/{tenant}`: verify the sender, read the payload with the servicedesk's
 * adapter, sanitize, queue the sanitized job, answer 202. `generic` (CONTRACTS.md §4) is open to every
 * tenant; another servicedesk only to the tenants configured for it. Responses and logs name codes,
 * sizes and ids, never ticket content.
 */
export function createServicedeskWebhookHandler(
  runtime: () => Runtime | Promise<Runtime>,
  logger: Logger = new Logger({ serviceName: 'servicedesk-webhook' }),
): HttpHandler {
  return withRequestIds(logger, async (event) => {
    const tenant = event.pathParameters?.tenant ?? '';
    const name = event.pathParameters?.servicedesk ?? 'generic';
    const body = bodyOf(event);
    const oversized = tooLarge(body);
    if (oversized) return oversized;
    const headers = headersOf(event);
    try {
      const deps = await runtime();
      const config = deps.tenants.configFor(tenant);
      // Generic webhooks are open to every tenant (CONTRACTS.md §4); another servicedesk's only to its tenants.
      const servicedesk =
        config && name === config.servicedesk.type
          ? configuredServicedesk(config.servicedesk)
          : config && name === 'generic'
            ? configuredServicedesk({ type: 'generic' })
            : undefined;
      if (!servicedesk) return errorResponse(404, 'UNKNOWN_WEBHOOK', 'no such webhook');
      const unsupported = notJson(headers['content-type']);
      if (unsupported) return unsupported;
      const request = { tenant, headers, body, nowSeconds: Math.floor(Date.now() / 1000) };
      const check = servicedesk.verify(request, await deps.webhookSecrets.secretsFor(tenant));
      if (!check.valid) {
        logger.warn('webhook refused', { tenant, servicedesk: name, reason: check.reason });
        return errorResponse(401, ErrorCode.SIGNATURE_INVALID, check.reason);
      }
      const accepted = await acceptWebhook(request, servicedesk, deps);
      logger.info('ticket queued', {
        tenant,
        servicedesk: name,
        ticketId: accepted.ticketId,
        eventId: accepted.eventId,
        replaced: accepted.replaced,
      });
      return respond(202, { status: 'accepted', ticketId: accepted.ticketId, eventId: accepted.eventId });
    } catch (caught) {
      // Fail closed: nothing was queued. 503 asks the servicedesk to retry; 500 says retrying will not help.
      return errorToResponse(caught, logger, { tenant, servicedesk: name });
    }
  });
}

let aws: Runtime | undefined;
/** The Lambda entry point: AWS adapters, built once per container on first use. */
export const handler: HttpHandler = createServicedeskWebhookHandler(() => {
  aws ??= awsRuntime();
  return aws;
});
