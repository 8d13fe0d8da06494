import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAccessStore } from '../../lib/access/dynamo-access-store.ts';
import { groupFor, Role } from '../../lib/access/grant.ts';
import { DEV_AUDIENCE, DEV_ISSUER, DevIssuer, ONE_TIME_CODE_SECONDS } from '../../lib/auth/dev-issuer.ts';
import {
  type AuthorizeParams,
  authorizeParams,
  DEV_CLIENT_ID,
  DevLoginFlow,
  groupsOfLiveGrants,
} from '../../lib/auth/dev-login.ts';
import { type EmbeddedDynamo, openEmbeddedDynamo } from '../../lib/embedded/embedded-dynamodb.ts';
import { putTestGrant } from '../support/grants.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();

const ORIGIN = 'http://127.0.0.1:8787';
const REDIRECT = `${ORIGIN}/console`;
const PERIOD_MS = ONE_TIME_CODE_SECONDS * 1000;
/** The start of a five-minute period, so that a test knows which codes are valid when. */
const NOW = new Date(Math.floor(Date.now() / PERIOD_MS) * PERIOD_MS);
const DAY = 86_400_000;

let dynamo: EmbeddedDynamo;
let access: DynamoAccessStore;
let issuer: DevIssuer;

beforeAll(async () => {
  dynamo = await openEmbeddedDynamo();
  access = new DynamoAccessStore(dynamo.client);
  issuer = await DevIssuer.open(await tempDir());
  // alice: two live grants and an expired one; bob: one of his own.
  await putTestGrant(access, 'alice', 'ballerup', Role.REIDENTIFIER, new Date(NOW.getTime() + 30 * DAY));
  await putTestGrant(access, 'alice', 'egedal', Role.DPO, new Date(NOW.getTime() + 30 * DAY));
  await putTestGrant(access, 'alice', 'ballerup', Role.ADMIN, new Date(NOW.getTime() - 1000));
  await putTestGrant(access, 'bob', 'egedal', Role.ADMIN, new Date(NOW.getTime() + 30 * DAY));
});
afterAll(() => dynamo.close());

/** A PKCE pair as the console makes it (RFC 7636, S256). */
function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function request(overrides: Partial<AuthorizeParams> = {}) {
  const { verifier, challenge } = pkce();
  const params: AuthorizeParams = {
    responseType: 'code',
    clientId: DEV_CLIENT_ID,
    redirectUri: REDIRECT,
    state: randomBytes(16).toString('base64url'),
    codeChallenge: challenge,
    codeChallengeMethod: 'S256',
    ...overrides,
  };
  return { params, verifier };
}

/** The token request the console sends for a code. */
const tokenForm = (code: string, verifier: string, overrides: Record<string, string> = {}) =>
  new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    client_id: DEV_CLIENT_ID,
    redirect_uri: REDIRECT,
    ...overrides,
  });

/** The codes the flow takes for the user at `now`: this period's and the one before. */
const validCodes = (subject: string, now: Date) => [
  issuer.oneTimeCode(subject, now),
  issuer.oneTimeCode(subject, new Date(now.getTime() - PERIOD_MS)),
];

/** A six-digit code that is not the user's for this period nor the one before. */
const wrongCode = (subject: string, now: Date) =>
  ['000000', '111111', '222222'].find((c) => !validCodes(subject, now).includes(c)) as string;

/** Logs in and returns the authorization code from the redirect. */
async function codeFor(flow: DevLoginFlow, params: AuthorizeParams, user: string, otp: string, now = NOW) {
  const result = await flow.logIn(params, ORIGIN, user, otp, now);
  if (!('redirect' in result)) throw new Error(`login refused: ${result.error}`);
  const redirect = new URL(result.redirect);
  return { redirect, code: redirect.searchParams.get('code') ?? '' };
}

