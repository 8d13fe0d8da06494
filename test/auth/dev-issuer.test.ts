import { generateKeyPairSync } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, importJWK, type JWK, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  DEV_AUDIENCE,
  DEV_ISSUER,
  DevIssuer,
  MAX_LOGIN_SECONDS,
  ONE_TIME_CODE_SECONDS,
} from '../../lib/auth/dev-issuer.ts';
import { principalFromClaims } from '../../lib/auth/principal.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();

const KEY_FILE = 'dev-issuer.jwk';
const LOGIN = { subject: 'dev-user-1', groups: ['ticket-proxy:ballerup:reidentifier'], mfa: true };

/** A token signed with the issuer's own key file, with whatever claims a test needs. */
async function signedWithIssuerKey(dir: string, build: (jwt: SignJWT) => SignJWT): Promise<string> {
  const jwk = JSON.parse((await readFile(join(dir, KEY_FILE))).toString()) as JWK;
  const key = await importJWK(jwk, 'ES256');
  const now = Math.floor(Date.now() / 1000);
  return build(
    new SignJWT({ groups: [], amr: ['pwd', 'otp', 'mfa'] })
      .setProtectedHeader({ alg: 'ES256', kid: jwk.kid ?? '' })
      .setSubject('dev-user-1')
      .setIssuedAt(now)
      .setExpirationTime(now + 600),
  ).sign(key);
}

