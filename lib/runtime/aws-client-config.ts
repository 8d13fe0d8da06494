/**
 * Every AWS client's HTTP settings in Lambda. The SDK's default is to wait 300 s for an answer: a
 * KMS or DynamoDB that accepts a connection and never answers would hold the function until
 * Lambda's own timeout, and the servicedesk would get API Gateway's error instead of our 503. With
 * these, an unanswered request fails in seconds (the SDK retries it twice), the ticket is refused
 * as a dependency failure, and the servicedesk retries it later.
 */
export const AWS_CLIENT_CONFIG = {
  requestHandler: { connectionTimeout: 2_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
} as const;
