import type { Client, SendRequestOptions } from 'jira.js/core';
import { isTryAgain, parseRetryAfter, type RetryVerdict } from './retry.ts';

/**
 * The HTTP layer under jira.js's API functions (its documented `Client` seam). jira.js's own
 * transport cannot be given a timeout (its `fetch` takes no signal), drops every header but a 429's
 * Retry-After, and puts the response body into its error messages. This one aborts a request after
 * `requestTimeoutMs`, keeps Retry-After on any status, and never carries a body in an error: Jira
 * echoes what it was sent, and what the proxy sends is about citizens.
 */
export interface JiraTransportOptions {
  baseUrl: string;
  email: string;
  apiToken: string;
  /** @default 10_000 */
  requestTimeoutMs?: number;
}

/** Jira answered with a status other than 2xx. */
export class JiraHttpError extends Error {
  readonly status: number;
  readonly retryAfterMs: number | undefined;
  /** Names of the fields Jira complained about (`errors` keys), never its messages: those may quote values. */
  readonly fields: readonly string[];

  constructor(request: string, status: number, retryAfterMs: number | undefined, fields: readonly string[]) {
    const named = fields.length > 0 ? ` (fields: ${fields.join(', ')})` : '';
    super(`${request} answered HTTP ${status}${named}`);
    this.name = 'JiraHttpError';
    this.status = status;
    this.retryAfterMs = retryAfterMs;
    this.fields = fields;
  }
}

/** No HTTP answer: refused, reset, unresolvable, or slower than the timeout. */
export class JiraNetworkError extends Error {
  readonly timedOut: boolean;

  constructor(request: string, timedOut: boolean, cause: unknown) {
    super(`${request} ${timedOut ? 'timed out' : 'got no answer'}`, { cause });
    this.name = 'JiraNetworkError';
    this.timedOut = timedOut;
  }
}

/** 408, 429, 5xx and no answer at all are worth another try; any other 4xx will fail the same way again. */
export function classifyJiraFailure(error: unknown): RetryVerdict {
  if (error instanceof JiraNetworkError) return { retryable: true };
  if (error instanceof JiraHttpError && (isTryAgain(error.status) || error.status >= 500)) {
    return { retryable: true, retryAfterMs: error.retryAfterMs };
  }
  return { retryable: false };
}

/**
 * For a request that must not be carried out twice (creating an issue, which Jira cannot deduplicate):
 * retried only when the failure proves Jira did not carry it out. That is a 429 (the rate limiter
 * refuses before any work is done) and a connection that was never made (refused, name not resolved,
 * host unreachable, connect timeout), so the request never left. Everything else may come after Jira
 * did the work: a timeout or a reset (the answer was lost), a 500 (Jira failed after committing), a
 * 502 or 504 (a proxy gave up on an upstream that went on), and a 503 too: Atlassian answers it when a
 * resource limit is hit, but a proxy answers it as well when its upstream dropped a request it had
 * already forwarded (Envoy's "reset before headers"), and the two cannot be told apart. Those fail
 * the call at once; the job decides (lib/sync/sync-ticket.ts).
 */
export function classifyUnrepeatableJiraFailure(error: unknown): RetryVerdict {
  if (error instanceof JiraNetworkError) return { retryable: !error.timedOut && neverConnected(error) };
  if (error instanceof JiraHttpError && error.status === 429) {
    return { retryable: true, retryAfterMs: error.retryAfterMs };
  }
  return { retryable: false };
}

/** Failures of the connection itself, before a byte of the request was sent. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * fetch rejects with `TypeError('fetch failed')` whose cause carries the socket's error code. A host
 * or network becoming unreachable can also end a connection already made, so a code counts only from
 * the connect or the name lookup when the error names its system call.
 */
function neverConnected(error: JiraNetworkError): boolean {
  const cause = (error.cause as { cause?: { code?: unknown; syscall?: unknown } } | undefined)?.cause;
  const code = cause?.code;
  const syscall = cause?.syscall;
  if (typeof code !== 'string' || !NOT_CONNECTED.has(code)) return false;
  return syscall === undefined || syscall === 'connect' || syscall === 'getaddrinfo';
}

export function createJiraTransport(options: JiraTransportOptions): Client {
  const host = options.baseUrl.replace(/\/+$/, '');
  const authorization = `Basic ${Buffer.from(`${options.email}:${options.apiToken}`, 'utf8').toString('base64')}`;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;

  return {
    async sendRequest<T>(request: SendRequestOptions<T>): Promise<T> {
      const method = request.method ?? 'GET';
      // Method and path template only: the query may hold JQL, and JQL holds labels.
      const name = `${method} ${request.url.split('?')[0]}`;
      const isForm = request.body instanceof FormData;
      const hasBody = request.body !== undefined && request.body !== null;
      const headers: Record<string, string> = {
        Accept: 'application/json',
        Authorization: authorization,
        ...(hasBody && !isForm ? { 'Content-Type': 'application/json' } : {}),
        ...request.headers,
      };
      let response: Response;
      try {
        response = await fetch(withSearchParams(`${host}${request.url}`, request.searchParams), {
          method,
          headers,
          body: isForm ? (request.body as FormData) : hasBody ? JSON.stringify(request.body) : undefined,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
        throw new JiraNetworkError(name, timedOut, error);
      }

      if (!response.ok) {
        const body = await readJson(response).catch(() => undefined);
        throw new JiraHttpError(
          name,
          response.status,
          parseRetryAfter(response.headers.get('retry-after')),
          errorFields(body),
        );
      }
      if (response.status === 204) return undefined as T;
      let data: unknown;
      try {
        data = await readJson(response);
      } catch (error) {
        throw new JiraNetworkError(
          name,
          error instanceof DOMException && error.name === 'TimeoutError',
          error,
        );
      }
      if (data === undefined || !request.schema) return data as T;
      // Like jira.js's 'silent' mode: its schemas lag Jira, and a stale schema must not fail a call.
      const parsed = request.schema.safeParse(data);
      return (parsed.success ? parsed.data : data) as T;
    },
  };
}

/** The body as JSON; undefined when empty or not JSON. Rejects when the body cannot be read (timeout, reset). */
async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorFields(body: unknown): string[] {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  return errors && typeof errors === 'object' ? Object.keys(errors).slice(0, 20) : [];
}

/** jira.js's encoding: arrays repeat the parameter, objects go as JSON, empty values are left out. */
function withSearchParams(url: string, searchParams: Record<string, unknown> | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(searchParams ?? {})) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value) if (item !== undefined && item !== null) params.append(key, String(item));
    } else {
      params.set(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
  }
  const query = params.toString();
  return query ? `${url}${url.includes('?') ? '&' : '?'}${query}` : url;
}
