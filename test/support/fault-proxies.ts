import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import {
  type AddressInfo,
  connect,
  createServer as createTcpServer,
  type Socket,
  type Server as TcpServer,
} from 'node:net';

/** What {@link HttpFaultProxy} does with one request. */
export type HttpFault =
  /** Forwarded, answered. */
  | { kind: 'pass' }
  /** Never forwarded, never answered: the service never saw it, the client waits (or times out). */
  | { kind: 'hold' }
  /** Forwarded and carried out; the answer never reaches the client. */
  | { kind: 'applyThenHold' }
  /** Forwarded and carried out at once; the answer reaches the client after `ms` (if it still listens). */
  | { kind: 'answerLate'; ms: number }
  /** Reaches the service only after `ms`, whether the client still waits or not. */
  | { kind: 'applyLate'; ms: number }
  /** Answered here with this status, never forwarded (429 with Retry-After, 503, …). */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown };

export interface FaultRule {
  /** Tested against `METHOD /path` (no query). */
  match: RegExp;
  fault: HttpFault;
  /** How many requests it applies to. @default 1 */
  times?: number;
}

export interface SeenRequest {
  method: string;
  path: string;
  /** The body as UTF-8 text, for leak searches: everything that left the client, forwarded or not. */
  raw: string;
  at: number;
  fault: HttpFault['kind'];
}

const CREATE_ISSUE = /^POST \/rest\/api\/3\/issue$/;
const SEARCH = /^(GET|POST) \/rest\/api\/3\/search\/jql$/;

/**
 * An HTTP proxy in front of a loopback service (the fake Jira) that breaks requests the way networks
 * and busy servers do: requests held forever, answers lost after the work was done, answers or work
 * that come late, statuses answered on the service's behalf. Rules are taken in order, each for its
 * `times`; a request no rule matches passes.
 *
 * `searchLagMs` models Jira Cloud's enhanced search (`/rest/api/3/search/jql`), which Atlassian
 * documents as eventually consistent: an issue created less than that long ago is left out of search
 * results, unless the search names it in `reconcileIssues`.
 */
export class HttpFaultProxy {
  url = '';
  readonly seen: SeenRequest[] = [];
  readonly rules: FaultRule[] = [];
  searchLagMs = 0;
  readonly #target: URL;
  readonly #held = new Set<ServerResponse>();
  /** Issue key and id → when the service created it (as the proxy saw the answer). */
  readonly #created = new Map<string, number>();
  #server: Server | undefined;

  constructor(target: string) {
    this.#target = new URL(target);
  }

  /** Adds a rule; returns this for chaining. */
  on(match: RegExp, fault: HttpFault, times = 1): this {
    this.rules.push({ match, fault, times });
    return this;
  }

  /** Requests seen whose `METHOD /path` matches. */
  requests(match: RegExp): SeenRequest[] {
    return this.seen.filter((r) => match.test(`${r.method} ${r.path}`));
  }

  /** Everything the client sent, as one string, for leak searches. */
  allSentText(): string {
    return this.seen.map((r) => `${r.method} ${r.path}\n${r.raw}`).join('\n');
  }

