import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createJiraWebhookHandler } from '../../functions/jira-webhook.ts';
import { createServicedeskWebhookHandler } from '../../functions/servicedesk-webhook.ts';
import {
  createStaffApiHandler,
  handler as lambdaHandler,
  MAX_STAFF_BODY_BYTES,
} from '../../functions/staff-api.ts';
import { groupFor, Role } from '../../lib/access/grant.ts';
import { DynamoAuditLog } from '../../lib/audit/dynamo-audit-log.ts';
import { DevIssuer } from '../../lib/auth/dev-issuer.ts';
import { ConsoleSite } from '../../lib/console/console-site.ts';
import { startLocalServer } from '../../lib/local/server.ts';
import { TokenKind } from '../../lib/pseudonymize/token.ts';
import type { EmbeddedRuntime } from '../../lib/runtime/embedded.ts';
import { CONSOLE_ROUTES, STAFF_ROUTES } from '../../lib/staff/staff-routes.ts';
import { putTestGrant } from '../support/grants.ts';
import { silent, testRuntime } from '../support/runtime.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();
const PURPOSE = 'Borgeren ringede og bad om status på sagen';
const CPR = '010190-1234';

let runtime: EmbeddedRuntime;
let issuer: DevIssuer;
let server: Server;
let url: string;
let cprToken: string;

const grant = (user: string, tenant: string, role: Role) => putTestGrant(runtime.access, user, tenant, role);

/** A login from the development issuer, with the groups of the grants named. */
const login = (subject: string, grants: [string, Role][] = [], mfa = true) =>
  issuer.mint({ subject, groups: grants.map(([t, r]) => groupFor(t, r)), mfa });

