import { describe, expect, it } from 'vitest';
import {
  classifyJiraFailure,
  classifyUnrepeatableJiraFailure,
  JiraHttpError,
  JiraNetworkError,
} from '../../lib/tracker/jira-transport.ts';
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  RetriesExhaustedError,
  type RetryVerdict,
  retry,
} from '../../lib/tracker/retry.ts';

class Failure extends Error {
  readonly verdict: RetryVerdict;
  constructor(verdict: RetryVerdict) {
    super('failure');
    this.verdict = verdict;
  }
}
const classify = (error: unknown): RetryVerdict =>
  error instanceof Failure ? error.verdict : { retryable: false };

/** An operation that fails with the given verdicts in turn, then returns 'ok'. */
function failing(...verdicts: RetryVerdict[]) {
  const attempts: number[] = [];
  const operation = async (attempt: number) => {
    attempts.push(attempt);
    const verdict = verdicts.shift();
    if (verdict) throw new Failure(verdict);
    return 'ok';
  };
  return { operation, attempts };
}

function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

describe('retry', () => {
  it('returns the first success, numbering the attempts', async () => {
    const { operation, attempts } = failing({ retryable: true }, { retryable: true });
    const { sleep } = recordingSleep();
    expect(await retry(operation, { classify, sleep, random: () => 0.5 })).toBe('ok');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('rethrows a failure that is not retryable at once, unwrapped', async () => {
    const { operation, attempts } = failing({ retryable: false });
    const { sleep, waits } = recordingSleep();
    await expect(retry(operation, { classify, sleep })).rejects.toBeInstanceOf(Failure);
    expect(attempts).toEqual([1]);
    expect(waits).toEqual([]);
  });

  it('gives up after maxAttempts with RetriesExhaustedError carrying the last failure', async () => {
    const { operation, attempts } = failing(...Array(10).fill({ retryable: true }));
    const { sleep, waits } = recordingSleep();
    const error = await retry(operation, { classify, sleep, policy: { maxAttempts: 3 } }).catch((e) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error.attempts).toBe(3);
    expect(error.cause).toBeInstanceOf(Failure);
    expect(attempts).toEqual([1, 2, 3]);
    expect(waits).toHaveLength(2);
  });

  it('backs off exponentially with jitter when the server gives no advice', async () => {
    const { operation } = failing({ retryable: true }, { retryable: true }, { retryable: true });
    const { sleep, waits } = recordingSleep();
    await retry(operation, { classify, sleep, random: () => 1, policy: { baseDelayMs: 100 } });
    expect(waits).toEqual([100, 200, 400]);
  });

  it('honours Retry-After instead of the backoff', async () => {
    const { operation } = failing(
      { retryable: true, retryAfterMs: 3_000 },
      { retryable: true, retryAfterMs: 0 },
    );
    const { sleep, waits } = recordingSleep();
    await retry(operation, { classify, sleep });
    expect(waits).toEqual([3_000, 0]);
  });

  it('gives up at once when the next wait would exceed the total budget', async () => {
    const { operation, attempts } = failing(
      { retryable: true, retryAfterMs: 1_500 },
      { retryable: true, retryAfterMs: 1_500 },
    );
    const { sleep, waits } = recordingSleep();
    const error = await retry(operation, { classify, sleep, policy: { maxTotalDelayMs: 2_000 } }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(waits).toEqual([1_500]);
    expect(attempts).toEqual([1, 2]);
  });

  it('never asks to wait longer than a Retry-After beyond the budget', async () => {
    const { operation } = failing({ retryable: true, retryAfterMs: 60_000 });
    const { sleep, waits } = recordingSleep();
    await expect(retry(operation, { classify, sleep })).rejects.toBeInstanceOf(RetriesExhaustedError);
    expect(waits).toEqual([]);
  });
});

describe('backoffDelay', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 500, maxDelayMs: 8_000 };

  it.each([
    [1, 0, 250],
    [1, 1, 500],
    [2, 0.5, 750],
    [3, 1, 2_000],
    [10, 1, 8_000],
    [10, 0, 4_000],
  ])('attempt %i with random %f waits %i ms', (attempt, random, expected) => {
    expect(backoffDelay(attempt, policy, () => random)).toBe(expected);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-02T10:00:00Z');

  it.each([
    ['1', 1_000],
    ['0', 0],
    [' 120 ', 120_000],
    ['Mon, 02 Nov 2026 10:00:05 GMT', 5_000],
    ['Mon, 02 Nov 2026 09:59:00 GMT', 0],
  ])('reads %j as %i ms', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });

  it.each([[null], [undefined], [''], ['soon'], ['-5'], ['1.5']])('ignores %j', (header) => {
    expect(parseRetryAfter(header, now)).toBeUndefined();
  });
});

describe('which Jira failures are retried', () => {
  const http = (status: number, retryAfterMs?: number) =>
    new JiraHttpError('POST /rest/api/3/issue', status, retryAfterMs, []);
  const network = (code: string | undefined, timedOut = false, syscall?: string) =>
    new JiraNetworkError(
      'POST /rest/api/3/issue',
      timedOut,
      new TypeError('fetch failed', {
        cause: Object.assign(new Error('socket'), { code }, syscall && { syscall }),
      }),
    );

  it('any call: 408, 429, 5xx and no answer at all; not another 4xx', () => {
    for (const status of [408, 429, 500, 502, 503, 504]) {
      expect(classifyJiraFailure(http(status, 1_000))).toEqual({ retryable: true, retryAfterMs: 1_000 });
    }
    for (const status of [400, 401, 403, 404, 409, 410, 422]) {
      expect(classifyJiraFailure(http(status))).toEqual({ retryable: false });
    }
    expect(classifyJiraFailure(network('ECONNRESET'))).toEqual({ retryable: true });
    expect(classifyJiraFailure(network(undefined, true))).toEqual({ retryable: true });
  });

  it('a create: only what proves Jira did nothing (429, no connection made)', () => {
    expect(classifyUnrepeatableJiraFailure(http(429, 3_000))).toEqual({
      retryable: true,
      retryAfterMs: 3_000,
    });
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']) {
      expect(classifyUnrepeatableJiraFailure(network(code)), code).toEqual({ retryable: true });
    }
    expect(classifyUnrepeatableJiraFailure(network('UND_ERR_CONNECT_TIMEOUT'))).toEqual({ retryable: true });
    // The request may have been carried out: the answer was lost, or came from a proxy that gave up.
    for (const status of [500, 502, 503, 504, 400, 404]) {
      expect(classifyUnrepeatableJiraFailure(http(status, 1_000)), String(status)).toEqual({
        retryable: false,
      });
    }
    for (const code of ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', undefined]) {
      expect(classifyUnrepeatableJiraFailure(network(code)), String(code)).toEqual({ retryable: false });
    }
    expect(classifyUnrepeatableJiraFailure(network('ECONNREFUSED', true))).toEqual({ retryable: false });
    // A host becoming unreachable can also end a connection already made: only the connect counts.
    expect(classifyUnrepeatableJiraFailure(network('EHOSTUNREACH', false, 'connect'))).toEqual({
      retryable: true,
    });
    expect(classifyUnrepeatableJiraFailure(network('ENOTFOUND', false, 'getaddrinfo'))).toEqual({
      retryable: true,
    });
    expect(classifyUnrepeatableJiraFailure(network('EHOSTUNREACH', false, 'write'))).toEqual({
      retryable: false,
    });
    expect(classifyUnrepeatableJiraFailure(new Error('something else'))).toEqual({ retryable: false });
  });
});
