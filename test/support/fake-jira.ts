import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
  raw: string;
}

/**
 * A loopback endpoint speaking the part of Jira Cloud's REST API v3 the tracker uses, so tests drive
 * the real jira.js client over real HTTP. Queue failures with `failNext` to test error handling.
 */
export class FakeJira {
  readonly requests: RecordedRequest[] = [];
  readonly failures: { status: number; body?: unknown; headers?: Record<string, string> }[] = [];
  #server: Server | undefined;
  #issues = 0;
  url = '';

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const path = (req.url ?? '').split('?')[0] ?? '';
        this.requests.push({
          method: req.method ?? '',
          path,
          authorization: req.headers.authorization,
          body: raw ? JSON.parse(raw) : undefined,
          raw,
        });
        const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(body));
        };
        const failure = this.failures.shift();
        if (failure)
          return reply(failure.status, failure.body ?? { errorMessages: ['failure'] }, failure.headers);
        if (req.method === 'POST' && path === '/rest/api/3/issue') {
          const id = String(10_000 + ++this.#issues);
          const key = `DEV-${this.#issues}`;
          return reply(201, { id, key, self: `${this.url}/rest/api/3/issue/${id}` });
        }
        const comment = /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/.exec(path);
        if (req.method === 'POST' && comment) {
          const now = new Date().toISOString();
          const id = String(this.requests.length);
          const body = (JSON.parse(raw) as { body: unknown }).body;
          return reply(201, { id, self: `${this.url}${path}/${id}`, body, created: now, updated: now });
        }
        reply(404, { errorMessages: [`no fake for ${req.method} ${path}`] });
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  /** Everything the proxy sent to Jira, as one string, for leak searches. */
  allSentText(): string {
    return this.requests.map((r) => r.raw).join('\n');
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }
}
