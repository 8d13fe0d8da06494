import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpHandler } from '../../functions/support/http.ts';
import type { DevIssuer } from '../auth/dev-issuer.ts';
import { authorizeParams, type DevLoginFlow } from '../auth/dev-login.ts';
import type { ConsoleSite } from '../console/console-site.ts';
import { adfToText } from '../document/adf-text.ts';
import type { LocalReplies } from '../servicedesk/local-replies.ts';
import { STAFF_ROUTES } from '../staff/staff-routes.ts';
import type { FileJobQueue } from '../sync/file-job-queue.ts';
import { TicketLimits } from '../ticket/generic-ticket.ts';
import type { OutboxIssue, OutboxTracker } from '../tracker/outbox-tracker.ts';
import { LOGIN_PAGE_HEADERS, loginErrorPage, loginPage } from './dev-login-page.ts';

export interface LocalServerOptions {
  /** `POST /webhooks/{servicedesk}/{tenant}`. */
  servicedeskHandler: HttpHandler;
  /** `POST /webhooks/jira`. */
  jiraHandler: HttpHandler;
  outbox: OutboxTracker | undefined;
  replies: LocalReplies;
  queue: FileJobQueue;
  /** The staff API's routes (STAFF_ROUTES), behind the development issuer's logins. */
  staffHandler?: HttpHandler;
  issuer?: DevIssuer;
  /** The staff console at `/console/`, logging in through the development issuer's login page. */
  console?: { site: ConsoleSite; login: DevLoginFlow };
  host?: string;
  port?: number;
}

const JIRA_ROUTE = /^\/webhooks\/jira\/?$/;
const SERVICEDESK_ROUTE = /^\/webhooks\/([a-z]{1,32})\/([^/]+)\/?$/;

/**
 * The local server: plain HTTP in front of the same handlers Lambda runs. It only turns requests
 * into API Gateway events and results back into responses.
 */