describe('DevLoginFlow.checkAuthorize', () => {
  const flow = () => new DevLoginFlow(issuer, access);

  it('accepts the request the console makes', () => {
    expect(flow().checkAuthorize(request().params, ORIGIN)).toBeUndefined();
  });

  it('accepts a state of 16 to 128 URL-safe characters', () => {
    for (const state of ['a'.repeat(16), `${'A-_9'.repeat(32)}`]) {
      expect(flow().checkAuthorize(request({ state }).params, ORIGIN), state).toBeUndefined();
    }
  });

  it.each([
    ['token', 'unsupported_response_type'],
    ['', 'unsupported_response_type'],
    ['code id_token', 'unsupported_response_type'],
  ])('refuses response_type %j', (responseType, error) => {
    expect(flow().checkAuthorize(request({ responseType }).params, ORIGIN)).toMatchObject({ error });
  });

  it.each(['', 'another-app', `${DEV_CLIENT_ID} `])('refuses client_id %j', (clientId) => {
    expect(flow().checkAuthorize(request({ clientId }).params, ORIGIN)).toMatchObject({
      error: 'unauthorized_client',
    });
  });

  it.each([
    '',
    'not a url',
    '/console',
    'http://localhost:8787/console',
    'http://127.0.0.1:8788/console',
    'https://127.0.0.1:8787/console',
    'https://evil.example/console',
    // The old address of the page, with its trailing slash, is no longer the console's.
    `${ORIGIN}/console/`,
    `${ORIGIN}/console/index.html`,
    `${ORIGIN}/consoles`,
    `${ORIGIN}/Console`,
    `${ORIGIN}/`,
    `${ORIGIN}/console?next=/admin`,
    `${ORIGIN}/console#/audit`,
    'javascript:alert(1)//127.0.0.1:8787/console',
  ])('refuses redirect_uri %j: only this origin’s exact /console', (redirectUri) => {
    expect(flow().checkAuthorize(request({ redirectUri }).params, ORIGIN)).toEqual({
      error: 'invalid_request',
      error_description: expect.stringMatching(/redirect_uri/),
    });
  });

  it('takes the origin it is given: /console of another server is refused', () => {
    const { params } = request({ redirectUri: 'http://localhost:8787/console' });
    expect(flow().checkAuthorize(params, 'http://localhost:8787')).toBeUndefined();
    expect(flow().checkAuthorize(params, ORIGIN)).toMatchObject({ error: 'invalid_request' });
  });

  it.each([
    { codeChallengeMethod: 'plain' },
    { codeChallengeMethod: '' },
    { codeChallengeMethod: 's256' },
    { codeChallenge: '' },
    { codeChallenge: 'a'.repeat(42) },
    { codeChallenge: 'a'.repeat(44) },
    { codeChallenge: `${'a'.repeat(42)}=` },
    { codeChallenge: `${'a'.repeat(42)}+` },
    { codeChallenge: `${'a'.repeat(42)}/` },
  ])('refuses PKCE %j: S256 and a 43-character challenge are required', (overrides) => {
    expect(flow().checkAuthorize(request(overrides).params, ORIGIN)).toMatchObject({
      error: 'invalid_request',
      error_description: expect.stringMatching(/PKCE/),
    });
  });

  it.each(['', 'a'.repeat(15), 'a'.repeat(129), `${'a'.repeat(16)} `, `${'a'.repeat(16)}"><script>`])(
    'refuses state %j',
    (state) => {
      expect(flow().checkAuthorize(request({ state }).params, ORIGIN)).toMatchObject({
        error: 'invalid_request',
        error_description: 'state is required',
      });
    },
  );
});

