import { generateKeyPairSync } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, importJWK, type JWK, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { DEV_AUDIENCE, DEV_ISSUER, DevIssuer, MAX_LOGIN_SECONDS } from '../../lib/auth/dev-issuer.ts';
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
