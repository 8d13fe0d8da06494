import { createHash, randomBytes } from 'node:crypto';
import type { AccessStore } from '../access/access-store.ts';
import { groupFor, isExpired } from '../access/grant.ts';
import { DEV_AUDIENCE, type DevIssuer, ONE_TIME_CODE_SECONDS } from './dev-issuer.ts';

/** The local console's OAuth client id: the development issuer's audience. */
export const DEV_CLIENT_ID = DEV_AUDIENCE;
/** An authorization code is exchanged at once by the console; a minute is plenty. */
const CODE_SECONDS = 60;
/** Wrong one-time codes per user before the local login stops taking codes for that period. */
const MAX_WRONG_CODES = 5;
/** A console login lasts an hour, as a Cognito ID token at most does here. */
const LOGIN_SECONDS = 3600;

/** The groups a local login carries: those of the user's live grants, as Cognito groups would be. */
export async function groupsOfLiveGrants(access: AccessStore, user: string, now: Date): Promise<string[]> {
  return (await access.listGrants({ user }))
    .filter((g) => !isExpired(g, now))
    .map((g) => groupFor(g.tenant, g.role));
}

/** What the console sends to the authorization endpoint (OAuth 2.0 with PKCE, RFC 7636). */
export interface AuthorizeParams {
  responseType: string;
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
  codeChallengeMethod: string;
}

/** An OAuth 2.0 error response (RFC 6749 §5.2). */
export type DevLoginError = { error: string; error_description: string };

interface PendingCode extends AuthorizeParams {
  subject: string;
  expires: number;
}

/**
 * The development issuer's authorization-code flow, for the console on the local server: the same
 * redirect, code and PKCE exchange the console does with Cognito's managed login, so one console
 * code path serves both. The login page asks for a user and the one-time code that
 * `npx ticket-proxy login --user … --code` prints, the second factor: each code logs in once, and
 * five wrong ones stop a user's logins for the period. (A login without a second factor, to see the
 * API refuse it, is `npx ticket-proxy login --no-mfa`: no page hands one out to whoever asks.)
 */
export class DevLoginFlow {
  readonly #issuer: DevIssuer;
  readonly #access: AccessStore;
  readonly #codes = new Map<string, PendingCode>();
  /** Wrong codes per user and five-minute period. */
  readonly #wrongCodes = new Map<string, { period: number; count: number }>();
  /** Codes that logged someone in, until they are too old to be taken anyway. */
  readonly #usedCodes = new Map<string, number>();

  constructor(issuer: DevIssuer, access: AccessStore) {
    this.#issuer = issuer;
    this.#access = access;
  }

  /** @returns an error when the request is not one the console makes: never a login page for it */
  checkAuthorize(params: AuthorizeParams, origin: string): DevLoginError | undefined {
    if (params.responseType !== 'code')
      return invalid('unsupported_response_type', 'response_type must be code');
    if (params.clientId !== DEV_CLIENT_ID) return invalid('unauthorized_client', 'unknown client_id');
    if (!isConsoleRedirect(params.redirectUri, origin)) {
      return invalid('invalid_request', 'redirect_uri must be this server’s /console');
    }
    if (params.codeChallengeMethod !== 'S256' || !/^[\w-]{43}$/.test(params.codeChallenge)) {
      return invalid('invalid_request', 'PKCE is required: code_challenge_method S256 and a code_challenge');
    }
    if (!/^[\w-]{16,128}$/.test(params.state)) return invalid('invalid_request', 'state is required');
    return undefined;
  }

