import { createHash, randomBytes } from 'node:crypto';
import { request, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJiraWebhookHandler } from '../../functions/jira-webhook.ts';
import { createServicedeskWebhookHandler } from '../../functions/servicedesk-webhook.ts';
import { createStaffApiHandler } from '../../functions/staff-api.ts';
import { groupFor, Role } from '../../lib/access/grant.ts';
import { DevIssuer } from '../../lib/auth/dev-issuer.ts';
import { DEV_CLIENT_ID, DevLoginFlow } from '../../lib/auth/dev-login.ts';
import { ConsoleSite } from '../../lib/console/console-site.ts';
import { startLocalServer } from '../../lib/local/server.ts';
import type { EmbeddedRuntime } from '../../lib/runtime/embedded.ts';
import type { OutboxIssue } from '../../lib/tracker/outbox-tracker.ts';
import { putTestGrant } from '../support/grants.ts';
import { silent, testRuntime } from '../support/runtime.ts';
import { useTempDirs } from '../support/temp-dir.ts';

// The local server's console and development login, wired as lib/local/main.ts wires them: the real
// handlers, the embedded runtime on dynalite, the issuer's key in the data directory.

const tempDir = useTempDirs();

let runtime: EmbeddedRuntime;
let issuer: DevIssuer;
let server: Server;
let url: string;
/** A server with the staff API but without the console. */
let bare: { server: Server; url: string };

beforeAll(async () => {
  const dir = await tempDir();
  runtime = await testRuntime(dir, { ballerup: {} });
  issuer = await DevIssuer.open(dir);
  await putTestGrant(runtime.access, 'alice', 'ballerup', Role.REIDENTIFIER);
  await putTestGrant(runtime.access, 'alice', 'ballerup', Role.DPO, new Date(Date.now() - 60_000));
  const site = await ConsoleSite.load({
    mode: 'local',
    authorizeUrl: '/dev-login/authorize',
    tokenUrl: '/dev-login/token',
    clientId: DEV_CLIENT_ID,
  });
  const common = {
    servicedeskHandler: createServicedeskWebhookHandler(() => runtime, silent()),
    jiraHandler: createJiraWebhookHandler(() => runtime, silent()),
    staffHandler: createStaffApiHandler(() => runtime, silent(), 'api'),
    issuer,
    outbox: runtime.outbox,
    replies: runtime.localReplies,
    queue: runtime.queue,
    port: 0,
  };
  ({ server, url } = await startLocalServer({
    ...common,
    console: { site, login: new DevLoginFlow(issuer, runtime.access) },
  }));
  bare = await startLocalServer(common);
});
afterAll(async () => {
  for (const s of [server, bare?.server]) {
    s?.closeAllConnections();
    await new Promise((resolve) => s?.close(resolve));
  }
  await runtime?.close();
});

/** A PKCE pair and the authorization request the console sends for it. */
function authorization() {
  const verifier = randomBytes(32).toString('base64url');
  const params = {
    response_type: 'code',
    client_id: DEV_CLIENT_ID,
    redirect_uri: `${url}/console`,
    state: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  };
  return { verifier, params };
}

const get = (path: string, headers: Record<string, string> = {}, base = url) =>
  fetch(`${base}${path}`, { redirect: 'manual', headers });

/**
 * A form post, as the login page's form and the console's token request send it. Without `headers`,
 * as curl sends it: no Origin and no Sec-Fetch-Site (Node's fetch sends neither of its own).
 */
const postForm = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });

/** What a browser adds to a post from this server's own page. */
const sameOrigin = () => ({ origin: url, 'sec-fetch-site': 'same-origin' });

/** A code that is not the user's now (nor of the period before). */
function wrongCodeFor(user: string): string {
  const right = [issuer.oneTimeCode(user), issuer.oneTimeCode(user, new Date(Date.now() - 300_000))];
  return ['000000', '111111', '222222'].find((c) => !right.includes(c)) as string;
}

/** Logs in through the login form; returns the code and state from the redirect to the console. */
async function logIn(
  params: Record<string, string>,
  user: string,
  otp: string,
  headers: Record<string, string> = {},
) {
  const response = await postForm('/dev-login/authorize', { ...params, user, otp }, headers);
  expect(response.status).toBe(303);
  expect(response.headers.get('cache-control')).toBe('no-store');
  const location = new URL(response.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).toBe(`${url}/console`);
  return { code: location.searchParams.get('code') ?? '', state: location.searchParams.get('state') };
}

