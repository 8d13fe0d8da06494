import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertValidAdf } from './adf-schema.ts';
import type { LoopbackReply } from './loopback-server.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  /** The query string without `?`. */
  query: string;
  authorization: string | undefined;
  /** Parsed JSON; undefined for an empty or non-JSON (multipart) body. */
  body: unknown;
  /** The body as UTF-8 text, for leak searches. */
  raw: string;
}

/** A queued answer that replaces the fake's own. */
export interface FakeFailure extends LoopbackReply {
  /** Only for requests whose `METHOD /path` matches; others pass it by. */
  match?: RegExp;
  /** Carry out the request, then answer with the failure: the answer was lost, the effect was not. */
  afterApplying?: boolean;
  /** Wait this long before answering, to exercise client timeouts. */
  delayMs?: number;
}

export interface FakeComment {
  id: string;
  author: { accountId: string; displayName: string };
  /** ADF (platform API) or plain text (service desk API). */
  body: unknown;
  properties: Map<string, unknown>;
  jsdPublic: boolean;
  created: string;
}

export interface FakeAttachment {
  id: string;
  filename: string;
  mimeType: string;
  content: Buffer;
}

export interface FakeRemoteLink {
  id: number;
  globalId: string | undefined;
  object: { url: string; title: string };
  relationship: string | undefined;
  application: unknown;
}

export interface FakeIssue {
  id: string;
  key: string;
  fields: Record<string, unknown> & { labels: string[] };
  properties: Map<string, unknown>;
  comments: FakeComment[];
  attachments: FakeAttachment[];
  remoteLinks: FakeRemoteLink[];
}

export interface FakeJiraOptions {
  /** The only credentials accepted. @default any well-formed basic auth */
  credentials?: { email: string; apiToken: string };
  /** Custom fields that hold dates (`YYYY-MM-DD`). @default ['customfield_10050'] */
  dateFields?: string[];
}

type Reply = LoopbackReply;
type Route = (match: RegExpExecArray, request: FakeRequest) => Reply;
interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
  bytes: Buffer;
}

const ISSUE = '/rest/api/3/issue/([^/]+)';
const SYSTEM_FIELDS = new Set(['project', 'issuetype', 'summary', 'description', 'labels']);
const NOT_FOUND: Reply = {
  status: 404,
  body: { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} },
};

/**
 * A loopback endpoint speaking the part of Jira Cloud's REST API v3 (and of Jira Service
 * Management's) the proxy uses, so tests drive the real jira.js over real HTTP. Stateful and strict:
 * it keeps issues with their labels, properties, comments, attachments and remote links; answers 400
 * to what Jira refuses (invalid ADF, a summary with a line break, a label with a space, an unknown
 * field) and 401 without basic auth. Every ADF body is checked against Atlassian's schema; failures
 * are answered 400 and kept in `adfErrors`.
 *
 * Failures: queue answers in `failures` (taken in order, by the first request each `match`es), or set
 * `down` to answer 503 to everything.
 */
export class FakeJira {
  url = '';
  readonly requests: RecordedRequest[] = [];
  readonly failures: FakeFailure[] = [];
  /** Schema complaints about ADF the fake received (and refused). */
  readonly adfErrors: string[] = [];
  readonly issues = new Map<string, FakeIssue>();
  /** The account the credentials belong to (`/myself`), author of what the proxy writes. */
  readonly account = { accountId: '712020:proxy-account', displayName: 'Ticket proxy' };
  /** Every request answered 503 while true. */
  down = false;
  /** The most comments one page holds, whatever the client asks for. */
  commentPageLimit = 100;

  readonly #credentials: FakeJiraOptions['credentials'];
  readonly #dateFields: Set<string>;
  readonly #routes: [string, RegExp, Route][];
  #server: Server | undefined;
  #ids = 10_000;
  #numbers = new Map<string, number>();