describe('DevIssuer', () => {
  it('keeps its key in a file only the owner can read, and reuses it when reopened', async () => {
    const dir = await tempDir();
    const first = await DevIssuer.open(dir);
    expect((await stat(join(dir, KEY_FILE))).mode & 0o777).toBe(0o600);
    const token = await first.mint(LOGIN);

    const reopened = await DevIssuer.open(dir);
    expect(reopened.jwks()).toEqual(first.jwks());
    expect(await reopened.verify(token)).toMatchObject({ sub: 'dev-user-1' });
  });

  it('mints a login that carries sub, groups, a second factor, issuer, audience and lifetime', async () => {
    const issuer = await DevIssuer.open(await tempDir());
    const now = new Date();
    const token = await issuer.mint({ ...LOGIN, name: 'Dev Bruger', ttlSeconds: 900 }, now);
    const claims = await issuer.verify(token);
    const iat = Math.floor(now.getTime() / 1000);
    expect(claims).toEqual({
      sub: 'dev-user-1',
      name: 'Dev Bruger',
      groups: ['ticket-proxy:ballerup:reidentifier'],
      amr: ['pwd', 'otp', 'mfa'],
      token_use: 'id',
      iss: DEV_ISSUER,
      aud: DEV_AUDIENCE,
      iat,
      exp: iat + 900,
    });
    expect(decodeProtectedHeader(token)).toEqual({
      alg: 'ES256',
      kid: issuer.jwks().keys[0]?.kid,
      typ: 'JWT',
    });
    expect(principalFromClaims(claims)).toEqual({
      subject: 'dev-user-1',
      mfa: true,
      groups: ['ticket-proxy:ballerup:reidentifier'],
      name: 'Dev Bruger',
    });
  });

  it('mints a login without a second factor when asked, and lasts an hour by default', async () => {
    const issuer = await DevIssuer.open(await tempDir());
    const claims = await issuer.verify(await issuer.mint({ ...LOGIN, mfa: false, groups: [] }));
    expect(claims.amr).toEqual(['pwd']);
    expect(claims.groups).toEqual([]);
    expect(claims).not.toHaveProperty('name');
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
    expect(principalFromClaims(claims)?.mfa).toBe(false);
  });

  it.each([0, -1, 1.5, MAX_LOGIN_SECONDS + 1, Number.NaN])(
    'refuses to mint a login lasting %s seconds',
    async (ttl) => {
      const issuer = await DevIssuer.open(await tempDir());
      await expect(issuer.mint({ ...LOGIN, ttlSeconds: ttl })).rejects.toThrow(RangeError);
    },
  );

  it('mints a login of exactly twelve hours, and of one second', async () => {
    const issuer = await DevIssuer.open(await tempDir());
    const long = decodeJwt(await issuer.mint({ ...LOGIN, ttlSeconds: MAX_LOGIN_SECONDS }));
    expect((long.exp ?? 0) - (long.iat ?? 0)).toBe(12 * 60 * 60);
    const short = decodeJwt(await issuer.mint({ ...LOGIN, ttlSeconds: 1 }));
    expect((short.exp ?? 0) - (short.iat ?? 0)).toBe(1);
  });

  it('refuses a login minted by another issuer (another data directory)', async () => {
    const ours = await DevIssuer.open(await tempDir());
    const theirs = await DevIssuer.open(await tempDir());
    expect(theirs.jwks()).not.toEqual(ours.jwks());
    const token = await theirs.mint(LOGIN);
    expect(await theirs.verify(token)).toMatchObject({ sub: 'dev-user-1' });
    await expect(ours.verify(token)).rejects.toThrow();
  });

  it('refuses an expired login, beyond 30 seconds of clock tolerance', async () => {
    const issuer = await DevIssuer.open(await tempDir());
    const now = new Date();
    const token = await issuer.mint(
      { ...LOGIN, ttlSeconds: 60 },
      new Date(now.getTime() - 2 * 60 * 60 * 1000),
    );
    await expect(issuer.verify(token, now)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });

    const justNow = await issuer.mint({ ...LOGIN, ttlSeconds: 60 }, now);
    expect(await issuer.verify(justNow, new Date(now.getTime() + 80_000))).toMatchObject({
      sub: 'dev-user-1',
    });
    await expect(issuer.verify(justNow, new Date(now.getTime() + 95_000))).rejects.toMatchObject({
      code: 'ERR_JWT_EXPIRED',
    });
  });

  it('refuses a login whose payload was changed after signing', async () => {
    const issuer = await DevIssuer.open(await tempDir());
    const [header, payload, signature] = (await issuer.mint({ ...LOGIN, mfa: false })).split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    const forged = Buffer.from(
      JSON.stringify({ ...claims, amr: ['pwd', 'otp', 'mfa'], groups: ['ticket-proxy:ballerup:admin'] }),
    ).toString('base64url');
    await expect(issuer.verify(`${header}.${forged}.${signature}`)).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
  });

  it('refuses a login signed with its own key but for another audience or issuer', async () => {
    const dir = await tempDir();
    const issuer = await DevIssuer.open(dir);
    const right = await signedWithIssuerKey(dir, (jwt) =>
      jwt.setIssuer(DEV_ISSUER).setAudience(DEV_AUDIENCE),
    );
    expect(await issuer.verify(right)).toMatchObject({ sub: 'dev-user-1' });

    const otherAudience = await signedWithIssuerKey(dir, (jwt) =>
      jwt.setIssuer(DEV_ISSUER).setAudience('another-app'),
    );
    await expect(issuer.verify(otherAudience)).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'aud',
    });
    const otherIssuer = await signedWithIssuerKey(dir, (jwt) =>
      jwt.setIssuer('https://login.example.com').setAudience(DEV_AUDIENCE),
    );
    await expect(issuer.verify(otherIssuer)).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'iss',
    });
  });

  it('refuses a login signed by a stranger’s key that claims to be the dev issuer', async () => {
    const issuer = await DevIssuer.open(await tempDir());
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ amr: ['mfa'], groups: ['ticket-proxy:ballerup:admin'] })
      .setProtectedHeader({ alg: 'ES256', kid: issuer.jwks().keys[0]?.kid ?? '' })
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setSubject('dev-user-1')
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(privateKey);
    await expect(issuer.verify(token)).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
  });

  it('refuses an unsigned login (alg none)', async () => {
    const issuer = await DevIssuer.open(await tempDir());
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const token = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({
      sub: 'dev-user-1',
      iss: DEV_ISSUER,
      aud: DEV_AUDIENCE,
      iat: now,
      exp: now + 600,
      amr: ['mfa'],
    })}.`;
    await expect(issuer.verify(token)).rejects.toThrow();
  });

  it('publishes only the public key', async () => {
    const issuer = await DevIssuer.open(await tempDir());
    const { keys } = issuer.jwks();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({
      kty: 'EC',
      crv: 'P-256',
      alg: 'ES256',
      use: 'sig',
      kid: expect.stringMatching(/^dev-[0-9a-f]{12}$/),
    });
    expect(keys[0]).toHaveProperty('x');
    expect(keys[0]).toHaveProperty('y');
    expect(keys[0]).not.toHaveProperty('d');
    expect(JSON.stringify(issuer.jwks())).not.toContain('"d"');
  });
});

describe('DevIssuer one-time codes', () => {
  const PERIOD_MS = ONE_TIME_CODE_SECONDS * 1000;
  /** The start of a five-minute period. */
  const PERIOD_START = new Date(Math.floor(Date.parse('2026-11-20T10:31:00Z') / PERIOD_MS) * PERIOD_MS);
  const at = (ms: number) => new Date(PERIOD_START.getTime() + ms);
  const USERS = ['alice', 'bob', 'carl', 'dora', 'erik', 'frida'];

  it('lasts five minutes', () => {
    expect(ONE_TIME_CODE_SECONDS).toBe(300);
  });

  it('is six digits, the same throughout a period and when the issuer is reopened', async () => {
    const dir = await tempDir();
    const issuer = await DevIssuer.open(dir);
    const code = issuer.oneTimeCode('alice', PERIOD_START);
    expect(code).toMatch(/^\d{6}$/);
    expect(issuer.oneTimeCode('alice', at(PERIOD_MS - 1))).toBe(code);
    expect((await DevIssuer.open(dir)).oneTimeCode('alice', at(1234))).toBe(code);
  });

  it('keeps leading zeros: every code is six digits', async () => {
    const issuer = await DevIssuer.open(await tempDir());
    const codes = Array.from({ length: 300 }, (_, i) => issuer.oneTimeCode(`user-${i}`, PERIOD_START));
    expect(codes.every((c) => /^\d{6}$/.test(c))).toBe(true);
    // About one in ten codes starts with 0: enough of 300 to show they are padded, not shortened.
    expect(codes.some((c) => c.startsWith('0'))).toBe(true);
  });

  it('differs per user, per period and per data directory', async () => {
    const issuer = await DevIssuer.open(await tempDir());
    const other = await DevIssuer.open(await tempDir());
    const perUser = new Set(USERS.map((u) => issuer.oneTimeCode(u, PERIOD_START)));
    expect(perUser.size).toBeGreaterThan(1);
    const perPeriod = new Set(USERS.map((_, i) => issuer.oneTimeCode('alice', at(i * PERIOD_MS))));
    expect(perPeriod.size).toBeGreaterThan(1);
    const ours = USERS.map((u) => issuer.oneTimeCode(u, PERIOD_START));
    const theirs = USERS.map((u) => other.oneTimeCode(u, PERIOD_START));
    expect(theirs).not.toEqual(ours);
  });

  it("accepts the user's code in its period and in the next, and not after", async () => {
    const issuer = await DevIssuer.open(await tempDir());
    const code = issuer.oneTimeCode('alice', PERIOD_START);
    expect(issuer.checkOneTimeCode('alice', code, PERIOD_START)).toBe(true);
    expect(issuer.checkOneTimeCode('alice', code, at(PERIOD_MS - 1))).toBe(true);
    expect(issuer.checkOneTimeCode('alice', code, at(PERIOD_MS))).toBe(true);
    expect(issuer.checkOneTimeCode('alice', code, at(2 * PERIOD_MS - 1))).toBe(true);
    const later = at(2 * PERIOD_MS);
    const stillValid = [issuer.oneTimeCode('alice', later), issuer.oneTimeCode('alice', at(PERIOD_MS))];
    // Unless the code happens to be the same as a later period's (one in a million).
    if (!stillValid.includes(code)) expect(issuer.checkOneTimeCode('alice', code, later)).toBe(false);
  });

  it("refuses a code from a period that has not begun, another user's, and another issuer's", async () => {
    const issuer = await DevIssuer.open(await tempDir());
    const other = await DevIssuer.open(await tempDir());
    const valid = (user: string) => [
      issuer.oneTimeCode(user, PERIOD_START),
      issuer.oneTimeCode(user, at(-PERIOD_MS)),
    ];
    const future = issuer.oneTimeCode('alice', at(PERIOD_MS));
    if (!valid('alice').includes(future)) {
      expect(issuer.checkOneTimeCode('alice', future, PERIOD_START)).toBe(false);
    }
    const bobs = USERS.map((u) => issuer.oneTimeCode(u, PERIOD_START)).filter(
      (c) => !valid('alice').includes(c),
    );
    expect(bobs.length).toBeGreaterThan(0);
    for (const code of bobs) expect(issuer.checkOneTimeCode('alice', code, PERIOD_START)).toBe(false);
    const theirs = other.oneTimeCode('alice', PERIOD_START);
    if (!valid('alice').includes(theirs)) {
      expect(issuer.checkOneTimeCode('alice', theirs, PERIOD_START)).toBe(false);
    }
    expect(other.checkOneTimeCode('alice', theirs, PERIOD_START)).toBe(true);
  });

  it.each(['', '12345', '1234567', 'abcdef', '12 456', '١٢٣٤٥٦'])(
    'refuses %j, which is not six digits',
    async (code) => {
      const issuer = await DevIssuer.open(await tempDir());
      expect(issuer.checkOneTimeCode('alice', code, PERIOD_START)).toBe(false);
    },
  );

  it('refuses the right code with anything around it', async () => {
    const issuer = await DevIssuer.open(await tempDir());
    const code = issuer.oneTimeCode('alice', PERIOD_START);
    for (const padded of [` ${code}`, `${code} `, `${code}\n`, `${code}0`, `0${code}`]) {
      expect(issuer.checkOneTimeCode('alice', padded, PERIOD_START), JSON.stringify(padded)).toBe(false);
    }
  });
});