/** The status of a request naming `host` in its Host header (fetch always sends the URL's). */
function statusWithHost(method: string, path: string, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
    req.end();
  });
}

async function exchange(
  code: string,
  verifier: string,
  redirectUri = `${url}/console`,
  headers: Record<string, string> = {},
) {
  const response = await postForm(
    '/dev-login/token',
    {
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      client_id: DEV_CLIENT_ID,
      redirect_uri: redirectUri,
    },
    headers,
  );
  return { response, json: (await response.json()) as Record<string, unknown> };
}

describe('local server: the console', () => {
  it('sends / to the console', async () => {
    const response = await get('/');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/console');
  });

  it('serves the console page and files with its security headers', async () => {
    const slash = await get('/console/');
    expect(slash.status).toBe(308);
    expect(slash.headers.get('location')).toBe('/console');
    const page = await get('/console');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self';");
    expect(page.headers.get('content-security-policy')).toContain("img-src 'self';");
    expect(page.headers.get('content-security-policy')).not.toContain('data:');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('strict-transport-security')).toBeNull();
    expect(await page.text()).toContain('src="/console/app.js"');
    const app = await get('/console/app.js');
    expect(app.status).toBe(200);
    expect(app.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(app.headers.get('cache-control')).toBe('public, max-age=300');
    const config = await get('/console/config.json');
    expect(config.headers.get('cache-control')).toBe('no-store');
    expect(await config.json()).toMatchObject({
      mode: 'local',
      tokenUrl: '/dev-login/token',
      clientId: DEV_CLIENT_ID,
    });
  });

  it('serves nothing else under /console/', async () => {
    for (const path of [
      '/console/nothing.js',
      '/console/%2e%2e/package.json',
      '/console/..%2fpackage.json',
    ]) {
      expect((await get(path)).status, path).toBe(404);
    }
  });

  it('is not there on a server without it', async () => {
    expect((await get('/', {}, bare.url)).status).toBe(404);
    expect((await get('/console', {}, bare.url)).status).toBe(404);
    expect((await get('/console/', {}, bare.url)).status).toBe(404);
    expect(
      (await get(`/dev-login/authorize?${new URLSearchParams(authorization().params)}`, {}, bare.url)).status,
    ).toBe(404);
  });

  it('answers a host name that is not loopback 403 (DNS rebinding), for the console and the login too', async () => {
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/console'],
      ['GET', '/console/'],
      ['GET', `/dev-login/authorize?${new URLSearchParams(authorization().params)}`],
      ['POST', '/dev-login/authorize'],
      ['POST', '/dev-login/token'],
    ] as const) {
      expect(await statusWithHost(method, path, 'evil.example'), path).toBe(403);
    }
    const port = new URL(url).port;
    expect(await statusWithHost('GET', '/console', `localhost:${port}`)).toBe(200);
  });
});