  constructor(options: FakeJiraOptions = {}) {
    this.#credentials = options.credentials;
    this.#dateFields = new Set(options.dateFields ?? ['customfield_10050']);
    const route = (method: string, path: string, handler: Route): [string, RegExp, Route] => [
      method,
      new RegExp(`^${path}$`),
      handler,
    ];
    this.#routes = [
      route('POST', '/rest/api/3/issue', (_, r) => this.#createIssue(r)),
      route('GET', ISSUE, (m, r) => this.#withIssue(m, (i) => this.#getIssue(i, r))),
      route('PUT', ISSUE, (m, r) => this.#withIssue(m, (i) => this.#editIssue(i, r))),
      route('GET', `${ISSUE}/properties/([^/]+)`, (m) => this.#withIssue(m, (i) => this.#getProperty(i, m))),
      route('PUT', `${ISSUE}/properties/([^/]+)`, (m, r) =>
        this.#withIssue(m, (i) => this.#setProperty(i, m, r)),
      ),
      route('GET', `${ISSUE}/comment`, (m, r) => this.#withIssue(m, (i) => this.#listComments(i, r))),
      route('POST', `${ISSUE}/comment`, (m, r) => this.#withIssue(m, (i) => this.#addComment(i, r))),
      route('POST', `${ISSUE}/attachments`, (m, r) => this.#withIssue(m, (i) => this.#addAttachments(i, r))),
      route('GET', `${ISSUE}/remotelink`, (m) => this.#withIssue(m, (i) => this.#listRemoteLinks(i))),
      route('POST', `${ISSUE}/remotelink`, (m, r) => this.#withIssue(m, (i) => this.#upsertRemoteLink(i, r))),
      route('GET', '/rest/api/3/search/jql', (_, r) => this.#search(r.query.get('jql'), r.query)),
      route('POST', '/rest/api/3/search/jql', (_, r) => this.#searchPost(r)),
      route('GET', '/rest/api/3/search', () => gone()),
      route('POST', '/rest/api/3/search', () => gone()),
      route('GET', '/rest/api/3/myself', () => ({ status: 200, body: this.#myself() })),
      route('GET', '/rest/servicedeskapi/request/([^/]+)/comment', (m, r) =>
        this.#withIssue(m, (i) => this.#listRequestComments(i, r)),
      ),
      route('POST', '/rest/servicedeskapi/request/([^/]+)/comment', (m, r) =>
        this.#withIssue(m, (i) => this.#addRequestComment(i, r)),
      ),
    ];
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        res.on('error', () => undefined);
        const reply = await this.#handle(req, Buffer.concat(chunks)).catch(
          (): Reply => ({ status: 500, body: { errorMessages: ['the fake failed'] } }),
        );
        if (res.destroyed) return;
        const hasBody = reply.body !== undefined && reply.status !== 204;
        res.writeHead(reply.status, {
          ...(hasBody ? { 'content-type': 'application/json;charset=UTF-8' } : {}),
          ...reply.headers,
        });
        res.end(hasBody ? JSON.stringify(reply.body) : undefined);
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }

  /** Everything the proxy sent to Jira, as one string, for leak searches. */
  allSentText(): string {
    return this.requests.map((r) => `${r.path}?${r.query}\n${r.raw}`).join('\n');
  }

  /** Forgets issues, requests, failures and ADF errors; the server keeps running. */
  reset(): void {
    this.requests.length = 0;
    this.failures.length = 0;
    this.adfErrors.length = 0;
    this.issues.clear();
    this.#numbers.clear();
    this.down = false;
    this.commentPageLimit = 100;
  }

  issue(key: string): FakeIssue {
    const issue = this.issues.get(key);
    if (!issue) throw new Error(`the fake has no issue ${key}`);
    return issue;
  }

  /** An issue made as if in Jira's UI, e.g. a service desk request. */
  seedIssue(projectKey: string, fields: Record<string, unknown> = {}, number?: number): FakeIssue {
    if (number !== undefined) this.#numbers.set(projectKey, number - 1);
    return this.#newIssue(projectKey, { summary: 'Seeded', labels: [], ...fields });
  }

  /** A comment by someone else than the proxy, e.g. a developer. */
  addForeignComment(key: string, text: string, accountId = '712020:developer'): FakeComment {
    const comment: FakeComment = {
      id: String(++this.#ids),
      author: { accountId, displayName: 'Developer' },
      body: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] },
      properties: new Map(),
      jsdPublic: true,
      created: new Date().toISOString(),
    };
    this.issue(key).comments.push(comment);
    return comment;
  }

  async #handle(req: IncomingMessage, bytes: Buffer): Promise<Reply> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = bytes.toString('utf8');
    const isJson = (req.headers['content-type'] ?? '').includes('application/json');
    let body: unknown;
    let malformed = false;
    if (raw && isJson) {
      try {
        body = JSON.parse(raw);
      } catch {
        malformed = true;
      }
    }
    const method = req.method ?? 'GET';
    this.requests.push({
      method,
      path: url.pathname,
      query: url.searchParams.toString(),
      authorization: req.headers.authorization,
      body,
      raw,
    });
    if (this.down) return { status: 503, body: { errorMessages: ['Service unavailable'] } };

    const name = `${method} ${url.pathname}`;
    const index = this.failures.findIndex((f) => !f.match || f.match.test(name));
    const failure = index === -1 ? undefined : this.failures.splice(index, 1)[0];
    if (failure?.delayMs) await sleep(failure.delayMs);
    if (failure && !failure.afterApplying) return failure;

    const reply = this.#answer(
      req,
      { method, path: url.pathname, query: url.searchParams, body, bytes },
      malformed,
    );
    return failure ?? reply;
  }

  #answer(req: IncomingMessage, request: Omit<FakeRequest, 'headers'>, malformed: boolean): Reply {
    if (!this.#authorized(req.headers.authorization)) {
      return { status: 401, body: { errorMessages: ['You are not authenticated.'] } };
    }
    if (malformed) return invalid({}, ['Unexpected character in the JSON body']);
    for (const [method, pattern, handler] of this.#routes) {
      const match = pattern.exec(request.path);
      if (match && method === request.method) return handler(match, { ...request, headers: req.headers });
    }
    return { status: 404, body: { errorMessages: [`no fake for ${request.method} ${request.path}`] } };
  }

  #authorized(header: string | undefined): boolean {
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
    if (!match?.[1]) return false;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 1 || colon === decoded.length - 1) return false;
    if (!this.#credentials) return true;
    return decoded === `${this.#credentials.email}:${this.#credentials.apiToken}`;
  }

  #withIssue(match: RegExpExecArray, handler: (issue: FakeIssue) => Reply): Reply {
    const idOrKey = decodeURIComponent(match[1] ?? '');
    const issue = this.issues.get(idOrKey) ?? [...this.issues.values()].find((i) => i.id === idOrKey);
    return issue ? handler(issue) : NOT_FOUND;
  }

  #newIssue(projectKey: string, fields: Record<string, unknown>): FakeIssue {
    const number = (this.#numbers.get(projectKey) ?? 0) + 1;
    this.#numbers.set(projectKey, number);
    const issue: FakeIssue = {
      id: String(++this.#ids),
      key: `${projectKey}-${number}`,
      fields: { labels: [], ...fields, project: { key: projectKey }, created: new Date().toISOString() },
      properties: new Map(),
      comments: [],
      attachments: [],
      remoteLinks: [],
    };
    this.issues.set(issue.key, issue);
    return issue;
  }

  #createIssue(r: FakeRequest): Reply {
    const body = (r.body ?? {}) as {
      fields?: Record<string, unknown>;
      properties?: unknown;
      update?: unknown;
    };
    const fields = body.fields ?? {};
    const projectKey = (fields.project as { key?: unknown } | undefined)?.key;
    const errors: Record<string, string> = {};
    if (typeof projectKey !== 'string' || !/^[A-Z][A-Z0-9_]+$/.test(projectKey)) {
      errors.project = 'valid project is required';
    }
    const issueType = fields.issuetype as { name?: unknown; id?: unknown } | undefined;
    if (typeof issueType?.name !== 'string' && typeof issueType?.id !== 'string') {
      errors.issuetype = 'Specify an issue type';
    }
    if (fields.summary === undefined) errors.summary = 'You must specify a summary of the issue.';
    Object.assign(errors, this.#checkFields(fields, 'POST /rest/api/3/issue'));
    const properties = checkProperties(body.properties, errors);
    if (body.update !== undefined) errors.update = 'the fake takes no update on create';
    if (Object.keys(errors).length > 0) return invalid(errors);

    const { project: _project, ...rest } = fields;
    const issue = this.#newIssue(projectKey as string, { labels: [], ...rest });
    for (const [key, value] of properties) issue.properties.set(key, value);
    return { status: 201, body: { id: issue.id, key: issue.key, self: this.#self(issue) } };
  }

  #getIssue(issue: FakeIssue, r: FakeRequest): Reply {
    const wanted = listParam(r.query, 'fields');
    const all = wanted.length === 0 || wanted.includes('*all') || wanted.includes('*navigable');
    const fields: Record<string, unknown> = {};
    const available: Record<string, unknown> = {
      ...issue.fields,
      attachment: issue.attachments.map((a) => this.#attachmentMeta(issue, a)),
    };
    for (const [name, value] of Object.entries(available)) {
      if (all || wanted.includes(name)) fields[name] = value;
    }
    return { status: 200, body: { ...this.#issueRef(issue), fields, ...this.#properties(issue, r.query) } };
  }

  #editIssue(issue: FakeIssue, r: FakeRequest): Reply {
    const body = (r.body ?? {}) as {
      fields?: Record<string, unknown>;
      update?: Record<string, unknown>;
      properties?: unknown;
    };
    const fields = body.fields ?? {};
    const update = body.update ?? {};
    const errors: Record<string, string> = {};
    for (const name of Object.keys(update)) {
      if (name in fields) errors[name] = 'Field cannot be set in both fields and update';
      else if (name !== 'labels') errors[name] = 'the fake updates only labels through update';
    }
    if ('project' in fields) errors.project = 'Field cannot be changed here';
    Object.assign(errors, this.#checkFields(fields, `PUT /rest/api/3/issue/${issue.key}`));
    const operations = Array.isArray(update.labels) ? (update.labels as Record<string, unknown>[]) : [];
    if (update.labels !== undefined && !Array.isArray(update.labels))
      errors.labels = 'expected a list of operations';
    for (const operation of operations) {
      const verbs = Object.keys(operation ?? {});
      const value = operation?.[verbs[0] ?? ''];
      if (verbs.length !== 1 || !['add', 'remove', 'set'].includes(verbs[0] ?? '')) {
        errors.labels = 'each operation is one of add, remove, set';
      } else if (verbs[0] === 'set' ? !Array.isArray(value) || !value.every(isLabel) : !isLabel(value)) {
        errors.labels = 'The label must not contain spaces and must be at most 255 characters.';
      }
    }
    const properties = checkProperties(body.properties, errors);
    if (Object.keys(errors).length > 0) return invalid(errors);

    Object.assign(issue.fields, fields);
    for (const operation of operations) {
      if ('add' in operation && !issue.fields.labels.includes(operation.add as string)) {
        issue.fields.labels.push(operation.add as string);
      }
      if ('remove' in operation)
        issue.fields.labels = issue.fields.labels.filter((l) => l !== operation.remove);
      if ('set' in operation) issue.fields.labels = [...(operation.set as string[])];
    }
    for (const [key, value] of properties) issue.properties.set(key, value);
    return { status: 204, body: undefined };
  }

  #getProperty(issue: FakeIssue, m: RegExpExecArray): Reply {
    const key = decodeURIComponent(m[2] ?? '');
    if (!issue.properties.has(key)) {
      return { status: 404, body: { errorMessages: [`The property with key '${key}' does not exist.`] } };
    }
    return { status: 200, body: { key, value: issue.properties.get(key) } };
  }

  #setProperty(issue: FakeIssue, m: RegExpExecArray, r: FakeRequest): Reply {
    const key = decodeURIComponent(m[2] ?? '');
    const errors: Record<string, string> = {};
    const [entry] = checkProperties([{ key, value: r.body }], errors);
    if (!entry) return invalid(errors);
    const existed = issue.properties.has(key);
    issue.properties.set(key, entry[1]);
    return { status: existed ? 200 : 201, body: undefined };
  }

  #listComments(issue: FakeIssue, r: FakeRequest): Reply {
    const startAt = Number(r.query.get('startAt') ?? 0);
    const asked = Number(r.query.get('maxResults') ?? this.commentPageLimit);
    const maxResults = Math.min(asked, this.commentPageLimit);
    const withProperties = listParam(r.query, 'expand').includes('properties');
    const comments = issue.comments
      .slice(startAt, startAt + maxResults)
      .map((c) => this.#commentBody(issue, c, withProperties));
    return { status: 200, body: { startAt, maxResults, total: issue.comments.length, comments } };
  }

  #addComment(issue: FakeIssue, r: FakeRequest): Reply {
    const body = (r.body ?? {}) as { body?: unknown; properties?: unknown; visibility?: unknown };
    const errors: Record<string, string> = {};
    if (!this.#isAdf(body.body, `POST /rest/api/3/issue/${issue.key}/comment`)) {
      errors.comment = 'Comment body is not valid!';
    }
    const properties = checkProperties(body.properties, errors);
    if (Object.keys(errors).length > 0) return invalid(errors);
    const publicity = properties.find(([key]) => key === 'sd.public.comment')?.[1] as
      | { internal?: unknown }
      | undefined;
    const comment: FakeComment = {
      id: String(++this.#ids),
      author: this.account,
      body: body.body,
      properties: new Map(properties),
      jsdPublic: publicity?.internal !== true,
      created: new Date().toISOString(),
    };
    issue.comments.push(comment);
    return { status: 201, body: this.#commentBody(issue, comment, true) };
  }

  #addAttachments(issue: FakeIssue, r: FakeRequest): Reply {
    if (r.headers['x-atlassian-token'] !== 'no-check') {
      return { status: 403, body: { errorMessages: ['XSRF check failed'] } };
    }
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/.exec(r.headers['content-type'] ?? '');
    const parts = boundary ? parseMultipart(r.bytes, boundary[1] ?? boundary[2] ?? '') : [];
    const files = parts.filter((p) => p.name === 'file' && p.filename !== undefined);
    if (files.length === 0) return invalid({}, ['No attachments were found in the request.']);
    const added = files.map((file) => {
      const attachment: FakeAttachment = {
        id: String(++this.#ids),
        filename: file.filename as string,
        mimeType: file.contentType ?? 'application/octet-stream',
        content: file.content,
      };
      issue.attachments.push(attachment);
      return this.#attachmentMeta(issue, attachment);
    });
    return { status: 200, body: added };
  }

  #listRemoteLinks(issue: FakeIssue): Reply {
    return {
      status: 200,
      body: issue.remoteLinks.map((l) => ({
        id: l.id,
        self: `${this.#self(issue)}/remotelink/${l.id}`,
        globalId: l.globalId,
        relationship: l.relationship,
        application: l.application,
        object: l.object,
      })),
    };
  }

  #upsertRemoteLink(issue: FakeIssue, r: FakeRequest): Reply {
    const body = (r.body ?? {}) as Partial<Omit<FakeRemoteLink, 'id'>>;
    const url = body.object?.url;
    const title = body.object?.title;
    if (typeof url !== 'string' || typeof title !== 'string' || !title) {
      return invalid({ object: 'a remote link needs object.url and object.title' });
    }
    const link: FakeRemoteLink = {
      id: ++this.#ids,
      globalId: body.globalId,
      object: { url, title },
      relationship: body.relationship,
      application: body.application,
    };
    const existing = issue.remoteLinks.find((l) => l.globalId !== undefined && l.globalId === body.globalId);
    if (existing) {
      Object.assign(existing, { ...link, id: existing.id });
      return {
        status: 200,
        body: { id: existing.id, self: `${this.#self(issue)}/remotelink/${existing.id}` },
      };
    }
    issue.remoteLinks.push(link);
    return { status: 201, body: { id: link.id, self: `${this.#self(issue)}/remotelink/${link.id}` } };
  }

  #searchPost(r: FakeRequest): Reply {
    const body = (r.body ?? {}) as { jql?: unknown; fields?: unknown; properties?: unknown };
    const query = new URLSearchParams();
    for (const name of ['fields', 'properties'] as const) {
      const value = body[name];
      if (Array.isArray(value)) for (const item of value) query.append(name, String(item));
    }
    return this.#search(typeof body.jql === 'string' ? body.jql : null, query);
  }

  /** Conjunctions of `labels`, `project` and `key` equalities, optionally ordered by `created`. */
  #search(jql: string | null, query: URLSearchParams): Reply {
    if (!jql) return invalid({}, ['The JQL query is required (unbounded searches are not allowed).']);
    const clauses = jql
      .replace(/\s+ORDER\s+BY\s+created(\s+(ASC|DESC))?\s*$/i, '')
      .split(/\s+AND\s+/i)
      .map((clause) => /^\s*(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([\w-]+))\s*$/.exec(clause));
    if (clauses.some((c) => !c))
      return invalid({}, [`Error in the JQL Query: the fake cannot read '${jql}'`]);
    const tests = (clauses as RegExpExecArray[]).map(([, field, quoted, bare]) => {
      const value = (quoted ?? bare ?? '').replace(/\\(.)/g, '$1');
      if (field === 'labels') return (i: FakeIssue) => i.fields.labels.includes(value);
      if (field === 'project') return (i: FakeIssue) => i.key.startsWith(`${value}-`);
      if (field === 'key') return (i: FakeIssue) => i.key === value;
      return undefined;
    });
    if (tests.some((t) => !t)) return invalid({}, ['Field does not exist or you do not have permission']);
    const wanted = listParam(query, 'fields');
    const issues = [...this.issues.values()]
      .filter((issue) => tests.every((t) => t?.(issue)))
      .map((issue) => ({
        ...this.#issueRef(issue),
        fields: Object.fromEntries(Object.entries(issue.fields).filter(([name]) => wanted.includes(name))),
        ...this.#properties(issue, query),
      }));
    return { status: 200, body: { issues, isLast: true } };
  }

  #listRequestComments(issue: FakeIssue, r: FakeRequest): Reply {
    const start = Number(r.query.get('start') ?? 0);
    const limit = Math.min(Number(r.query.get('limit') ?? 50), this.commentPageLimit);
    const values = issue.comments.slice(start, start + limit).map((c) => this.#requestCommentBody(c));
    return {
      status: 200,
      body: { size: values.length, start, limit, isLastPage: start + limit >= issue.comments.length, values },
    };
  }

  #addRequestComment(issue: FakeIssue, r: FakeRequest): Reply {
    const body = (r.body ?? {}) as { body?: unknown; public?: unknown };
    if (typeof body.body !== 'string' || !body.body.trim()) return invalid({ body: 'body is required' });
    if (typeof body.public !== 'boolean') return invalid({ public: 'public is required' });
    const comment: FakeComment = {
      id: String(++this.#ids),
      author: this.account,
      body: body.body,
      properties: new Map(),
      jsdPublic: body.public,
      created: new Date().toISOString(),
    };
    issue.comments.push(comment);
    return { status: 201, body: this.#requestCommentBody(comment) };
  }

  /** Field checks Jira makes on create and edit. Returns the errors by field. */
  #checkFields(fields: Record<string, unknown>, where: string): Record<string, string> {
    const errors: Record<string, string> = {};
    for (const [name, value] of Object.entries(fields)) {
      if (!SYSTEM_FIELDS.has(name) && !/^customfield_\d+$/.test(name)) {
        errors[name] = `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;
      } else if (name === 'summary') {
        if (typeof value !== 'string' || !value.trim())
          errors.summary = 'You must specify a summary of the issue.';
        else if (value.length > 255) errors.summary = 'Summary must be less than 255 characters.';
        else if (/[\r\n]/.test(value))
          errors.summary = 'The summary is invalid because it contains newline characters.';
      } else if (name === 'labels') {
        if (!Array.isArray(value) || !value.every(isLabel)) {
          errors.labels = 'The label must not contain spaces and must be at most 255 characters.';
        }
      } else if (name === 'description' || isDocument(value)) {
        if (value !== null && !this.#isAdf(value, `${where} ${name}`)) {
          errors[name] = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
        }
      } else if (this.#dateFields.has(name) && value !== null) {
        if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
          errors[name] = "Date value is invalid. Expected format is 'yyyy-MM-dd'";
        }
      }
    }
    return errors;
  }

  #isAdf(doc: unknown, where: string): boolean {
    try {
      assertValidAdf(doc);
      return true;
    } catch (error) {
      this.adfErrors.push(`${where}: ${(error as Error).message}`);
      return false;
    }
  }

  #properties(issue: FakeIssue, query: URLSearchParams): { properties?: Record<string, unknown> } {
    const wanted = listParam(query, 'properties');
    if (wanted.length === 0) return {};
    const all = wanted.includes('*all');
    return {
      properties: Object.fromEntries([...issue.properties].filter(([key]) => all || wanted.includes(key))),
    };
  }

  #issueRef(issue: FakeIssue) {
    return { id: issue.id, key: issue.key, self: this.#self(issue) };
  }

  #self(issue: FakeIssue): string {
    return `${this.url}/rest/api/3/issue/${issue.id}`;
  }

  #user(user: { accountId: string; displayName: string }) {
    return {
      ...user,
      self: `${this.url}/rest/api/3/user?accountId=${encodeURIComponent(user.accountId)}`,
      active: true,
      accountType: 'atlassian',
    };
  }

  #myself() {
    return {
      ...this.#user(this.account),
      emailAddress: this.#credentials?.email,
      timeZone: 'Europe/Copenhagen',
    };
  }

  #commentBody(issue: FakeIssue, comment: FakeComment, withProperties: boolean) {
    return {
      id: comment.id,
      self: `${this.#self(issue)}/comment/${comment.id}`,
      author: this.#user(comment.author),
      updateAuthor: this.#user(comment.author),
      body: comment.body,
      created: comment.created,
      updated: comment.created,
      jsdPublic: comment.jsdPublic,
      ...(withProperties
        ? { properties: [...comment.properties].map(([key, value]) => ({ key, value })) }
        : {}),
    };
  }

  #requestCommentBody(comment: FakeComment) {
    const epochMillis = Date.parse(comment.created);
    return {
      id: comment.id,
      body: typeof comment.body === 'string' ? comment.body : JSON.stringify(comment.body),
      public: comment.jsdPublic,
      author: { ...this.#user(comment.author), emailAddress: undefined },
      created: { iso8601: comment.created, jira: comment.created, friendly: 'Today', epochMillis },
    };
  }

  #attachmentMeta(issue: FakeIssue, a: FakeAttachment) {
    return {
      id: a.id,
      self: `${this.url}/rest/api/3/attachment/${a.id}`,
      filename: a.filename,
      mimeType: a.mimeType,
      size: a.content.length,
      content: `${this.url}/rest/api/3/attachment/content/${a.id}`,
      author: this.#user(this.account),
      created: new Date().toISOString(),
      issue: issue.key,
    };
  }
}

function invalid(errors: Record<string, string>, errorMessages: string[] = []): Reply {
  return { status: 400, body: { errorMessages, errors } };
}

function gone(): Reply {
  return {
    status: 410,
    body: {
      errorMessages: ['The requested API has been removed. Please migrate to /rest/api/3/search/jql.'],
    },
  };
}

function isLabel(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 255 && !/\s/.test(value);
}

function isDocument(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'doc';
}

/** Entity properties as Jira takes them: keys up to 255 characters, values JSON up to 32 KB. */
function checkProperties(value: unknown, errors: Record<string, string>): [string, unknown][] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    errors.properties = 'expected a list of properties';
    return [];
  }
  const entries: [string, unknown][] = [];
  for (const property of value as { key?: unknown; value?: unknown }[]) {
    if (typeof property?.key !== 'string' || !property.key || property.key.length > 255) {
      errors.properties = 'The property key must be between 1 and 255 characters.';
    } else if (property.value === undefined || JSON.stringify(property.value).length > 32_768) {
      errors.properties = 'The property value must be JSON of at most 32768 bytes.';
    } else {
      entries.push([property.key, structuredClone(property.value)]);
    }
  }
  return entries;
}

/** Repeated or comma-separated, as Jira reads list parameters. */
function listParam(query: URLSearchParams, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

interface MultipartPart {
  name: string | undefined;
  filename: string | undefined;
  contentType: string | undefined;
  content: Buffer;
}

/** Enough of RFC 7578 for what `fetch` sends with a FormData body. */
function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const afterDelimiter = at + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') break;
    const headerStart = afterDelimiter + 2;
    const headerEnd = body.indexOf('\r\n\r\n', headerStart);
    const next = headerEnd === -1 ? -1 : body.indexOf(delimiter, headerEnd);
    if (next === -1) break;
    const headers = body.subarray(headerStart, headerEnd).toString('utf8');
    const disposition = /^content-disposition:(.*)$/im.exec(headers)?.[1] ?? '';
    const filename = /filename="((?:[^"\\]|\\.)*)"/.exec(disposition)?.[1];
    parts.push({
      name: /\bname="([^"]*)"/.exec(disposition)?.[1],
      // What browsers and undici escape in the quoted file name.
      filename: filename?.replace(/%22/g, '"').replace(/%0D/g, '\r').replace(/%0A/g, '\n'),
      contentType: /^content-type:\s*(.*)$/im.exec(headers)?.[1]?.trim(),
      content: Buffer.from(body.subarray(headerEnd + 4, next - 2)),
    });
    at = next;
  }
  return parts;
}
