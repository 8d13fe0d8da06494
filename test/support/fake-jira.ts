import type { IncomingMessage } from 'node:http';
import { type LoopbackReply, LoopbackServer } from './loopback-server.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
  raw: string;
}

/**
 * A loopback endpoint speaking the part of Jira Cloud's REST API v3 the tracker uses, so tests drive
 * the real jira.js client over real HTTP. Queue failures with `failures` to test error handling.
 */
export class FakeJira extends LoopbackServer {
  readonly requests: RecordedRequest[] = [];
  readonly failures: LoopbackReply[] = [];
  protected contentType = 'application/json';
  #issues = 0;

  protected handle(req: IncomingMessage, raw: string): LoopbackReply {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const body = raw ? (JSON.parse(raw) as unknown) : undefined;
    this.requests.push({
      method: req.method ?? '',
      path,
      authorization: req.headers.authorization,
      body,
      raw,
    });
    const failure = this.failures.shift();
    if (failure) return failure;
    if (req.method === 'POST' && path === '/rest/api/3/issue') {
      const id = String(10_000 + ++this.#issues);
      return {
        status: 201,
        body: { id, key: `DEV-${this.#issues}`, self: `${this.url}/rest/api/3/issue/${id}` },
      };
    }
    if (req.method === 'POST' && /^\/rest\/api\/3\/issue\/[^/]+\/comment$/.test(path)) {
      const now = new Date().toISOString();
      const id = String(this.requests.length);
      const comment = (body as { body: unknown }).body;
      return {
        status: 201,
        body: { id, self: `${this.url}${path}/${id}`, body: comment, created: now, updated: now },
      };
    }
    return { status: 404, body: { errorMessages: [`no fake for ${req.method} ${path}`] } };
  }

  /** Everything the proxy sent to Jira, as one string, for leak searches. */
  allSentText(): string {
    return this.requests.map((r) => r.raw).join('\n');
  }
}
