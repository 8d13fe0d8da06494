/** The metrics staff access and the audit watch emit (CloudWatch namespace {@link METRICS_NAMESPACE}); alarms watch them. */
export const AccessMetric = {
  /** Tokens turned into values, per request; dimension `tenant`. */
  TOKENS_REIDENTIFIED: 'TokensReidentified',
  /** Requests refused, every reason. */
  REQUESTS_DENIED: 'RequestsDenied',
  /** A user passed the policy's tokens per hour. */
  RATE_EXCEEDED: 'ReidentifyRateExceeded',
  /** A re-identification outside the policy's working hours. */
  OUTSIDE_HOURS: 'ReidentifyOutsideHours',
  /** A user was blocked after repeated rejected attempts. */
  USER_BLOCKED: 'UserBlocked',
  /** The audit table was changed other than by appending (audit watch). */
  AUDIT_TAMPERED: 'AuditTampered',
} as const;
export type AccessMetric = (typeof AccessMetric)[keyof typeof AccessMetric];

export const METRICS_NAMESPACE = 'TicketProxy';

/** Counts (port). Dimensions never hold personal data or user ids: only tenants. */
export interface AccessMetrics {
  count(metric: AccessMetric, value: number, dimensions?: { tenant: string }): void;
}

/** For the local server and the CLI, which have no metrics service. */
export const noMetrics: AccessMetrics = { count: () => undefined };
