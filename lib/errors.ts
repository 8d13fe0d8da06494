/**
 * Stable error codes. Outside tools match on these, so they never change meaning.
 * Messages name fields, sizes and positions, never the values a ticket holds.
 */
export const ErrorCode = {
  INVALID_TICKET: 'INVALID_TICKET',
  TICKET_TOO_LARGE: 'TICKET_TOO_LARGE',
  SIGNATURE_INVALID: 'SIGNATURE_INVALID',
  KEY_UNAVAILABLE: 'KEY_UNAVAILABLE',
  VAULT_UNAVAILABLE: 'VAULT_UNAVAILABLE',
  TOKEN_COLLISION: 'TOKEN_COLLISION',
  /** A stored value failed to decrypt (tampered, or sealed under another tenant or token). */
  VALUE_UNREADABLE: 'VALUE_UNREADABLE',
  /** An internal check found the sanitizer's output unsafe; nothing was forwarded. */
  SANITIZE_FAILED: 'SANITIZE_FAILED',
  TRACKER_UNAVAILABLE: 'TRACKER_UNAVAILABLE',
  /**
   * An earlier attempt to create the ticket's issue may have succeeded without the tracker's search
   * showing it yet: the job waits rather than risk a second issue, and is retried later.
   */
  TRACKER_SETTLING: 'TRACKER_SETTLING',
  SECRET_UNAVAILABLE: 'SECRET_UNAVAILABLE',
  CONFIG_INVALID: 'CONFIG_INVALID',
  DATA_DIR_IN_USE: 'DATA_DIR_IN_USE',
  /** A rich-text document (ADF) is malformed, nested too deep or too large to sanitize safely. */
  INVALID_DOCUMENT: 'INVALID_DOCUMENT',
  /** The tracker (Jira) refused a request for good: retrying the same request will not help. */
  TRACKER_REJECTED: 'TRACKER_REJECTED',
  /** The job queue could not take a sanitized ticket; the webhook is answered 503 and retried. */
  QUEUE_UNAVAILABLE: 'QUEUE_UNAVAILABLE',
  /** The servicedesk could not take a write-back; retrying may help. */
  SERVICEDESK_UNAVAILABLE: 'SERVICEDESK_UNAVAILABLE',
  /** The servicedesk refused a write-back for good (a 4xx other than 408 and 429). */
  SERVICEDESK_REJECTED: 'SERVICEDESK_REJECTED',
  /** The audit log could not be written or read; nothing that needed a record was done. */
  AUDIT_UNAVAILABLE: 'AUDIT_UNAVAILABLE',
  /** The grant and block store could not be read or written; nothing was granted. */
  ACCESS_UNAVAILABLE: 'ACCESS_UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface TicketProxyErrorOptions {
  cause?: unknown;
  /** True when the same request may succeed later (a dependency was down). */
  retryable?: boolean;
  /** How long to wait before a retry can help, when the error knows. */
  retryAfterMs?: number;
}

/** Base of every error this project throws on purpose. */
export class TicketProxyError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** How long to wait before a retry can help, when the error knows; undefined otherwise. */
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: TicketProxyErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'TicketProxyError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export interface TicketIssue {
  /** Dotted path of the offending property, e.g. `comments.0.body`. */
  path: string;
  message: string;
}

/** The input is not a valid generic ticket. Never retryable: the same input fails the same way. */
export class InvalidTicketError extends TicketProxyError {
  readonly issues: readonly TicketIssue[];

  constructor(issues: readonly TicketIssue[], code: ErrorCode = ErrorCode.INVALID_TICKET) {
    super(code, issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
    this.name = 'InvalidTicketError';
    this.issues = issues;
  }
}

/**
 * A rich-text document inside a ticket cannot be sanitized: not ADF, nested too deep, or too large.
 * An invalid ticket too, so callers that already refuse those refuse this the same way.
 */
export class InvalidDocumentError extends InvalidTicketError {
  constructor(path: string, message: string) {
    super([{ path, message }], ErrorCode.INVALID_DOCUMENT);
    this.name = 'InvalidDocumentError';
  }
}

/** Two different values derived the same token. Failing closed beats merging two people into one. */
export class TokenCollisionError extends TicketProxyError {
  readonly tenant: string;
  readonly token: string;
  /** The keyed fingerprint of the value that lost (never the value), to tell which value must move. */
  readonly fingerprint: Uint8Array | undefined;

  constructor(tenant: string, token: string, fingerprint?: Uint8Array) {
    super(ErrorCode.TOKEN_COLLISION, `token ${token} of tenant ${tenant} already stands for another value`);
    this.name = 'TokenCollisionError';
    this.tenant = tenant;
    this.token = token;
    this.fingerprint = fingerprint;
  }
}

type DependencyErrorCode =
  | typeof ErrorCode.KEY_UNAVAILABLE
  | typeof ErrorCode.VAULT_UNAVAILABLE
  | typeof ErrorCode.TRACKER_UNAVAILABLE
  | typeof ErrorCode.TRACKER_SETTLING
  | typeof ErrorCode.SECRET_UNAVAILABLE
  | typeof ErrorCode.QUEUE_UNAVAILABLE
  | typeof ErrorCode.SERVICEDESK_UNAVAILABLE
  | typeof ErrorCode.AUDIT_UNAVAILABLE
  | typeof ErrorCode.ACCESS_UNAVAILABLE;

/** A dependency (key provider, vault, tracker, secret store) failed; the caller may retry. */
export class DependencyError extends TicketProxyError {
  constructor(code: DependencyErrorCode, message: string, cause?: unknown, retryAfterMs?: number) {
    super(code, message, { cause, retryable: true, retryAfterMs });
    this.name = 'DependencyError';
  }
}

/**
 * Not a failure but a wait (TRACKER_SETTLING): an earlier attempt to create the ticket's issue may
 * have succeeded although the tracker's search does not show it yet, so creating now could make a
 * second issue. By `retryAfterMs` the search shows the issue, or the attempt evidently created
 * nothing. A queue that can delay a job (the file queue) waits that long without counting an
 * attempt; SQS redelivers after its visibility timeout, which is longer.
 */
export class TrackerSettlingError extends DependencyError {
  declare readonly retryAfterMs: number;

  constructor(message: string, retryAfterMs: number) {
    super(ErrorCode.TRACKER_SETTLING, message, undefined, retryAfterMs);
    this.name = 'TrackerSettlingError';
  }
}

export class ConfigError extends TicketProxyError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCode.CONFIG_INVALID, message, { cause });
    this.name = 'ConfigError';
  }
}

/** The tracker refused a request for good (a 4xx other than 408 and 429): the job goes to the dead-letter queue. */
export class TrackerRejectedError extends TicketProxyError {
  /** The HTTP status the tracker answered with. */
  readonly status: number;

  constructor(status: number, message: string, cause?: unknown) {
    super(ErrorCode.TRACKER_REJECTED, message, { cause });
    this.name = 'TrackerRejectedError';
    this.status = status;
  }
}

/** The servicedesk refused a reply for good (a 4xx other than 408 and 429): retrying the same reply will not help. */
export class ServicedeskRejectedError extends TicketProxyError {
  readonly status: number;

  constructor(status: number, message: string, cause?: unknown) {
    super(ErrorCode.SERVICEDESK_REJECTED, message, { cause });
    this.name = 'ServicedeskRejectedError';
    this.status = status;
  }
}
