import { Logger } from '@aws-lambda-powertools/logger';
import { ErrorCode } from '../lib/errors.ts';
import { awsRuntime } from '../lib/runtime/aws.ts';
import type { Runtime } from '../lib/runtime/runtime.ts';
import { parseJiraEvent } from '../lib/sync/jira-event.ts';
import { writeBack } from '../lib/sync/write-back.ts';
import { verifyHubSignature } from '../lib/webhook/hub-signature.ts';
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
 * How old a Jira webhook may be. Jira signs its body, `timestamp` included, but not a delivery time,
 * and retries failed deliveries for a while: an hour lets those through and refuses old captures.
 * A replay inside the hour posts nothing twice (the reply marks).
 */
export const JIRA_REPLAY_WINDOW_SECONDS = 3600;

/**
 * `POST /webhooks/jira`: a developer commented on, or moved, an issue the proxy created. The reply
 * goes to the tenant's servicedesk with the tenant's tokens re-identified (audited as write-back).
 */
export function createJiraWebhookHandler(
  runtime: () => Runtime | Promise<Runtime>,
  logger: Logger = new Logger({ serviceName: 'jira-webhook' }),
): HttpHandler {
  return withRequestIds(logger, async (event) => {
    const body = bodyOf(event);
    const oversized = tooLarge(body);
    if (oversized) return oversized;
    const headers = headersOf(event);
    const unsupported = notJson(headers['content-type']);
    if (unsupported) return unsupported;
    try {
      const deps = await runtime();
      const check = verifyHubSignature(headers['x-hub-signature'], await deps.jiraWebhookSecrets(), body);
      if (!check.valid) {
        logger.warn('Jira webhook refused', { reason: check.reason });
        return errorResponse(401, ErrorCode.SIGNATURE_INVALID, check.reason);
      }
      const jiraEvent = parseJiraEvent(body);
      if (Math.abs(Date.now() - jiraEvent.time.getTime()) > JIRA_REPLAY_WINDOW_SECONDS * 1000) {
        logger.warn('Jira webhook refused', { reason: 'stale' });
        return errorResponse(
          401,
          ErrorCode.SIGNATURE_INVALID,
          `webhook timestamp is more than ${JIRA_REPLAY_WINDOW_SECONDS} s from now`,
        );
      }
      const result = await writeBack(jiraEvent, {
        links: deps.links,
        reveal: (tenant, token) => deps.pseudonymizer.reveal(tenant, token),
        tokensOfTicket: (tenant, ticketId) => deps.vault.tokensOfTicket(tenant, ticketId),
        audit: deps.audit,
        repliesFor: (tenant) => deps.repliesFor(tenant),
        isOwnAccount: (accountId) => deps.isOwnAccount(accountId),
      });
      logger.info('Jira webhook handled', { ...result, type: jiraEvent.type });
      return respond(200, result);
    } catch (caught) {
      return errorToResponse(caught, logger, {});
    }
  });
}

let aws: Runtime | undefined;
export const handler: HttpHandler = createJiraWebhookHandler(() => {
  aws ??= awsRuntime();
  return aws;
});