async function call(
  method: string,
  path: string,
  jwt: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(jwt && { authorization: `Bearer ${jwt}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json: json as Record<string, unknown> };
}

beforeAll(async () => {
  const dir = await tempDir();
  runtime = await testRuntime(dir, { ballerup: {}, egedal: {} });
  issuer = await DevIssuer.open(dir);
  [cprToken] = (await runtime.pseudonymizer.tokenize(
    { tenant: 'ballerup', ticketId: 'SD-1', expiresAt: new Date(Date.now() + 86_400_000) },
    [{ kind: TokenKind.CPR, value: CPR }],
  )) as [string];
  await grant('alice', 'ballerup', Role.REIDENTIFIER);
  await grant('ada', 'ballerup', Role.ADMIN);
  await grant('dora', 'ballerup', Role.DPO);
  ({ server, url } = await startLocalServer({
    servicedeskHandler: createServicedeskWebhookHandler(() => runtime, silent()),
    jiraHandler: createJiraWebhookHandler(() => runtime, silent()),
    staffHandler: createStaffApiHandler(() => runtime, silent()),
    issuer,
    outbox: runtime.outbox,
    replies: runtime.localReplies,
    queue: runtime.queue,
    port: 0,
  }));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await runtime.close();
});

describe('staff API (functions/staff-api.ts behind the local server, as behind API Gateway)', () => {
  it('answers no route without a valid login (401), as the JWT authorizer does', async () => {
    const other = await DevIssuer.open(await tempDir());
    const forged = await other.mint({
      subject: 'alice',
      groups: [groupFor('ballerup', Role.REIDENTIFIER)],
      mfa: true,
    });
    for (const route of STAFF_ROUTES) {
      const [method, path] = route.split(' ') as [string, string];
      expect((await call(method, path, undefined, method === 'POST' ? {} : undefined)).status, route).toBe(
        401,
      );
      expect((await call(method, path, forged, method === 'POST' ? {} : undefined)).status, route).toBe(401);
    }
  });

  it('re-identifies text for a person with MFA, grant and group, and nothing may cache the answer', async () => {
    const jwt = await login('alice', [['ballerup', Role.REIDENTIFIER]]);
    const r = await call('POST', '/reidentify', jwt, {
      text: `Ring om ${cprToken}`,
      purpose: PURPOSE,
      issueKey: 'DEV-1',
    });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      outcome: 'granted',
      text: `Ring om ${CPR}`,
      auditId: expect.stringMatching(/^AUD-/),
    });
    expect(r.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses with 403 and the audit record id, or 400 for a missing purpose, never with a value', async () => {
    const noMfa = await call(
      'POST',
      '/reidentify',
      await login('alice', [['ballerup', Role.REIDENTIFIER]], false),
      {
        tokens: [cprToken],
        purpose: PURPOSE,
      },
    );
    expect(noMfa).toMatchObject({
      status: 403,
      json: { error: { code: 'NO_MFA' }, auditId: expect.any(String) },
    });
    const noPurpose = await call(
      'POST',
      '/reidentify',
      await login('alice', [['ballerup', Role.REIDENTIFIER]]),
      {
        tokens: [cprToken],
        purpose: 'fordi',
      },
    );
    expect(noPurpose).toMatchObject({ status: 400, json: { error: { code: 'PURPOSE_MISSING' } } });
    expect(noMfa.text + noPurpose.text).not.toContain(CPR);
  });

  it('names what is wrong with a request body, never what it held', async () => {
    const jwt = await login('alice', [['ballerup', Role.REIDENTIFIER]]);
    const both = await call('POST', '/reidentify', jwt, { tokens: [cprToken], text: 'x', purpose: PURPOSE });
    expect(both).toMatchObject({
      status: 400,
      json: { error: { message: expect.stringMatching(/either tokens or text/) } },
    });
    const unknown = await call('POST', '/reidentify', jwt, {
      tokens: [cprToken],
      purpose: PURPOSE,
      cpr: CPR,
    });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toMatch(/cpr/);
    expect(unknown.text).not.toContain(CPR);
    expect((await call('POST', '/reidentify', jwt, '{not json')).status).toBe(400);
    expect((await call('POST', '/reidentify', jwt, 'x', { 'content-type': 'text/plain' })).status).toBe(415);
    const huge = await call('POST', '/reidentify', jwt, {
      text: 'a'.repeat(MAX_STAFF_BODY_BYTES + 10),
      purpose: PURPOSE,
    });
    expect(huge.status).toBe(413);
  });

  it('answers 503 and no value when the audit log cannot be written', async () => {
    const claims = {
      sub: 'alice',
      amr: '[pwd otp mfa]',
      'cognito:groups': `[${groupFor('ballerup', Role.REIDENTIFIER)}]`,
    };
    const broken = { ...runtime, audit: new DynamoAuditLog(runtime.dynamo.client, 'no-such-table') };
    const result = await createStaffApiHandler(
      () => broken,
      silent(),
    )({
      routeKey: 'POST /reidentify',
      rawQueryString: '',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tokens: [cprToken], purpose: PURPOSE }),
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST' }, authorizer: { jwt: { claims, scopes: [] } } },
    } as never);
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body as string)).toMatchObject({ error: { code: 'AUDIT_UNAVAILABLE' } });
    expect(result.body).not.toContain(CPR);
  });

  it('lets an administrator add, re-attest and revoke grants, each audited, and not their own', async () => {
    const ada = await login('ada', [['ballerup', Role.ADMIN]]);
    const added = await call('POST', '/grants', ada, {
      user: 'bea',
      tenant: 'ballerup',
      role: 'reidentifier',
    });
    expect(added).toMatchObject({
      status: 200,
      json: { grant: { user: 'bea', grantedBy: 'ada' }, auditId: expect.any(String) },
    });
    const reattested = await call('POST', '/grants/reattest', ada, {
      user: 'bea',
      tenant: 'ballerup',
      role: 'reidentifier',
      months: 3,
    });
    expect(reattested.status).toBe(200);
    expect(
      (await call('POST', '/grants/revoke', ada, { user: 'bea', tenant: 'ballerup', role: 'reidentifier' }))
        .status,
    ).toBe(200);
    expect(
      (await call('POST', '/grants/revoke', ada, { user: 'bea', tenant: 'ballerup', role: 'reidentifier' }))
        .status,
    ).toBe(404);
    const own = await call('POST', '/grants', ada, { user: 'ada', tenant: 'ballerup', role: 'reidentifier' });
    expect(own).toMatchObject({ status: 403, json: { error: { code: 'OWN_ACCESS' } } });
    const elsewhere = await call('POST', '/grants', ada, {
      user: 'bea',
      tenant: 'egedal',
      role: 'reidentifier',
    });
    expect(elsewhere).toMatchObject({ status: 403, json: { error: { code: 'NO_GRANT' } } });
    const badRole = await call('POST', '/grants', ada, { user: 'bea', tenant: 'ballerup', role: 'root' });
    expect(badRole).toMatchObject({
      status: 400,
      json: { error: { message: expect.stringMatching(/role must be one of/) } },
    });
  });

  it('blocks after five refusals, lists the block for administrators, and unblocks', async () => {
    await grant('carl', 'ballerup', Role.REIDENTIFIER);
    const carl = await login('carl', [['ballerup', Role.REIDENTIFIER]]);
    for (let i = 0; i < 5; i++) {
      const r = await call('POST', '/reidentify', carl, {
        tokens: ['CPR_AAAAAAAAAAAAAAAA'],
        purpose: PURPOSE,
      });
      expect(r.json).toMatchObject({ outcome: 'denied', reason: 'UNKNOWN_TOKEN' });
    }
    const sixth = await call('POST', '/reidentify', carl, { tokens: [cprToken], purpose: PURPOSE });
    expect(sixth).toMatchObject({ status: 403, json: { error: { code: 'USER_BLOCKED' } } });
    const ada = await login('ada', [['ballerup', Role.ADMIN]]);
    const blocks = await call('GET', '/blocks', ada);
    expect(blocks.json.blocks).toEqual([expect.objectContaining({ user: 'carl', denials: 5 })]);
    expect((await call('POST', '/blocks/unblock', ada, { user: 'carl' })).status).toBe(200);
    expect(
      (await call('POST', '/reidentify', carl, { tokens: [cprToken], purpose: PURPOSE })).json,
    ).toMatchObject({ outcome: 'granted' });
  });

  it('answers the DPO’s questions as JSON or CSV, and the chain check', async () => {
    const dora = await login('dora', [['ballerup', Role.DPO]]);
    const seen = await call('POST', '/audit/who-has-seen?format=csv', dora, {
      cpr: CPR,
      purpose: 'Borgeren har bedt om indsigt i sine data',
    });
    expect(seen.status).toBe(200);
    expect(seen.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(seen.text).toMatch(/\r\nAUD-\d+,[^\r\n]*,alice,api,reidentify,ballerup,granted,,yes,/);
    expect(seen.text).not.toContain(CPR);
    // As JSON: the rows, and how many identifiers were looked up, but not the tokens computed for
    // them (which would confirm a guessed CPR number).
    const json = await call('POST', '/audit/who-has-seen', dora, {
      cpr: '0101909999',
      purpose: 'Borgeren har bedt om indsigt i sine data',
    });
    expect(json.json).toMatchObject({ identifiers: 1, rows: [] });
    expect(json.json.tokens).toBeUndefined();
    const activity = await call('GET', '/audit/activity?user=alice', dora);
    expect((activity.json.records as unknown[]).length).toBeGreaterThan(0);
    const review = await call('GET', '/audit/access-review?format=csv', dora);
    expect(review.text.split('\r\n')[0]).toContain('unused90Days');
    const records = await call('GET', '/audit/records?outcome=denied&action=reidentify', dora);
    expect((records.json.records as { outcome: string }[]).every((r) => r.outcome === 'denied')).toBe(true);
    expect((await call('GET', '/audit/records?since=yesterday', dora)).status).toBe(400);
    // A page at a time: `next` names the last record, `after` goes on from it; CSV says it in a header.
    const first = await call('GET', '/audit/records?limit=1', dora);
    expect(first.json.records).toHaveLength(1);
    const firstId = (first.json.records as { id: string }[])[0]?.id;
    expect(first.json.next).toBe(firstId);
    const second = await call('GET', `/audit/records?limit=1&after=${first.json.next}`, dora);
    expect(((second.json.records as { id: string }[])[0]?.id ?? '') > (firstId as string)).toBe(true);
    const csvPage = await call('GET', '/audit/records?limit=1&format=csv', dora);
    expect(csvPage.headers.get('x-next-record')).toBe(firstId);
    expect(csvPage.text.trim().split('\r\n')).toHaveLength(2);
    const everything = await call('GET', '/audit/records', dora);
    expect(everything.json.next).toBeUndefined();
    for (const bad of ['limit=0', 'limit=1001', 'limit=2.5', 'after=42', 'after=AUD-1']) {
      const refused = await call('GET', `/audit/records?${bad}`, dora);
      expect(refused.status, bad).toBe(400);
      expect(JSON.stringify(refused.json), bad).toMatch(/limit must|after must/);
    }
    expect((await call('GET', '/audit/activity?user=alice&limit=1', dora)).json.next).toMatch(/^AUD-\d{12}$/);
    expect(await call('GET', '/audit/verify', dora)).toMatchObject({ status: 200, json: { intact: true } });
    // A re-identifier may not read the audit log.
    const alice = await login('alice', [['ballerup', Role.REIDENTIFIER]]);
    expect((await call('GET', '/audit/records', alice)).status).toBe(403);
  });

  it("shows people their own grants at /me, and serves the issuer's public keys", async () => {
    const me = await call('GET', '/me', await login('alice', [['ballerup', Role.REIDENTIFIER]]));
    expect(me.json).toMatchObject({
      subject: 'alice',
      mfa: true,
      blocked: false,
      grants: [expect.objectContaining({ tenant: 'ballerup' })],
    });
    expect(me.headers.get('cache-control')).toBe('no-store');
    const jwks = await call('GET', '/.well-known/jwks.json', undefined);
    expect(jwks.json).toMatchObject({ keys: [expect.objectContaining({ kty: 'EC', crv: 'P-256' })] });
    expect(jwks.text).not.toContain('"d"');
  });
});

describe('staff API: GET /me offers the roles a person can use', () => {
  /** Every audit record so far. */
  const allRecords = async () => {
    const out: unknown[] = [];
    for await (const r of runtime.audit.list({})) out.push(r);
    return out;
  };

  beforeAll(async () => {
    await grant('ulla', 'ballerup', Role.REIDENTIFIER);
    await grant('ulla', 'egedal', Role.REIDENTIFIER);
    await grant('ulla', 'ballerup', Role.DPO);
    await putTestGrant(runtime.access, 'ulla', 'egedal', Role.DPO, new Date(Date.now() - 60_000));
  });

  it('gives as usable the tenant and role of each live grant whose group the login has, nothing more', async () => {
    const ulla = await login('ulla', [
      ['ballerup', Role.REIDENTIFIER],
      ['ballerup', Role.DPO],
      ['egedal', Role.DPO],
    ]);
    const me = await call('GET', '/me', ulla);
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ subject: 'ulla', mfa: true, blocked: false });
    expect(me.json.grants).toHaveLength(4);
    // Not Egedal's re-identifier grant (no group), nor Egedal's DPO grant (expired); and only the
    // tenant and the role of each, not the grant.
    expect(
      (me.json.usable as { tenant: string; role: string }[]).sort((a, b) => a.role.localeCompare(b.role)),
    ).toEqual([
      { tenant: 'ballerup', role: Role.DPO },
      { tenant: 'ballerup', role: Role.REIDENTIFIER },
    ]);
  });

  it('offers nothing without MFA, without the groups, or without grants; the grants are still shown', async () => {
    const noMfa = await call('GET', '/me', await login('ulla', [['ballerup', Role.REIDENTIFIER]], false));
    expect(noMfa.json).toMatchObject({ mfa: false, usable: [] });
    expect(noMfa.json.grants).toHaveLength(4);
    const noGroups = await call('GET', '/me', await login('ulla'));
    expect(noGroups.json).toMatchObject({ mfa: true, usable: [] });
    const noGrants = await call('GET', '/me', await login('viggo', [['ballerup', Role.REIDENTIFIER]]));
    expect(noGrants.json).toMatchObject({ subject: 'viggo', grants: [], usable: [], blocked: false });
  });

  it('offers nothing to a blocked person, and says they are blocked', async () => {
    await grant('walter', 'ballerup', Role.REIDENTIFIER);
    await runtime.access.putBlock({
      user: 'walter',
      blockedAt: new Date().toISOString(),
      denials: 5,
      lastRecordId: 'AUD-1',
    });
    const me = await call('GET', '/me', await login('walter', [['ballerup', Role.REIDENTIFIER]]));
    expect(me.json).toMatchObject({ blocked: true, usable: [], grants: [expect.anything()] });
  });

  it('appends no audit record and counts no refusal, however often someone who would be refused asks', async () => {
    const counted: string[] = [];
    const handler = createStaffApiHandler(
      () => Object.assign(Object.create(runtime), { metrics: { count: (m: string) => counted.push(m) } }),
      silent(),
    );
    const me = (claims: Record<string, unknown>) =>
      handler({
        routeKey: 'GET /me',
        rawPath: '/me',
        rawQueryString: '',
        headers: {},
        isBase64Encoded: false,
        requestContext: { http: { method: 'GET' }, authorizer: { jwt: { claims, scopes: [] } } },
      } as never);
    const before = (await allRecords()).length;
    for (let i = 0; i < 6; i++) {
      // Without MFA, without the group, and without a grant: admit would refuse each of them.
      const answers = await Promise.all([
        me({ sub: 'ulla', amr: '[pwd]', 'cognito:groups': `[${groupFor('ballerup', Role.DPO)}]` }),
        me({ sub: 'ulla', amr: '[pwd otp mfa]' }),
        me({ sub: 'xavier', amr: '[pwd otp mfa]', 'cognito:groups': `[${groupFor('ballerup', Role.DPO)}]` }),
      ]);
      expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200]);
    }
    expect((await allRecords()).length).toBe(before);
    expect(counted).toEqual([]);
    expect(await runtime.access.getBlock('ulla')).toBeUndefined();
    expect(await runtime.access.getBlock('xavier')).toBeUndefined();
    // Offering the DPO grant is no use of it either.
    expect((await runtime.access.getGrant('ulla', 'ballerup', Role.DPO))?.lastUsedAt).toBeUndefined();
  });
});

describe('staff API: the console’s routes (CONSOLE_ROUTES)', () => {
  const CONSOLE_CONFIG = {
    mode: 'aws',
    authorizeUrl: 'https://login.auth.eu-north-1.amazoncognito.com/oauth2/authorize',
    tokenUrl: 'https://login.auth.eu-north-1.amazoncognito.com/oauth2/token',
    clientId: '1example23456789abcdefghij',
  };
  const site = () => ConsoleSite.load(CONSOLE_CONFIG);
  /** The staff runtime is not needed to serve files: a handler that reaches for it fails loudly. */
  const noRuntime = (): never => {
    throw new Error('the console routes must not need the staff runtime');
  };

  /** An event as API Gateway sends it for a route without the JWT authorizer: no claims. */
  const event = (routeKey: string, rawPath: string, claims?: Record<string, unknown>) =>
    ({
      version: '2.0',
      routeKey,
      rawPath,
      rawQueryString: '',
      headers: {},
      isBase64Encoded: false,
      requestContext: {
        http: { method: routeKey.split(' ')[0], path: rawPath },
        ...(claims && { authorizer: { jwt: { claims, scopes: [] } } }),
      },
    }) as never;

  it('serves the console’s page and files without a login', async () => {
    const handler = createStaffApiHandler(noRuntime, silent(), 'api', site);
    expect(await handler(event('GET /console/{proxy+}', '/console/'))).toMatchObject({
      statusCode: 308,
      headers: { location: '/console' },
    });
    const page = await handler(event('GET /console', '/console'));
    expect(page).toMatchObject({
      statusCode: 200,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'strict-transport-security': expect.stringContaining('max-age='),
        'cache-control': 'no-store',
      },
    });
    expect(page.headers?.['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers?.['content-security-policy']).toContain("img-src 'self';");
    expect(page.body).toContain('<script type="module" src="/console/app.js">');
    const config = await handler(event('GET /console/{proxy+}', '/console/config.json'));
    expect(config.headers?.['cache-control']).toBe('no-store');
    expect(JSON.parse(config.body as string)).toMatchObject({
      mode: 'aws',
      clientId: CONSOLE_CONFIG.clientId,
    });
    expect(await handler(event('GET /console/{proxy+}', '/console/app.js'))).toMatchObject({
      statusCode: 200,
      headers: { 'cache-control': 'public, max-age=300' },
    });
    expect((await handler(event('GET /console/{proxy+}', '/console/../package.json'))).statusCode).toBe(404);
    expect((await handler(event('GET /console/{proxy+}', '/console/nothing.js'))).statusCode).toBe(404);
  });

  it('still answers every staff route 401 without claims, whatever the path', async () => {
    const handler = createStaffApiHandler(noRuntime, silent(), 'api', site);
    for (const route of STAFF_ROUTES) {
      for (const path of [route.split(' ')[1] as string, '/console/', '/console']) {
        const result = await handler(event(route, path));
        expect(result.statusCode, `${route} at ${path}`).toBe(401);
        expect(JSON.parse(result.body as string), route).toMatchObject({
          error: { code: 'NOT_AUTHENTICATED' },
        });
      }
    }
  });

  it('answers the console routes 404 without a console site, as any unknown route', async () => {
    const handler = createStaffApiHandler(noRuntime, silent());
    for (const route of CONSOLE_ROUTES) {
      const result = await handler(event(route, '/console/'));
      expect(result.statusCode, route).toBe(404);
      expect(JSON.parse(result.body as string)).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
    // A console path under another route key is not served either.
    const served = createStaffApiHandler(noRuntime, silent(), 'api', site);
    expect((await served(event('GET /console/{other}', '/console/'))).statusCode).toBe(404);
    expect((await served(event('POST /console/{proxy+}', '/console/'))).statusCode).toBe(404);
  });

  it('answers 500 with the configuration error when the console cannot be loaded, and no file', async () => {
    const handler = createStaffApiHandler(noRuntime, silent(), 'api', () =>
      ConsoleSite.load({ ...CONSOLE_CONFIG, tokenUrl: 'http://login.example.com/token' }),
    );
    const result = await handler(event('GET /console', '/console'));
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body as string)).toMatchObject({ error: { code: 'CONFIG_INVALID' } });
    expect(result.body).not.toContain('<html');
  });

  it('serves the console from CONSOLE_CONFIG in the Lambda, trying again after a wrong configuration', async () => {
    try {
      vi.stubEnv('CONSOLE_CONFIG', JSON.stringify({ ...CONSOLE_CONFIG, clientId: '' }));
      // The Lambda's own logger writes the failure out: kept, to see what it says.
      const written: string[] = [];
      const spies = [process.stdout, process.stderr].map((stream) =>
        vi.spyOn(stream, 'write').mockImplementation((chunk) => {
          written.push(String(chunk));
          return true;
        }),
      );
      const failed = await lambdaHandler(event('GET /console', '/console')).finally(() => {
        for (const spy of spies) spy.mockRestore();
      });
      expect(failed.statusCode).toBe(500);
      expect(written.join('')).toContain('"code":"CONFIG_INVALID"');
      vi.stubEnv('CONSOLE_CONFIG', JSON.stringify(CONSOLE_CONFIG));
      const config = await lambdaHandler(event('GET /console/{proxy+}', '/console/config.json'));
      expect(config.statusCode).toBe(200);
      expect(JSON.parse(config.body as string)).toMatchObject({ clientId: CONSOLE_CONFIG.clientId });
      expect((await lambdaHandler(event('GET /console', '/console'))).statusCode).toBe(200);
      expect((await lambdaHandler(event('GET /console/{proxy+}', '/console/'))).statusCode).toBe(308);
      // Staff routes still need the authorizer's claims.
      expect((await lambdaHandler(event('GET /me', '/me'))).statusCode).toBe(401);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
