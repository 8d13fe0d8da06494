/**
 * When and how long to retry a call to a remote service (Jira, a servicedesk). Pure: time passes only
 * through the injected `sleep`, chance only through `random`, so tests never wait.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. @default 4 */
  maxAttempts: number;
  /** The most one call may spend waiting between attempts, summed. @default 20_000 */
  maxTotalDelayMs: number;
  /** The first backoff step, doubled on each further attempt. @default 500 */
  baseDelayMs: number;
  /** The longest single backoff step (a server's Retry-After may ask for longer). @default 8_000 */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  maxAttempts: 4,
  maxTotalDelayMs: 20_000,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
};

/** What a failure means for the next attempt. */
export interface RetryVerdict {
  retryable: boolean;
  /** The server's own advice (Retry-After), honoured instead of the backoff. */
  retryAfterMs?: number;
}

/**
 * The 4xx answers that ask for the same request again later: 408 (the server, or a proxy before it,
 * gave up waiting for the request) and 429 (too many requests). Any other 4xx fails the same way again.
 */
export const isTryAgain = (status: number) => status === 408 || status === 429;

export interface RetryOptions {
  policy?: Partial<RetryPolicy>;
  classify: (error: unknown) => RetryVerdict;
  /** @default a real timer */
  sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  random?: () => number;
}

/**
 * A retryable failure that did not clear within the policy's attempts or waiting budget. `cause` is
 * the last failure.
 */
export class RetriesExhaustedError extends Error {
  readonly attempts: number;

  constructor(attempts: number, cause: unknown) {
    super(`gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}`, { cause });
    this.name = 'RetriesExhaustedError';
    this.attempts = attempts;
  }
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The wait before attempt `attempt + 1` when the server gave no advice: exponential, capped, with
 * "equal jitter" (half fixed, half random) so clients that failed together do not return together,
 * yet none comes back at once.
 */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

/**
 * `Retry-After` in milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). Undefined when
 * absent or unreadable, so the caller falls back to its backoff rather than guessing.
 */
export function parseRetryAfter(
  header: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Every HTTP-date form names its month: without letters, Date.parse would guess at a number.
  if (!/[A-Za-z]{3}/.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Runs `operation` until it succeeds, a failure is not retryable (rethrown as is), or the policy runs
 * out (RetriesExhaustedError). A wait the budget cannot cover ends the call at once instead of
 * waiting part of it: the caller's queue retries later.
 *
 * @example
 * const issue = await retry(() => jira.issues.getIssue({ issueIdOrKey: key }), { classify });
 */
export async function retry<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  let waited = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const verdict = options.classify(error);
      if (!verdict.retryable) throw error;
      if (attempt >= policy.maxAttempts) throw new RetriesExhaustedError(attempt, error);
      const delay = verdict.retryAfterMs ?? backoffDelay(attempt, policy, random);
      if (waited + delay > policy.maxTotalDelayMs) throw new RetriesExhaustedError(attempt, error);
      waited += delay;
      await sleep(delay);
    }
  }
}