  /**
   * Logs the user in with their one-time code, as a login with a second factor.
   * @returns where to send the browser, or why not (a wrong code is said as such)
   */
  async logIn(
    params: AuthorizeParams,
    origin: string,
    user: string,
    oneTimeCode: string,
    now: Date = new Date(),
  ): Promise<{ redirect: string } | DevLoginError> {
    const problem = this.checkAuthorize(params, origin);
    if (problem) return problem;
    const subject = user.trim();
    if (!subject || subject.length > 256 || /\p{Cc}/u.test(subject)) {
      return invalid('invalid_user', 'user is required: one person’s id, up to 256 characters');
    }
    const code = oneTimeCode.trim();
    this.#sweep(now);
    const period = periodOf(now);
    const tries = `${period}\n${subject}`;
    const wrong = this.#wrongCodes.get(tries)?.count ?? 0;
    const used = `${subject}\n${code}`;
    if (
      wrong >= MAX_WRONG_CODES ||
      this.#usedCodes.has(used) ||
      !this.#issuer.checkOneTimeCode(subject, code, now)
    ) {
      this.#wrongCodes.set(tries, { period, count: wrong + 1 });
      return invalid('invalid_code', 'the one-time code is wrong, used or too old');
    }
    this.#usedCodes.set(used, period);
    const authorizationCode = randomBytes(24).toString('base64url');
    this.#codes.set(authorizationCode, { ...params, subject, expires: now.getTime() + CODE_SECONDS * 1000 });
    const redirect = new URL(params.redirectUri);
    redirect.searchParams.set('code', authorizationCode);
    redirect.searchParams.set('state', params.state);
    return { redirect: redirect.toString() };
  }

  /** The token endpoint: one use per code, and only with the verifier of its challenge. */
  async exchange(
    form: URLSearchParams,
    now: Date = new Date(),
  ): Promise<{ id_token: string; token_type: 'Bearer'; expires_in: number } | DevLoginError> {
    if (form.get('grant_type') !== 'authorization_code') {
      return invalid('unsupported_grant_type', 'grant_type must be authorization_code');
    }
    const code = form.get('code') ?? '';
    const pending = this.#codes.get(code);
    this.#codes.delete(code);
    const verifier = form.get('code_verifier') ?? '';
    if (
      !pending ||
      pending.expires < now.getTime() ||
      pending.clientId !== form.get('client_id') ||
      pending.redirectUri !== form.get('redirect_uri') ||
      createHash('sha256').update(verifier).digest('base64url') !== pending.codeChallenge
    ) {
      return invalid('invalid_grant', 'the code is unknown, used, expired, or not this client’s');
    }
    const jwt = await this.#issuer.mint(
      {
        subject: pending.subject,
        groups: await groupsOfLiveGrants(this.#access, pending.subject, now),
        mfa: true,
        ttlSeconds: LOGIN_SECONDS,
      },
      now,
    );
    return { id_token: jwt, token_type: 'Bearer', expires_in: LOGIN_SECONDS };
  }

  #sweep(now: Date): void {
    for (const [code, pending] of this.#codes) if (pending.expires < now.getTime()) this.#codes.delete(code);
    // Counts of past periods only: a period's count lasts as long as the period.
    for (const [key, wrong] of this.#wrongCodes)
      if (wrong.period < periodOf(now)) this.#wrongCodes.delete(key);
    // A code is taken in its period and the next: after that it cannot log in anyway.
    for (const [key, period] of this.#usedCodes) if (period < periodOf(now) - 1) this.#usedCodes.delete(key);
  }
}

const invalid = (error: string, description: string): DevLoginError => ({
  error,
  error_description: description,
});
const periodOf = (now: Date) => Math.floor(now.getTime() / 1000 / ONE_TIME_CODE_SECONDS);

/** Only the console on this very server may receive codes. */
function isConsoleRedirect(uri: string, origin: string): boolean {
  try {
    const url = new URL(uri);
    return url.origin === origin && url.pathname === '/console' && !url.search && !url.hash;
  } catch {
    return false;
  }
}

/** Reads the authorization request's parameters, from a query string or a posted form. */
export function authorizeParams(values: URLSearchParams): AuthorizeParams {
  return {
    responseType: values.get('response_type') ?? '',
    clientId: values.get('client_id') ?? '',
    redirectUri: values.get('redirect_uri') ?? '',
    state: values.get('state') ?? '',
    codeChallenge: values.get('code_challenge') ?? '',
    codeChallengeMethod: values.get('code_challenge_method') ?? '',
  };
}