describe('DevLoginFlow errors', () => {
  it('are OAuth 2.0 error responses: error and error_description, nothing else', async () => {
    const flow = new DevLoginFlow(issuer, access);
    const errors = [
      flow.checkAuthorize(request({ responseType: 'token' }).params, ORIGIN),
      flow.checkAuthorize(request({ clientId: 'another-app' }).params, ORIGIN),
      await flow.logIn(request().params, ORIGIN, '', '', NOW),
      await flow.logIn(request().params, ORIGIN, 'ines', wrongCode('ines', NOW), NOW),
      await flow.exchange(tokenForm('x'.repeat(32), pkce().verifier), NOW),
      await flow.exchange(tokenForm('x'.repeat(32), pkce().verifier, { grant_type: 'password' }), NOW),
    ];
    for (const error of errors) {
      expect(error).toEqual({ error: expect.any(String), error_description: expect.any(String) });
      expect(error).not.toHaveProperty('description');
    }
    expect(errors.map((e) => e && 'error' in e && e.error)).toEqual([
      'unsupported_response_type',
      'unauthorized_client',
      'invalid_user',
      'invalid_code',
      'invalid_grant',
      'unsupported_grant_type',
    ]);
  });
});

describe('authorizeParams', () => {
  it('reads the OAuth parameters by their wire names, and empty strings for missing ones', () => {
    expect(
      authorizeParams(
        new URLSearchParams({
          response_type: 'code',
          client_id: 'c',
          redirect_uri: 'r',
          state: 's',
          code_challenge: 'x',
          code_challenge_method: 'S256',
          user: 'ignored',
        }),
      ),
    ).toEqual({
      responseType: 'code',
      clientId: 'c',
      redirectUri: 'r',
      state: 's',
      codeChallenge: 'x',
      codeChallengeMethod: 'S256',
    });
    expect(authorizeParams(new URLSearchParams())).toEqual({
      responseType: '',
      clientId: '',
      redirectUri: '',
      state: '',
      codeChallenge: '',
      codeChallengeMethod: '',
    });
  });
});

describe('groupsOfLiveGrants', () => {
  it('names the groups of the user’s live grants, not expired ones nor other users’', async () => {
    expect((await groupsOfLiveGrants(access, 'alice', NOW)).sort()).toEqual(
      [groupFor('ballerup', Role.REIDENTIFIER), groupFor('egedal', Role.DPO)].sort(),
    );
    expect(await groupsOfLiveGrants(access, 'bob', NOW)).toEqual([groupFor('egedal', Role.ADMIN)]);
    expect(await groupsOfLiveGrants(access, 'nobody', NOW)).toEqual([]);
  });

  it('drops a grant at the moment it expires', async () => {
    const later = new Date(NOW.getTime() + 30 * DAY);
    expect(await groupsOfLiveGrants(access, 'alice', new Date(later.getTime() - 1))).toHaveLength(2);
    expect(await groupsOfLiveGrants(access, 'alice', later)).toEqual([]);
  });
});