  /** Drops every held request (the client sees its connection close) and every rule. */
  reset(): void {
    this.rules.length = 0;
    this.searchLagMs = 0;
    for (const res of this.#held) res.destroy();
    this.#held.clear();
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.on('error', () => undefined);
        this.#handle(req, res, Buffer.concat(chunks)).catch(() => {
          if (!res.headersSent && !res.destroyed) res.writeHead(502).end();
        });
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.reset();
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const name = `${req.method} ${url.pathname}`;
    const index = this.rules.findIndex((r) => r.match.test(name));
    const rule = index === -1 ? undefined : this.rules[index];
    if (rule) {
      rule.times = (rule.times ?? 1) - 1;
      if (rule.times <= 0) this.rules.splice(index, 1);
    }
    const fault: HttpFault = rule?.fault ?? { kind: 'pass' };
    this.seen.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      raw: body.toString('utf8'),
      at: Date.now(),
      fault: fault.kind,
    });
    const answer = (reply: Upstream) => {
      if (res.destroyed || res.headersSent) return;
      res.writeHead(reply.status, reply.headers).end(reply.body);
    };
    switch (fault.kind) {
      case 'status':
        return answer({
          status: fault.status,
          headers: { 'content-type': 'application/json', ...fault.headers },
          body: Buffer.from(JSON.stringify(fault.body ?? { errorMessages: ['injected by the test'] })),
        });
      case 'hold':
        this.#held.add(res);
        return;
      case 'applyThenHold':
        this.#held.add(res);
        await this.#forward(req, name, body);
        return;
      case 'answerLate': {
        const reply = await this.#forward(req, name, body);
        await sleep(fault.ms);
        return answer(reply);
      }
      case 'applyLate':
        await sleep(fault.ms);
        return answer(await this.#forward(req, name, body));
      case 'pass':
        return answer(await this.#forward(req, name, body));
    }
  }

  async #forward(req: IncomingMessage, name: string, body: Buffer): Promise<Upstream> {
    const reply = await new Promise<Upstream>((resolve, reject) => {
      const forward = request(
        {
          host: this.#target.hostname,
          port: this.#target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: this.#target.host },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 502,
              headers: Object.fromEntries(
                Object.entries(res.headers).flatMap(([k, v]) =>
                  typeof v === 'string' && !['connection', 'keep-alive', 'transfer-encoding'].includes(k)
                    ? [[k, v]]
                    : [],
                ),
              ),
              body: Buffer.concat(chunks),
            }),
          );
        },
      );
      forward.on('error', reject);
      forward.end(body);
    });
    if (CREATE_ISSUE.test(name) && reply.status === 201) {
      const created = JSON.parse(reply.body.toString('utf8')) as { id: string; key: string };
      this.#created.set(created.key, Date.now()).set(created.id, Date.now());
    }
    if (SEARCH.test(name) && reply.status === 200 && this.searchLagMs > 0) {
      return this.#lagging(req, body, reply);
    }
    return reply;
  }

  /** The search answer as a lagging index gives it: issues created within `searchLagMs` left out. */
  #lagging(req: IncomingMessage, body: Buffer, reply: Upstream): Upstream {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const reconcile = new Set<string>([
      ...url.searchParams.getAll('reconcileIssues').flatMap((v) => v.split(',')),
      ...(
        (body.length > 0 ? (JSON.parse(body.toString('utf8')) as { reconcileIssues?: unknown[] }) : {})
          .reconcileIssues ?? []
      ).map(String),
    ]);
    const result = JSON.parse(reply.body.toString('utf8')) as { issues?: { id: string; key: string }[] };
    const indexedBefore = Date.now() - this.searchLagMs;
    result.issues = (result.issues ?? []).filter(
      (issue) => reconcile.has(issue.id) || (this.#created.get(issue.key) ?? 0) <= indexedBefore,
    );
    const text = Buffer.from(JSON.stringify(result));
    return { ...reply, headers: { ...reply.headers, 'content-length': String(text.length) }, body: text };
  }
}

interface Upstream {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type TcpMode = 'pass' | 'refuse' | 'hang' | 'reset';

/**
 * A TCP proxy on a fixed port in front of a loopback service (the fake KMS), for faults below HTTP:
 * `refuse` (nothing listens: connection refused), `hang` (connections accepted, never answered),
 * `reset` (connections accepted and reset at once), or `pass`. Changing the mode cuts every open
 * connection, so keep-alive sockets do not carry the old mode on.
 */
export class TcpFaultProxy {
  url = '';
  mode: TcpMode = 'pass';
  /** Connections accepted since start, by the mode they met. */
  readonly accepted: Record<TcpMode, number> = { pass: 0, refuse: 0, hang: 0, reset: 0 };
  readonly #target: URL;
  readonly #sockets = new Set<Socket>();
  #server: TcpServer | undefined;
  #port = 0;

  constructor(target: string) {
    this.#target = new URL(target);
  }

  async start(): Promise<this> {
    await this.#listen();
    this.url = `http://127.0.0.1:${this.#port}`;
    return this;
  }

  async set(mode: TcpMode): Promise<void> {
    this.mode = mode;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    if (mode === 'refuse') await this.#close();
    else if (!this.#server) await this.#listen();
  }

  async stop(): Promise<void> {
    await this.set('refuse');
  }

  async #listen(): Promise<void> {
    const server = createTcpServer((client) => {
      this.accepted[this.mode]++;
      this.#sockets.add(client);
      client.on('close', () => this.#sockets.delete(client));
      client.on('error', () => undefined);
      if (this.mode === 'reset') return void client.resetAndDestroy();
      if (this.mode === 'hang') return void client.resume();
      const upstream = connect(Number(this.#target.port), this.#target.hostname);
      this.#sockets.add(upstream);
      upstream.on('close', () => {
        this.#sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
  }

  async #close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
