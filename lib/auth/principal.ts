/**
 * Who is asking, as the identity provider vouched for it in a verified JWT. In AWS the HTTP API's
 * JWT authorizer verifies the token and hands its claims to the function; locally the local server
 * verifies it against the development issuer. Both then come here.
 */
export interface Principal {
  /** The `sub` claim: one person. Shared accounts are not a thing an OIDC subject can be. */
  subject: string;
  /** The `amr` claim says a second factor was used (RFC 8176 `mfa`). */
  mfa: boolean;
  /** `cognito:groups`, or `groups` (Entra ID, Keycloak). */
  groups: readonly string[];
  /** A display name, for the console only; never used to decide anything. */
  name?: string;
}

/**
 * Claims as the HTTP API's JWT authorizer passes them (every value a string, arrays as `[a b c]`) or
 * as a JWT library returns them (arrays as arrays).
 * @returns undefined when there is no usable subject
 */
export function principalFromClaims(
  claims: Readonly<Record<string, unknown>> | undefined,
): Principal | undefined {
  const subject = claims?.sub;
  if (typeof subject !== 'string' || !subject.trim() || subject.length > 256 || /\p{Cc}/u.test(subject)) {
    return undefined;
  }
  const name = claims?.name ?? claims?.email;
  return {
    subject,
    mfa: listClaim(claims?.amr).includes('mfa'),
    groups: [...listClaim(claims?.['cognito:groups']), ...listClaim(claims?.groups)],
    ...(typeof name === 'string' && { name }),
  };
}

/** An array claim, whichever way it arrives. */
function listClaim(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value !== 'string') return [];
  const text = value.trim();
  // API Gateway flattens arrays to `[a b c]`; a JSON array is accepted too.
  if (text.startsWith('[') && text.endsWith(']')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return listClaim(parsed);
    } catch {
      // not JSON: API Gateway's form
    }
    return text.slice(1, -1).split(/\s+/).filter(Boolean);
  }
  return text ? [text] : [];
}
