import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { HttpHandler } from './http.ts';

/**
 * Runs one invocation's work with its ids on every line `logger` writes meanwhile: the Lambda
 * context when there is one (function name and version, `function_request_id`, `cold_start`), and
 * whatever temporary keys the work appends (`appendKeys`, `setCorrelationId`). Those are cleared when
 * the work ends, however it ends, so none reaches the next invocation's lines. Only ids go into keys,
 * never anything a request carries in its body. Not Powertools' `injectLambdaContext`: it would log
 * whole events, ticket content included, if `POWERTOOLS_LOGGER_LOG_EVENT` were ever set.
 *
 * Keys live on the logger, which a Lambda environment uses for one invocation at a time (on Lambda
 * Managed Instances Powertools keeps temporary keys per invocation itself). The local server shares
 * one logger among its requests and its job worker, which overlap: it runs each call as an invocation
 * of its own in the same way (lib/local/invocations.ts).
 */
export async function inInvocation<T>(
  logger: Logger,
  context: Context | undefined,
  work: () => Promise<T>,
): Promise<T> {
  if (context) logger.addContext(context);
  try {
    return await work();
  } finally {
    logger.resetKeys();
  }
}

/**
 * An HTTP handler whose log lines carry API Gateway's request id as `correlation_id`, the id the
 * API's access log names `requestId`: one request can be followed from its access log line to the
 * function's lines. Without a request id (a test's bare event) the lines carry none.
 */
export function withRequestIds(logger: Logger, handler: HttpHandler): HttpHandler {
  return (event, context) =>
    inInvocation(logger, context, () => {
      const requestId = event.requestContext?.requestId;
      if (requestId) logger.setCorrelationId(requestId);
      return handler(event, context);
    });
}
