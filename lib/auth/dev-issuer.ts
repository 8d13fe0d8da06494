import { createHmac, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import {
  createLocalJWKSet,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { readOrCreatePrivateFile } from '../embedded/private-file.ts';

/** The local development issuer's identity; tokens from it are refused anywhere else. */
export const DEV_ISSUER = 'https://dev-issuer.ticket-proxy.local';
export const DEV_AUDIENCE = 'ticket-proxy-local';
const ALGORITHM = 'ES256';
/** A working day's login at most: a local login is not meant to outlive the session. */
export const MAX_LOGIN_SECONDS = 12 * 60 * 60;

export interface DevLogin {
  subject: string;
  name?: string;
  groups: readonly string[];
  /** Whether the login claims a second factor (`amr: ["pwd", "otp", "mfa"]`); off to try a refusal. */
  mfa: boolean;
  /** @default 3600 */
  ttlSeconds?: number;
}

/**
 * The local server's OIDC issuer: an ES256 key pair kept in the data directory (mode 0600), logins
 * minted by `npx ticket-proxy login`, verified with jose exactly as an identity provider's would be.
 * Whoever can read the data directory can mint logins, as they can read the key file anyway.
 */
type SigningKey = Awaited<ReturnType<typeof importJWK>>;

/** How long a one-time code of the local login lasts, in seconds (it is also accepted one period late). */
export const ONE_TIME_CODE_SECONDS = 300;

export class DevIssuer {
  readonly #privateKey: SigningKey;
  readonly #publicJwk: JWK;
  readonly #jwks: ReturnType<typeof createLocalJWKSet>;
  /** Derived from the private key: whoever can mint logins can make codes, and no one else. */
  readonly #codeKey: Buffer;

  private constructor(privateKey: SigningKey, publicJwk: JWK, codeKey: Buffer) {
    this.#privateKey = privateKey;
    this.#publicJwk = publicJwk;
    this.#jwks = createLocalJWKSet({ keys: [publicJwk] });
    this.#codeKey = codeKey;
  }

  static async open(dataDir: string): Promise<DevIssuer> {
    const text = await readOrCreatePrivateFile(join(dataDir, 'dev-issuer.jwk'), () => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const jwk = privateKey.export({ format: 'jwk' });
      return JSON.stringify({
        ...jwk,
        alg: ALGORITHM,
        use: 'sig',
        kid: `dev-${randomBytes(6).toString('hex')}`,
      });
    });
    const jwk = JSON.parse(text.toString()) as JWK;
    const privateKey = await importJWK(jwk, ALGORITHM);
    const { d, ...publicJwk } = jwk;
    const codeKey = createHmac('sha256', d ?? '')
      .update('ticket-proxy one-time login codes')
      .digest();
    return new DevIssuer(privateKey, publicJwk, codeKey);
  }

  /**
   * The local login's second factor: a six-digit code for one user and one five-minute period, as
   * `npx ticket-proxy login --user … --code` prints it (like an authenticator app's, from a secret
   * only the data directory holds).
   */
  oneTimeCode(subject: string, now: Date = new Date()): string {
    return this.#code(subject, Math.floor(now.getTime() / 1000 / ONE_TIME_CODE_SECONDS));
  }

  /** Whether `code` is the user's code for this period or the one before. */
  checkOneTimeCode(subject: string, code: string, now: Date = new Date()): boolean {
    if (!/^\d{6}$/.test(code)) return false;
    const period = Math.floor(now.getTime() / 1000 / ONE_TIME_CODE_SECONDS);
    return [period, period - 1].some((p) =>
      timingSafeEqual(Buffer.from(this.#code(subject, p)), Buffer.from(code)),
    );
  }

  #code(subject: string, period: number): string {
    const mac = createHmac('sha256', this.#codeKey).update(`${period}\n${subject}`).digest();
    return String(mac.readUInt32BE(0) % 1_000_000).padStart(6, '0');
  }

  /** The public key set, as `/.well-known/jwks.json` serves it. */
  jwks(): JSONWebKeySet {
    return { keys: [this.#publicJwk] };
  }

  async mint(login: DevLogin, now: Date = new Date()): Promise<string> {
    const ttl = login.ttlSeconds ?? 3600;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_LOGIN_SECONDS) {
      throw new RangeError(`a login lasts 1 to ${MAX_LOGIN_SECONDS} seconds`);
    }
    const iat = Math.floor(now.getTime() / 1000);
    return new SignJWT({
      ...(login.name !== undefined && { name: login.name }),
      groups: [...login.groups],
      amr: login.mfa ? ['pwd', 'otp', 'mfa'] : ['pwd'],
      token_use: 'id',
    })
      .setProtectedHeader({ alg: ALGORITHM, kid: this.#publicJwk.kid ?? '', typ: 'JWT' })
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setSubject(login.subject)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttl)
      .sign(this.#privateKey);
  }

  /** The verified claims. @throws when the signature, issuer, audience or lifetime is wrong */
  async verify(jwt: string, now: Date = new Date()): Promise<JWTPayload> {
    const { payload } = await jwtVerify(jwt, this.#jwks, {
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      algorithms: [ALGORITHM],
      requiredClaims: ['exp', 'iat', 'sub'],
      currentDate: now,
      clockTolerance: 30,
    });
    return payload;
  }
}