describe('local server: the development login', () => {
  it('shows the login form for the console’s request', async () => {
    const { params } = authorization();
    const response = await get(`/dev-login/authorize?${new URLSearchParams(params)}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('cache-control')).toBe('no-store');
    // The browser then posts the form with this server's Origin (not `null`, which is refused).
    expect(response.headers.get('referrer-policy')).toBe('same-origin');
    const html = await response.text();
    expect(html).toContain('<form class="card" method="post" action="/dev-login/authorize"');
    expect(html).toContain(`name="state" value="${params.state}"`);
    expect(html).toContain('<label for="otp">');
  });

  it.each([
    ['another redirect_uri', { redirect_uri: 'https://evil.example/console' }],
    ['the old redirect_uri, /console/', { redirect_uri: 'REDIRECT/' }],
    ['a redirect_uri with a query', { redirect_uri: 'REDIRECT?x=1' }],
    ['no PKCE', { code_challenge: '' }],
    ['plain PKCE', { code_challenge_method: 'plain' }],
    ['no state', { state: '' }],
    ['another client', { client_id: 'another-app' }],
    ['the implicit flow', { response_type: 'token' }],
  ])('answers %s with a 400 page and no form', async (_, overrides) => {
    const { params } = authorization();
    const query = Object.fromEntries(
      Object.entries({ ...params, ...overrides }).map(([k, v]) => [
        k,
        v.replace('REDIRECT', `${url}/console`),
      ]),
    );
    const response = await get(`/dev-login/authorize?${new URLSearchParams(query)}`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await response.text();
    expect(html).toContain('Login request refused');
    expect(html).not.toContain('<form');
  });

  it('refuses a redirect_uri on another loopback origin than the one asked', async () => {
    const { params } = authorization();
    const other = new URL(url);
    other.hostname = 'localhost';
    const response = await get(
      `/dev-login/authorize?${new URLSearchParams({ ...params, redirect_uri: `${other.origin}/console` })}`,
    );
    expect(response.status).toBe(400);
  });

  it('shows the form again, with the problem, for a wrong one-time code', async () => {
    const { params } = authorization();
    const response = await postForm('/dev-login/authorize', {
      ...params,
      user: 'wendy',
      otp: wrongCodeFor('wendy'),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-security-policy')).toContain("form-action 'self'");
    const html = await response.text();
    expect(html).toContain('role="alert"');
    expect(html).toContain('the one-time code is wrong, used or too old');
    expect(html).toContain('action="/dev-login/authorize"');
    expect(html).toContain('name="user" required maxlength="256" value="wendy"');
    expect(html).toContain(`name="code_challenge" value="${params.code_challenge}"`);
  });

  it('shows the form again for an invalid user, and the error page for a bad request', async () => {
    const { params } = authorization();
    const noUser = await postForm('/dev-login/authorize', { ...params, user: '  ', otp: '' });
    expect(noUser.status).toBe(400);
    expect(await noUser.text()).toContain('action="/dev-login/authorize"');
    const badRequest = await postForm('/dev-login/authorize', {
      ...params,
      redirect_uri: 'https://evil.example/console',
      user: 'alice',
      otp: issuer.oneTimeCode('alice'),
    });
    expect(badRequest.status).toBe(400);
    const html = await badRequest.text();
    expect(html).not.toContain('<form');
    expect(html).toContain('redirect_uri must be');
    expect(html).toContain('<a href="/console">');
  });

  it('refuses a login without a one-time code: the form again, with the problem, and no redirect', async () => {
    const { params } = authorization();
    for (const otp of ['', '   ']) {
      const response = await postForm('/dev-login/authorize', { ...params, user: 'xena', otp });
      expect(response.status, JSON.stringify(otp)).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      const html = await response.text();
      expect(html).toContain('the one-time code is wrong, used or too old');
      expect(html).toContain('name="user" required maxlength="256" value="xena"');
    }
    const noField = await postForm('/dev-login/authorize', { ...params, user: 'xena' });
    expect(noField.status).toBe(400);
    expect(noField.headers.get('location')).toBeNull();
  });

  it('sends the browser back to the console with a code and the state, for a login with a second factor', async () => {
    const { params, verifier } = authorization();
    const { code, state } = await logIn(params, 'bea', issuer.oneTimeCode('bea'));
    expect(code).toMatch(/^[\w-]{32}$/);
    expect(state).toBe(params.state);
    const { response, json } = await exchange(code, verifier);
    expect(response.status).toBe(200);
    const claims = await issuer.verify(json.id_token as string);
    expect(claims).toMatchObject({ sub: 'bea', amr: ['pwd', 'otp', 'mfa'], groups: [] });
  });

  it('takes a one-time code for one login: the same code again shows the form with the problem', async () => {
    const otp = issuer.oneTimeCode('yrsa');
    await logIn(authorization().params, 'yrsa', otp);
    const { params } = authorization();
    const again = await postForm('/dev-login/authorize', { ...params, user: 'yrsa', otp });
    expect(again.status).toBe(400);
    expect(again.headers.get('location')).toBeNull();
    const html = await again.text();
    expect(html).toContain('role="alert"');
    expect(html).toContain('the one-time code is wrong, used or too old');
  });

  it('answers a bad code at the token endpoint with 400 invalid_grant', async () => {
    const { response, json } = await exchange('no-such-code', 'x'.repeat(43));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(json).toMatchObject({ error: 'invalid_grant' });
  });

  it('answers only POST at the token endpoint', async () => {
    expect((await get('/dev-login/token')).status).toBe(405);
  });

  it('refuses the code at the token endpoint with another redirect_uri or verifier', async () => {
    // Each login with a user of its own: a one-time code logs in once.
    for (const [user, redirectUri] of [
      ['carl', `${url}/console/other`],
      ['carla', `${url}/console/`],
    ] as const) {
      const first = authorization();
      const { code } = await logIn(first.params, user, issuer.oneTimeCode(user));
      expect((await exchange(code, first.verifier, redirectUri)).json, redirectUri).toEqual({
        error: 'invalid_grant',
        error_description: expect.any(String),
      });
    }
    const first = authorization();
    const second = authorization();
    const { code: code2 } = await logIn(second.params, 'dan', issuer.oneTimeCode('dan'));
    expect((await exchange(code2, first.verifier)).response.status).toBe(400);
  });

  it('logs in with the one-time code: the ID token works for the staff API, and the code once', async () => {
    const { params, verifier } = authorization();
    expect((await get(`/dev-login/authorize?${new URLSearchParams(params)}`)).status).toBe(200);
    const { code, state } = await logIn(params, 'alice', issuer.oneTimeCode('alice'));
    expect(state).toBe(params.state);
    const { response, json } = await exchange(code, verifier);
    expect(response.status).toBe(200);
    expect(json).toMatchObject({ token_type: 'Bearer', expires_in: 3600, id_token: expect.any(String) });
    const claims = await issuer.verify(json.id_token as string);
    expect(claims.amr).toContain('mfa');
    // The expired DPO grant gives no group.
    expect(claims.groups).toEqual([groupFor('ballerup', Role.REIDENTIFIER)]);

    const me = await get('/me', { authorization: `Bearer ${json.id_token}` });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      subject: 'alice',
      mfa: true,
      blocked: false,
      grants: expect.arrayContaining([
        expect.objectContaining({ tenant: 'ballerup', role: Role.REIDENTIFIER }),
      ]),
      // What the console offers: the live grant, not the expired one.
      usable: [{ tenant: 'ballerup', role: Role.REIDENTIFIER }],
    });
    expect((await get('/me')).status).toBe(401);

    const again = await exchange(code, verifier);
    expect(again.response.status).toBe(400);
    expect(again.json).toMatchObject({ error: 'invalid_grant' });
  });
});

describe('local server: the development login refuses posts from other sites', () => {
  /** A login post that would succeed from this server's own page: a fresh user, their code. */
  const loginForm = (user: string) => ({ ...authorization().params, user, otp: issuer.oneTimeCode(user) });

  it.each<[string, Record<string, string>]>([
    ['another site’s Origin', { origin: 'https://evil.example' }],
    ['an opaque Origin (null)', { origin: 'null' }],
    ['another loopback name’s Origin', { origin: 'ORIGIN_AS_LOCALHOST' }],
    ['another port’s Origin', { origin: 'http://127.0.0.1:1' }],
    ['https on this host', { origin: 'ORIGIN_AS_HTTPS' }],
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site same-site', { 'sec-fetch-site': 'same-site' }],
    ['Sec-Fetch-Site none', { 'sec-fetch-site': 'none' }],
    ['this Origin, but Sec-Fetch-Site cross-site', { origin: 'ORIGIN', 'sec-fetch-site': 'cross-site' }],
    [
      'Sec-Fetch-Site same-origin, but another Origin',
      { origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' },
    ],
  ])('answers a post with %s 403 CROSS_SITE, at the login and the token endpoint', async (_, raw) => {
    const headers = Object.fromEntries(
      Object.entries(raw).map(([k, v]) => [
        k,
        v
          .replace('ORIGIN_AS_LOCALHOST', url.replace('127.0.0.1', 'localhost'))
          .replace('ORIGIN_AS_HTTPS', url.replace('http:', 'https:'))
          .replace('ORIGIN', url),
      ]),
    );
    const login = await postForm('/dev-login/authorize', loginForm('zoe'), headers);
    expect(login.status).toBe(403);
    expect(login.headers.get('location')).toBeNull();
    expect(await login.json()).toMatchObject({ error: { code: 'CROSS_SITE' } });

    // A pending authorization code, refused at the token endpoint from another site.
    const { params, verifier } = authorization();
    const user = `zoe-${randomBytes(4).toString('hex')}`;
    const { code } = await logIn(params, user, issuer.oneTimeCode(user));
    const token = await exchange(code, verifier, `${url}/console`, headers);
    expect(token.response.status).toBe(403);
    expect(token.json).toMatchObject({ error: { code: 'CROSS_SITE' } });
    expect(token.json).not.toHaveProperty('id_token');
    // The refused request did not use the code up.
    expect((await exchange(code, verifier)).response.status).toBe(200);
  });

  it('neither uses a one-time code nor counts a wrong one for a refused cross-site post', async () => {
    const cross = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
    // Enough wrong codes to lock the user out, were they counted, and the right code itself.
    for (let i = 0; i < 6; i++) {
      const r = await postForm(
        '/dev-login/authorize',
        { ...loginForm('quinn'), otp: wrongCodeFor('quinn') },
        cross,
      );
      expect(r.status).toBe(403);
    }
    expect((await postForm('/dev-login/authorize', loginForm('quinn'), cross)).status).toBe(403);
    await logIn(authorization().params, 'quinn', issuer.oneTimeCode('quinn'));
  });

  it('takes posts with this server’s Origin and Sec-Fetch-Site same-origin, as a browser sends them', async () => {
    const { params, verifier } = authorization();
    const { code } = await logIn(params, 'rita', issuer.oneTimeCode('rita'), sameOrigin());
    const { response, json } = await exchange(code, verifier, `${url}/console`, sameOrigin());
    expect(response.status).toBe(200);
    expect((await issuer.verify(json.id_token as string)).sub).toBe('rita');
    // Either header alone, matching, too.
    const alone: Record<string, string>[] = [{ origin: url }, { 'sec-fetch-site': 'same-origin' }];
    for (const headers of alone) {
      const user = `rita-${Object.keys(headers)[0]}`;
      const next = authorization();
      const { code: another } = await logIn(next.params, user, issuer.oneTimeCode(user), headers);
      expect((await exchange(another, next.verifier, `${url}/console`, headers)).response.status).toBe(200);
    }
  });

  it('takes posts with neither header, as curl sends them', async () => {
    const { params, verifier } = authorization();
    const { code } = await logIn(params, 'sven', issuer.oneTimeCode('sven'));
    expect((await exchange(code, verifier)).response.status).toBe(200);
  });

  it('still answers other methods 405 and a wrong code 400, from this server’s page', async () => {
    expect((await get('/dev-login/token', sameOrigin())).status).toBe(405);
    const wrong = await postForm(
      '/dev-login/authorize',
      { ...authorization().params, user: 'tove', otp: wrongCodeFor('tove') },
      sameOrigin(),
    );
    expect(wrong.status).toBe(400);
  });
});

describe('local server: the outbox as text', () => {
  it('gives the issues’ descriptions and comments as text with ?view=text, and ADF without', async () => {
    const paragraph = (text: string) => ({
      type: 'doc' as const,
      version: 1 as const,
      content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
    });
    const outbox = runtime.outbox;
    if (!outbox) throw new Error('the test runtime has no outbox');
    const { issueKey } = await outbox.createIssue({
      source: { tenant: 'ballerup', ticketId: 'SD-TEXT-1' },
      summary: 'Printeren virker ikke',
      description: paragraph('Printeren på 2. sal virker ikke.'),
      labels: ['ticket-proxy'],
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    await outbox.addComment(issueKey, { sourceId: 'c1', body: paragraph('Vi kigger på det.') });

    const asText = (await (await get('/outbox?view=text')).json()) as Record<string, unknown>[];
    expect(asText.find((i) => i.issueKey === issueKey)).toMatchObject({
      summary: 'Printeren virker ikke',
      description: 'Printeren på 2. sal virker ikke.',
      comments: [{ sourceId: 'c1', body: 'Vi kigger på det.' }],
    });
    const asAdf = (await (await get('/outbox')).json()) as OutboxIssue[];
    expect(asAdf.find((i) => i.issueKey === issueKey)?.description).toEqual(
      paragraph('Printeren på 2. sal virker ikke.'),
    );
  });
});