export async function startLocalServer(
  options: LocalServerOptions,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    route(req, res, options).catch(() =>
      send(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8787, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return { server, url: `http://${address}:${port}` };
}

async function route(req: IncomingMessage, res: ServerResponse, options: LocalServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  // Only loopback names: a web page that rebinds its own host name to 127.0.0.1 must not read the outbox.
  if (!/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(req.headers.host ?? '')) {
    return send(res, 403, { error: { code: 'FORBIDDEN_HOST', message: 'use 127.0.0.1 or localhost' } });
  }
  if (req.method === 'GET' && url.pathname === '/health') return send(res, 200, { status: 'ok' });
  if (req.method === 'GET' && url.pathname === '/outbox') {
    if (!options.outbox)
      return send(res, 404, { error: { code: 'NO_OUTBOX', message: 'tickets go to Jira' } });
    const issues = await options.outbox.list();
    // `?view=text`: the issues as a developer reads them, for the console.
    return send(res, 200, url.searchParams.get('view') === 'text' ? issues.map(asText) : issues);
  }
  if (options.console) {
    if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(302, { location: '/console' });
      return void res.end();
    }
    if (req.method === 'GET' && (url.pathname === '/console' || url.pathname.startsWith('/console/'))) {
      const page = options.console.site.get(url.pathname);
      res.writeHead(page.statusCode, page.headers);
      return void res.end(page.body);
    }
    if (url.pathname === '/dev-login/authorize' || url.pathname === '/dev-login/token') {
      return devLogin(req, res, url, options.console.login);
    }
  }
  // What the servicedesk got back: developers' replies with values restored (local stand-in only).
  if (req.method === 'GET' && url.pathname === '/replies')
    return send(res, 200, await options.replies.list());
  if (req.method === 'GET' && url.pathname === '/queue') {
    return send(res, 200, { dead: await options.queue.dead() });
  }
  if (req.method === 'GET' && url.pathname === '/.well-known/jwks.json' && options.issuer) {
    return send(res, 200, options.issuer.jwks());
  }
  const staffRoute = `${req.method} ${url.pathname.replace(/\/$/, '')}`;
  if (options.staffHandler && options.issuer && (STAFF_ROUTES as readonly string[]).includes(staffRoute)) {
    return staff(req, res, url, staffRoute, options.staffHandler, options.issuer);
  }
  const servicedesk = SERVICEDESK_ROUTE.exec(url.pathname);
  if (req.method === 'POST' && (JIRA_ROUTE.test(url.pathname) || servicedesk)) {
    const body = await readBody(req, TicketLimits.maxTicketBytes);
    if (!body) {
      res.setHeader('connection', 'close');
      return send(res, 413, { error: { code: 'TICKET_TOO_LARGE', message: 'body is too large' } });
    }
    const result = servicedesk
      ? await options.servicedeskHandler(
          toEvent(req, url, 'POST /webhooks/{servicedesk}/{tenant}', body, {
            servicedesk: servicedesk[1] ?? '',
            tenant: decodePathSegment(servicedesk[2] ?? ''),
          }),
        )
      : await options.jiraHandler(toEvent(req, url, 'POST /webhooks/jira', body, {}));
    res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
    res.end(result.body);
    return;
  }
  send(res, 404, { error: { code: 'NOT_FOUND', message: 'no such route' } });
}

/**
 * What API Gateway's JWT authorizer does in AWS: no valid bearer token, no handler. The handler then
 * gets the verified claims in the same place.
 */
async function staff(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  routeKey: string,
  handler: HttpHandler,
  issuer: DevIssuer,
): Promise<void> {
  const bearer = /^Bearer\s+([\w-]+\.[\w-]+\.[\w-]+)$/i.exec(req.headers.authorization ?? '')?.[1];
  let claims: Record<string, unknown>;
  try {
    if (!bearer) throw new Error('no bearer token');
    claims = { ...(await issuer.verify(bearer)) };
  } catch {
    res.setHeader('www-authenticate', 'Bearer');
    return send(res, 401, { message: 'Unauthorized' });
  }
  const body = await readBody(req, STAFF_BODY_LIMIT);
  if (!body) {
    res.setHeader('connection', 'close');
    return send(res, 413, { error: { code: 'TOO_LARGE', message: 'body is too large' } });
  }
  const event = toEvent(req, url, routeKey, body, {});
  const result = await handler({
    ...event,
    requestContext: { ...event.requestContext, authorizer: { jwt: { claims, scopes: [] } } },
  } as typeof event);
  res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
  res.end(result.body);
}

/**
 * The development issuer's OAuth endpoints for the console: the login page (GET), the login (POST)
 * and the token endpoint. What Cognito's managed login does in AWS.
 */
async function devLogin(req: IncomingMessage, res: ServerResponse, url: URL, login: DevLoginFlow) {
  const origin = `http://${req.headers.host}`;
  const page = (status: number, html: string) => {
    res.writeHead(status, LOGIN_PAGE_HEADERS);
    res.end(html);
  };
  if (url.pathname === '/dev-login/authorize' && req.method === 'GET') {
    const params = authorizeParams(url.searchParams);
    const problem = login.checkAuthorize(params, origin);
    return problem ? page(400, loginErrorPage(problem.error_description)) : page(200, loginPage(params));
  }
  if (req.method !== 'POST')
    return send(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'use POST' } });
  // Only this server's own pages post here: another site's form could otherwise log a browser in
  // as someone else, or spend a user's tries at their code.
  const site = req.headers['sec-fetch-site'];
  if (
    (req.headers.origin !== undefined && req.headers.origin !== origin) ||
    (site !== undefined && site !== 'same-origin')
  ) {
    return send(res, 403, { error: { code: 'CROSS_SITE', message: 'post from this server’s own pages' } });
  }
  const body = await readBody(req, 16 * 1024);
  if (!body) {
    res.setHeader('connection', 'close');
    return send(res, 413, { error: { code: 'TOO_LARGE', message: 'body is too large' } });
  }
  const form = new URLSearchParams(body.toString('utf8'));
  if (url.pathname === '/dev-login/token') {
    const result = await login.exchange(form);
    res.writeHead('error' in result ? 400 : 200, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
    });
    return void res.end(JSON.stringify(result));
  }
  const params = authorizeParams(form);
  const user = form.get('user') ?? '';
  const result = await login.logIn(params, origin, user, form.get('otp') ?? '');
  if ('redirect' in result) {
    res.writeHead(303, { location: result.redirect, 'cache-control': 'no-store' });
    return void res.end();
  }
  return result.error === 'invalid_code' || result.error === 'invalid_user'
    ? page(400, loginPage(params, result.error_description, user))
    : page(400, loginErrorPage(result.error_description));
}

/** An outbox issue as a developer reads it in Jira: its documents as text. */
function asText(issue: OutboxIssue) {
  const text = (doc: OutboxIssue['description']) => {
    try {
      return adfToText(doc);
    } catch {
      return '';
    }
  };
  return {
    ...issue,
    description: text(issue.description),
    comments: issue.comments.map((c) => ({ ...c, body: text(c.body) })),
  };
}

/** A little over the staff API's own limit, so that the handler's 413 is the one people see. */
const STAFF_BODY_LIMIT = 1024 * 1024;

/** A malformed escape is no tenant at all (the handler answers 404), not a server error. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}

/**
 * Reads the body, or returns undefined when it passes the limit. The rest of a body too large is
 * read and dropped (up to {@link MAX_DISCARDED_BYTES}), not buffered: a client still sending when
 * the connection closed would see a reset instead of the 413.
 */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).byteLength;
    if (size > MAX_DISCARDED_BYTES) break;
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  return size > limit ? undefined : Buffer.concat(chunks);
}

/** How much of a body too large is read to answer 413 cleanly; beyond it the connection is cut. */
const MAX_DISCARDED_BYTES = 64 * 1024 * 1024;

function toEvent(
  req: IncomingMessage,
  url: URL,
  routeKey: string,
  body: Buffer,
  pathParameters: Record<string, string>,
): APIGatewayProxyEventV2 {
  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
  );
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    pathParameters,
    // Base64 keeps the exact bytes the signature was computed over, as API Gateway does for binary bodies.
    body: body.toString('base64'),
    isBase64Encoded: true,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'POST',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '',
        userAgent: req.headers['user-agent'] ?? '',
      },
      requestId: crypto.randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