describe('DevLoginFlow login and exchange', () => {
  it('logs in with the right one-time code: the exchanged ID token has MFA and live grants’ groups', async () => {
    const flow = new DevLoginFlow(issuer, access);
    const { params, verifier } = request();
    const { redirect, code } = await codeFor(flow, params, 'alice', issuer.oneTimeCode('alice', NOW));
    expect(`${redirect.origin}${redirect.pathname}`).toBe(REDIRECT);
    expect(redirect.searchParams.get('state')).toBe(params.state);
    expect(code).toMatch(/^[\w-]{32}$/);

    const result = await flow.exchange(tokenForm(code, verifier), NOW);
    if (!('id_token' in result)) throw new Error(`exchange refused: ${result.error}`);
    expect(result).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const claims = await issuer.verify(result.id_token, NOW);
    expect(claims).toMatchObject({ sub: 'alice', iss: DEV_ISSUER, aud: DEV_AUDIENCE, token_use: 'id' });
    expect(claims.amr).toContain('mfa');
    expect((claims.groups as string[]).sort()).toEqual(
      [groupFor('ballerup', Role.REIDENTIFIER), groupFor('egedal', Role.DPO)].sort(),
    );
    expect(claims.groups).not.toContain(groupFor('ballerup', Role.ADMIN));
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
  });

  it('accepts the previous period’s code, and trims the user and the code', async () => {
    const flow = new DevLoginFlow(issuer, access);
    const { params, verifier } = request();
    const late = new Date(NOW.getTime() + PERIOD_MS + 1000);
    const { code } = await codeFor(flow, params, '  bob ', ` ${issuer.oneTimeCode('bob', NOW)} `, late);
    const result = await flow.exchange(tokenForm(code, verifier), late);
    if (!('id_token' in result)) throw new Error(`exchange refused: ${result.error}`);
    const claims = await issuer.verify(result.id_token, late);
    expect(claims).toMatchObject({ sub: 'bob', groups: [groupFor('egedal', Role.ADMIN)] });
    expect(claims.amr).toContain('mfa');
  });

  it('logs in with a one-time code only: no code (empty or blank) is a wrong code, and no login', async () => {
    const flow = new DevLoginFlow(issuer, access);
    const { params } = request();
    for (const otp of ['', '   ', '\t']) {
      expect(await flow.logIn(params, ORIGIN, 'alice', otp, NOW), JSON.stringify(otp)).toEqual({
        error: 'invalid_code',
        error_description: expect.any(String),
      });
    }
    // The right code still works after them (three tries are under the limit).
    expect(await flow.logIn(params, ORIGIN, 'alice', issuer.oneTimeCode('alice', NOW), NOW)).toHaveProperty(
      'redirect',
    );
  });

  it('mints every login with a second factor (amr with mfa)', async () => {
    const flow = new DevLoginFlow(issuer, access);
    const late = new Date(NOW.getTime() + PERIOD_MS + 1000);
    for (const [user, otp, now] of [
      ['alice', issuer.oneTimeCode('alice', NOW), NOW],
      ['nobody', issuer.oneTimeCode('nobody', NOW), NOW],
      // The previous period's code, too.
      ['bob', issuer.oneTimeCode('bob', NOW), late],
    ] as const) {
      const { params, verifier } = request();
      const { code } = await codeFor(flow, params, user, otp, now);
      const result = await flow.exchange(tokenForm(code, verifier), now);
      if (!('id_token' in result)) throw new Error(`exchange refused: ${result.error}`);
      expect((await issuer.verify(result.id_token, now)).amr, user).toEqual(['pwd', 'otp', 'mfa']);
    }
  });

  it('gives a user with no grants a login with no groups', async () => {
    const flow = new DevLoginFlow(issuer, access);
    const { params, verifier } = request();
    const { code } = await codeFor(flow, params, 'nobody', issuer.oneTimeCode('nobody', NOW));
    const result = await flow.exchange(tokenForm(code, verifier), NOW);
    if (!('id_token' in result)) throw new Error(`exchange refused: ${result.error}`);
    expect(await issuer.verify(result.id_token, NOW)).toMatchObject({ sub: 'nobody', groups: [] });
  });

  it('refuses a wrong code, another user’s code, and a code two periods old', async () => {
    const flow = new DevLoginFlow(issuer, access);
    const { params } = request();
    const invalidCode = { error: 'invalid_code', error_description: expect.any(String) };
    expect(await flow.logIn(params, ORIGIN, 'carl', wrongCode('carl', NOW), NOW)).toEqual(invalidCode);
    expect(await flow.logIn(params, ORIGIN, 'carl', 'abcdef', NOW)).toEqual(invalidCode);
    const othersCodes = ['alice', 'bob', 'dora']
      .map((u) => issuer.oneTimeCode(u, NOW))
      .filter((c) => !validCodes('carl', NOW).includes(c));
    expect(othersCodes.length).toBeGreaterThan(0);
    for (const code of othersCodes) {
      expect(await flow.logIn(params, ORIGIN, 'carl', code, NOW)).toEqual(invalidCode);
    }
    const old = issuer.oneTimeCode('dora', new Date(NOW.getTime() - 2 * PERIOD_MS));
    if (!validCodes('dora', NOW).includes(old)) {
      expect(await flow.logIn(params, ORIGIN, 'dora', old, NOW)).toEqual(invalidCode);
    }
  });

  it('takes no more codes for a user in a period after five wrong ones, not even the right one', async () => {
    const flow = new DevLoginFlow(issuer, access);
    const { params } = request();
    const right = issuer.oneTimeCode('erik', NOW);
    for (let i = 0; i < 5; i++) {
      expect(await flow.logIn(params, ORIGIN, 'erik', wrongCode('erik', NOW), NOW)).toMatchObject({
        error: 'invalid_code',
      });
    }
    const endOfPeriod = new Date(NOW.getTime() + PERIOD_MS - 1);
    expect(await flow.logIn(params, ORIGIN, 'erik', right, NOW)).toMatchObject({ error: 'invalid_code' });
    expect(await flow.logIn(params, ORIGIN, 'erik', right, endOfPeriod)).toMatchObject({
      error: 'invalid_code',
    });
    // Another user is not locked out by erik's attempts, and their logins (each code once) do not
    // reset erik's count.
    const fridas = new Set([
      issuer.oneTimeCode('frida', NOW),
      issuer.oneTimeCode('frida', new Date(NOW.getTime() - PERIOD_MS)),
    ]);
    for (const code of fridas) {
      expect(await flow.logIn(params, ORIGIN, 'frida', code, NOW)).toHaveProperty('redirect');
    }
    expect(await flow.logIn(params, ORIGIN, 'erik', right, endOfPeriod)).toMatchObject({
      error: 'invalid_code',
    });
    // In the next period the code of the period before is still good, and is taken again.
    const next = new Date(NOW.getTime() + PERIOD_MS);
    expect(await flow.logIn(params, ORIGIN, 'erik', right, next)).toHaveProperty('redirect');
  });

  it('counts four wrong codes without locking the user out', async () => {
    const flow = new DevLoginFlow(issuer, access);
    const { params } = request();
    for (let i = 0; i < 4; i++) {
      await flow.logIn(params, ORIGIN, 'gustav', wrongCode('gustav', NOW), NOW);
    }
    expect(await flow.logIn(params, ORIGIN, 'gustav', issuer.oneTimeCode('gustav', NOW), NOW)).toHaveProperty(
      'redirect',
    );
  });

  it('takes a one-time code once: the same user cannot log in with it again, in its period or the next', async () => {
    const flow = new DevLoginFlow(issuer, access);
    const code = issuer.oneTimeCode('jonas', NOW);
    expect(await flow.logIn(request().params, ORIGIN, 'jonas', code, NOW)).toHaveProperty('redirect');
    const again = { error: 'invalid_code', error_description: expect.any(String) };
    // Not with another authorization request, nor trimmed differently, nor in the next period (where
    // the code of the period before is otherwise taken).
    expect(await flow.logIn(request().params, ORIGIN, 'jonas', code, NOW)).toEqual(again);
    expect(await flow.logIn(request().params, ORIGIN, ' jonas ', ` ${code}`, NOW)).toEqual(again);
    const next = new Date(NOW.getTime() + PERIOD_MS);
    expect(await flow.logIn(request().params, ORIGIN, 'jonas', code, next)).toEqual(again);
    // The next period's own code is a new one, and logs in.
    expect(
      await flow.logIn(request().params, ORIGIN, 'jonas', issuer.oneTimeCode('jonas', next), next),
    ).toHaveProperty('redirect');
  });

  it('keeps a used code from logging in for as long as it would otherwise be taken', async () => {
    const flow = new DevLoginFlow(issuer, access);
    const code = issuer.oneTimeCode('karen', NOW);
    expect(await flow.logIn(request().params, ORIGIN, 'karen', code, NOW)).toHaveProperty('redirect');
    // At the very end of the next period, the last moment the code is good; each login sweeps the
    // flow's old state first, and must not sweep this code away yet.
    const endOfNext = new Date(NOW.getTime() + 2 * PERIOD_MS - 1);
    expect(issuer.checkOneTimeCode('karen', code, endOfNext)).toBe(true);
    expect(await flow.logIn(request().params, ORIGIN, 'karen', code, endOfNext)).toMatchObject({
      error: 'invalid_code',
    });
  });

  it('takes one user’s used code from no other user', async () => {
    const flow = new DevLoginFlow(issuer, access);
    expect(
      await flow.logIn(request().params, ORIGIN, 'mads', issuer.oneTimeCode('mads', NOW), NOW),
    ).toHaveProperty('redirect');
    expect(
      await flow.logIn(request().params, ORIGIN, 'nina', issuer.oneTimeCode('nina', NOW), NOW),
    ).toHaveProperty('redirect');
    // Nor does another flow (another server) know what this one took.
    expect(
      await new DevLoginFlow(issuer, access).logIn(
        request().params,
        ORIGIN,
        'mads',
        issuer.oneTimeCode('mads', NOW),
        NOW,
      ),
    ).toHaveProperty('redirect');
  });

  it('counts a used code tried again as a wrong code: five of them stop the user’s logins for the period', async () => {
    // In the second period both the period's code and the one before are good: one logs in, the
    // other is left to show whether the user is locked out.
    const now = new Date(NOW.getTime() + PERIOD_MS);
    const [current, previous] = validCodes('olga', now) as [string, string];
    const lockedOut = async (retries: number) => {
      const flow = new DevLoginFlow(issuer, access);
      expect(await flow.logIn(request().params, ORIGIN, 'olga', current, now)).toHaveProperty('redirect');
      for (let i = 0; i < retries; i++) {
        expect(await flow.logIn(request().params, ORIGIN, 'olga', current, now)).toMatchObject({
          error: 'invalid_code',
        });
      }
      return 'error' in (await flow.logIn(request().params, ORIGIN, 'olga', previous, now));
    };
    if (current === previous) return; // one chance in a million: the two periods drew the same code
    expect(await lockedOut(4)).toBe(false);
    expect(await lockedOut(5)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['a line break', 'ali\nce'],
    ['a NUL', 'alice\u0000'],
    ['a tab inside', 'ali\tce'],
    ['257 characters', 'a'.repeat(257)],
  ])('refuses a user that is %s', async (_, user) => {
    const flow = new DevLoginFlow(issuer, access);
    expect(await flow.logIn(request().params, ORIGIN, user, issuer.oneTimeCode('alice', NOW), NOW)).toEqual({
      error: 'invalid_user',
      error_description: expect.any(String),
    });
  });

  it('accepts a user of 256 characters', async () => {
    const flow = new DevLoginFlow(issuer, access);
    const { params, verifier } = request();
    const user = 'u'.repeat(256);
    const { code } = await codeFor(flow, params, user, issuer.oneTimeCode(user, NOW));
    const result = await flow.exchange(tokenForm(code, verifier), NOW);
    if (!('id_token' in result)) throw new Error(`exchange refused: ${result.error}`);
    expect((await issuer.verify(result.id_token, NOW)).sub).toBe(user);
  });

  it('refuses to log in for a request the console would not make, even with the right code', async () => {
    const flow = new DevLoginFlow(issuer, access);
    const right = issuer.oneTimeCode('alice', NOW);
    expect(
      await flow.logIn(
        request({ redirectUri: 'https://evil.example/console/' }).params,
        ORIGIN,
        'alice',
        right,
        NOW,
      ),
    ).toMatchObject({ error: 'invalid_request' });
    expect(await flow.logIn(request({ state: '' }).params, ORIGIN, 'alice', right, NOW)).toMatchObject({
      error: 'invalid_request',
    });
    expect(
      await flow.logIn(request({ codeChallengeMethod: 'plain' }).params, ORIGIN, 'alice', right, NOW),
    ).toMatchObject({ error: 'invalid_request' });
    // The refused requests neither used the code up nor counted as wrong tries.
    expect(await flow.logIn(request().params, ORIGIN, 'alice', right, NOW)).toHaveProperty('redirect');
  });

  describe('exchange refusals', () => {
    const invalidGrant = { error: 'invalid_grant', error_description: expect.any(String) };

    async function pending(user = 'alice') {
      const flow = new DevLoginFlow(issuer, access);
      const { params, verifier } = request();
      const { code } = await codeFor(flow, params, user, issuer.oneTimeCode(user, NOW));
      return { flow, code, verifier };
    }

    it('refuses a wrong verifier, and the code is gone after it', async () => {
      const { flow, code, verifier } = await pending();
      expect(await flow.exchange(tokenForm(code, pkce().verifier), NOW)).toEqual(invalidGrant);
      expect(await flow.exchange(tokenForm(code, verifier), NOW)).toEqual(invalidGrant);
    });

    it('refuses the challenge itself, or no verifier, in place of the verifier', async () => {
      const first = await pending();
      const { challenge } = pkce();
      expect(await first.flow.exchange(tokenForm(first.code, challenge), NOW)).toEqual(invalidGrant);
      const second = await pending();
      const form = tokenForm(second.code, '');
      form.delete('code_verifier');
      expect(await second.flow.exchange(form, NOW)).toEqual(invalidGrant);
    });

    it('refuses another redirect_uri', async () => {
      const { flow, code, verifier } = await pending();
      expect(
        await flow.exchange(tokenForm(code, verifier, { redirect_uri: `${ORIGIN}/console/x` }), NOW),
      ).toEqual(invalidGrant);
    });

    it('refuses another client_id, or none', async () => {
      const first = await pending();
      expect(
        await first.flow.exchange(tokenForm(first.code, first.verifier, { client_id: 'another-app' }), NOW),
      ).toEqual(invalidGrant);
      const second = await pending();
      const form = tokenForm(second.code, second.verifier);
      form.delete('client_id');
      expect(await second.flow.exchange(form, NOW)).toEqual(invalidGrant);
    });

    it('takes a code once', async () => {
      const { flow, code, verifier } = await pending();
      expect(await flow.exchange(tokenForm(code, verifier), NOW)).toHaveProperty('id_token');
      expect(await flow.exchange(tokenForm(code, verifier), NOW)).toEqual(invalidGrant);
    });

    it('takes a code for 60 seconds', async () => {
      const first = await pending();
      expect(
        await first.flow.exchange(tokenForm(first.code, first.verifier), new Date(NOW.getTime() + 60_000)),
      ).toHaveProperty('id_token');
      const second = await pending();
      expect(
        await second.flow.exchange(tokenForm(second.code, second.verifier), new Date(NOW.getTime() + 60_001)),
      ).toEqual(invalidGrant);
    });

    it('refuses an unknown or empty code, and a code of another flow (another server)', async () => {
      const { flow, code, verifier } = await pending();
      expect(await flow.exchange(tokenForm('x'.repeat(32), verifier), NOW)).toEqual(invalidGrant);
      expect(await flow.exchange(tokenForm('', verifier), NOW)).toEqual(invalidGrant);
      expect(await new DevLoginFlow(issuer, access).exchange(tokenForm(code, verifier), NOW)).toEqual(
        invalidGrant,
      );
    });

    it('refuses a grant_type other than authorization_code, without using up the code', async () => {
      const { flow, code, verifier } = await pending();
      for (const grantType of ['refresh_token', 'client_credentials', '']) {
        expect(await flow.exchange(tokenForm(code, verifier, { grant_type: grantType }), NOW)).toEqual({
          error: 'unsupported_grant_type',
          error_description: expect.any(String),
        });
      }
      expect(await flow.exchange(tokenForm(code, verifier), NOW)).toHaveProperty('id_token');
    });

    it('gives the groups of the grants live at the exchange', async () => {
      await putTestGrant(access, 'hanne', 'ballerup', Role.DPO, new Date(NOW.getTime() + DAY));
      const { flow, code, verifier } = await pending('hanne');
      await access.deleteGrant('hanne', 'ballerup', Role.DPO);
      const result = await flow.exchange(tokenForm(code, verifier), NOW);
      if (!('id_token' in result)) throw new Error(`exchange refused: ${result.error}`);
      expect((await issuer.verify(result.id_token, NOW)).groups).toEqual([]);
    });
  });
});
