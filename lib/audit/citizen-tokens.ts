import { TokenKind } from '../pseudonymize/token.ts';

/** What a citizen can be looked up by, and the token kind each gives. */
export const CitizenIdentifier = {
  cpr: TokenKind.CPR,
  name: TokenKind.NAME,
  email: TokenKind.EMAIL,
  phone: TokenKind.PHONE,
  address: TokenKind.ADDR,
} as const;
export type CitizenIdentifier = keyof typeof CitizenIdentifier;
export const CITIZEN_IDENTIFIERS = Object.keys(CitizenIdentifier) as CitizenIdentifier[];

export type CitizenQuery = Partial<Record<CitizenIdentifier, readonly string[]>>;

export interface CitizenToken {
  tenant: string;
  /** Which identifier it stands for (`cpr`, `name`, …), never the value. */
  identifier: CitizenIdentifier;
  token: string;
}

/**
 * @returns a message naming the identifier that is wrong (never its value), or undefined
 */
export function checkCitizenQuery(query: CitizenQuery): string | undefined {
  const given = CITIZEN_IDENTIFIERS.flatMap((id) => (query[id] ?? []).map((v) => [id, v] as const));
  if (given.length === 0) return `name at least one of ${CITIZEN_IDENTIFIERS.join(', ')}`;
  if (given.length > 20) return 'at most 20 identifiers per lookup';
  for (const [id, value] of given) {
    if (typeof value !== 'string' || !value.trim() || value.length > 200)
      return `${id}: must be a non-empty text of up to 200 characters`;
    if (id === 'cpr' && !/^\d{10}$/.test(value.replace(/[\s.\-–/]/g, '')))
      return 'cpr: must be a CPR number of 10 digits (DDMMYY-SSSS)';
    if (id === 'phone' && !/^(?:\+?45|0045)?\d{8}$/.test(value.replace(/[\s.-]/g, '')))
      return 'phone: must be a Danish phone number of 8 digits';
  }
  return undefined;
}

/**
 * The citizen's tokens in each tenant: a token is keyed per tenant, so the same CPR number has one
 * token in each. Names are looked up as written, whole (`Jens Hansen`): a part (`Jens`) is shared by
 * too many people to say whose data it was.
 */
export async function citizenTokens(
  query: CitizenQuery,
  tenants: readonly string[],
  tokenOf: (tenant: string, kind: TokenKind, value: string) => Promise<string | undefined>,
): Promise<CitizenToken[]> {
  const out: CitizenToken[] = [];
  for (const tenant of tenants) {
    for (const identifier of CITIZEN_IDENTIFIERS) {
      for (const value of query[identifier] ?? []) {
        const token = await tokenOf(tenant, CitizenIdentifier[identifier], value);
        if (token) out.push({ tenant, identifier, token });
      }
    }
  }
  return out;
}
