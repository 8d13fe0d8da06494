import { AuditAction, type AuditEntry, type AuditLog, type AuditRecord } from '../audit/audit-log.ts';
import { cprDetector } from '../detect/cpr.ts';
import { emailDetector } from '../detect/email.ts';
import { phoneDetector } from '../detect/phone.ts';
import { ErrorCode, TicketProxyError } from '../errors.ts';
import type { RevealedValue } from '../pseudonymize/pseudonymizer.ts';
import { isToken, TOKEN_PATTERN, TokenKind, tokenKindOf } from '../pseudonymize/token.ts';

/** Why a token gave no value, as stable codes. */
export const ReidentifyError = {
  /** No such token in the tenant(s) searched, or its retention has ended. */
  UNKNOWN_TOKEN: 'UNKNOWN_TOKEN',
  /** A SECRET token: secrets are never stored, so nothing stands behind it. */
  SECRET_TOKEN: 'SECRET_TOKEN',
  /** The string is not a token at all. */
  NOT_A_TOKEN: 'NOT_A_TOKEN',
  /** The token belongs to another tenant than the one asked for. */
  OTHER_TENANT: 'OTHER_TENANT',
  /** The stored value does not decrypt (damaged, or moved between tenants or tokens). */
  VALUE_UNREADABLE: 'VALUE_UNREADABLE',
  /** No purpose, or none that says why; nothing was looked up. */
  PURPOSE_MISSING: 'PURPOSE_MISSING',
  /** The purpose holds a CPR number, e-mail address or phone number; it is not recorded, nothing was looked up. */
  PURPOSE_HAS_PERSONAL_DATA: 'PURPOSE_HAS_PERSONAL_DATA',
  /** More tokens than one request may ask for; nothing was looked up. */
  TOO_MANY_TOKENS: 'TOO_MANY_TOKENS',
} as const;
export type ReidentifyError = (typeof ReidentifyError)[keyof typeof ReidentifyError];

export interface ReidentifyRequest {
  /**
   * Look only in these tenants (those the person is authorized for). Without it, each tenant the
   * vault has keys for is tried (the local operator's authority).
   */
  tenants?: readonly string[];
  tokens: readonly string[];
  /** Who asks: a person's subject id. */
  actor: string;
  /** Through what: `cli`, `api`, `console`. */
  source: string;
  /** Why, in at least a sentence ({@link isStatedPurpose}). Optional here only so that its absence is recorded. */
  purpose?: string;
  issueKey?: string;
}

export interface ReidentifyDeps {
  /** The value behind a token of a tenant, or undefined if there is none or its retention has ended. */
  reveal: (tenant: string, token: string) => Promise<RevealedValue | undefined>;
  audit: Pick<AuditLog, 'append'>;
  /** Every tenant the vault holds tokens for; asked only when a request names no tenant or a token is not found. */
  tenants: () => Promise<readonly string[]>;
  /**
   * Whether a tenant holds a token, without decrypting it: tells OTHER_TENANT from UNKNOWN_TOKEN.
   * @default a reveal whose value is dropped
   */
  has?: (tenant: string, token: string) => Promise<boolean>;
}

export type TokenResult =
  | { token: string; tenant: string; kind: TokenKind; value: string }
  | { token: string; error: { code: ReidentifyError; message: string } };

export interface ReidentifyOutcome {
  /** One per distinct string asked for, in the order asked. */
  results: TokenResult[];
  /** The audit record written before any value was handed out. */
  record: AuditRecord;
}

/** Refusals of the request itself, before any token is looked up. */
export const REQUEST_REFUSALS = [
  ReidentifyError.PURPOSE_MISSING,
  ReidentifyError.PURPOSE_HAS_PERSONAL_DATA,
  ReidentifyError.TOO_MANY_TOKENS,
] as const;
export type RequestRefusal = (typeof REQUEST_REFUSALS)[number];
export const isRequestRefusal = (reason: string | undefined): reason is RequestRefusal =>
  (REQUEST_REFUSALS as readonly (string | undefined)[]).includes(reason);

/** Bounds one request's lookups and its audit record's size. */
export const MAX_TOKENS_PER_REQUEST = 200;

const MIN_PURPOSE_CHARACTERS = 10;
const MIN_PURPOSE_WORDS = 2;

/**
 * Why a purpose cannot be recorded: missing or too short, or holding personal data that the
 * append-only audit log would keep for years (the detectors for CPR numbers, e-mail addresses and
 * phone numbers, which do not guess).
 */
export function purposeProblem(
  purpose: string | undefined,
): typeof ReidentifyError.PURPOSE_MISSING | typeof ReidentifyError.PURPOSE_HAS_PERSONAL_DATA | undefined {
  if (!isStatedPurpose(purpose)) return ReidentifyError.PURPOSE_MISSING;
  // The detectors alone, not detect.ts: the staff API's bundle then leaves out the name lists.
  for (const detector of PURPOSE_DETECTORS) {
    for (const _ of detector.detect(purpose)) return ReidentifyError.PURPOSE_HAS_PERSONAL_DATA;
  }
  return undefined;
}

const PURPOSE_DETECTORS = [cprDetector, emailDetector, phoneDetector];

/** True for a purpose of at least a sentence: 10 characters and 2 words, not counting spaces at the ends. */
export function isStatedPurpose(purpose: string | undefined): purpose is string {
  const text = purpose?.trim() ?? '';
  const words = text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
  return text.length >= MIN_PURPOSE_CHARACTERS && words.length >= MIN_PURPOSE_WORDS;
}

const messages: Record<ReidentifyError, (token: string, tenant: string | undefined) => string> = {
  UNKNOWN_TOKEN: (token, tenant) =>
    `${token} is unknown${tenant ? ` in tenant ${tenant}` : ''}, or its retention has ended`,
  SECRET_TOKEN: (token) => `${token} stands for a secret (a password or key), which is never stored`,
  // The string is not a token, so it might be anything, personal data included: never repeat it.
  NOT_A_TOKEN: () => 'not a token (a token looks like CPR_ABCDEFGHIJKLMNOP)',
  OTHER_TENANT: (token, tenant) => `${token} belongs to another tenant than ${tenant ?? 'yours'}`,
  VALUE_UNREADABLE: (token) => `the stored value of ${token} does not decrypt`,
  PURPOSE_MISSING: () =>
    `a purpose is required: at least a sentence (${MIN_PURPOSE_CHARACTERS} characters, ${MIN_PURPOSE_WORDS} words) saying why`,
  PURPOSE_HAS_PERSONAL_DATA: () =>
    'the purpose holds a CPR number, e-mail address or phone number, which the audit log must not keep: refer to the case by its ticket or issue instead',
  TOO_MANY_TOKENS: () => `at most ${MAX_TOKENS_PER_REQUEST} tokens per request`,
};

type Found = { tenant: string; revealed: RevealedValue } | { code: ReidentifyError };

/**
 * Turns tokens back into values for a person with a stated purpose. Every call is recorded, granted
 * (some value is handed out) or denied (with the reason), and the record is written before any value
 * leaves this function: if the audit log fails, this throws and no value is returned.
 *
 * The record holds tokens only. Strings that are not tokens are left out of it (they might be the
 * very personal data a caller pasted by mistake); values never get near it.
 *
 * @throws DependencyError AUDIT_UNAVAILABLE (no value returned), or the vault's or key provider's
 *   error, after a denied record naming that error was attempted.
 */
export async function reidentifyTokens(
  request: ReidentifyRequest,
  deps: ReidentifyDeps,
): Promise<ReidentifyOutcome> {
  const asked = [...new Set(request.tokens)];
  const scope = request.tenants && [...new Set(request.tenants)].sort();
  const scopeName = scope?.join(',');
  const tokens = asked.filter(isToken);
  const refusal =
    asked.length > MAX_TOKENS_PER_REQUEST ? ReidentifyError.TOO_MANY_TOKENS : purposeProblem(request.purpose);
  const entry = {
    actor: request.actor,
    source: request.source,
    action: AuditAction.REIDENTIFY,
    tokens: tokens.slice(0, MAX_TOKENS_PER_REQUEST),
    // A purpose holding personal data is not recorded: the refusal's reason says why.
    ...(request.purpose !== undefined &&
      refusal !== ReidentifyError.PURPOSE_HAS_PERSONAL_DATA && { purpose: request.purpose }),
    ...(request.issueKey !== undefined && { issueKey: request.issueKey }),
  } satisfies Partial<AuditEntry>;

  if (refusal) {
    const record = await deps.audit.append({
      ...entry,
      tenant: scopeName ?? '',
      outcome: 'denied',
      reason: refusal,
    });
    return { results: asked.map((token) => failure(token, refusal, scopeName)), record };
  }

  let found: Map<string, Found>;
  try {
    found = await lookUp(asked, scope, deps);
  } catch (error) {
    // The attempt is recorded even when the vault or keys failed; the original error is what counts.
    const reason = error instanceof TicketProxyError ? error.code : 'ERROR';
    await deps.audit
      .append({ ...entry, tenant: scopeName ?? '', outcome: 'denied', reason })
      .catch(() => undefined);
    throw error;
  }

  const tenantOf = new Map<string, string>();
  for (const [token, f] of found) if ('revealed' in f) tenantOf.set(token, f.tenant);
  const withheld = tokens.filter((t) => !tenantOf.has(t));
  const record = await deps.audit.append({
    ...entry,
    tenant: tenantOf.size > 0 ? [...new Set(tenantOf.values())].sort().join(',') : (scopeName ?? ''),
    ...(tenantOf.size > 0
      ? { outcome: 'granted', ...(withheld.length > 0 && { withheld }) }
      : { outcome: 'denied', reason: denialReason([...found.values()]) }),
  });

  const results = asked.map((token): TokenResult => {
    const f = found.get(token) ?? { code: ReidentifyError.UNKNOWN_TOKEN };
    if ('code' in f) return failure(token, f.code, scopeName);
    return { token, tenant: f.tenant, kind: f.revealed.kind, value: f.revealed.value };
  });
  return { results, record };
}

async function lookUp(
  asked: readonly string[],
  scope: readonly string[] | undefined,
  deps: ReidentifyDeps,
): Promise<Map<string, Found>> {
  let allTenants: Promise<readonly string[]> | undefined;
  const tenants = () => {
    allTenants ??= deps.tenants();
    return allTenants;
  };
  const has = deps.has ?? (async (t: string, token: string) => (await deps.reveal(t, token)) !== undefined);
  const reveal = async (t: string, token: string): Promise<Found | undefined> => {
    try {
      const revealed = await deps.reveal(t, token);
      return revealed && { tenant: t, revealed };
    } catch (error) {
      if (error instanceof TicketProxyError && error.code === ErrorCode.VALUE_UNREADABLE) {
        return { code: ReidentifyError.VALUE_UNREADABLE };
      }
      throw error;
    }
  };

  const one = async (token: string): Promise<Found> => {
    if (!isToken(token)) return { code: ReidentifyError.NOT_A_TOKEN };
    if (tokenKindOf(token) === TokenKind.SECRET) return { code: ReidentifyError.SECRET_TOKEN };
    if (scope !== undefined) {
      for (const t of scope) {
        const here = await reveal(t, token);
        if (here) return here;
      }
      for (const other of await tenants()) {
        if (!scope.includes(other) && (await has(other, token)))
          return { code: ReidentifyError.OTHER_TENANT };
      }
      return { code: ReidentifyError.UNKNOWN_TOKEN };
    }
    // A token is derived with its tenant's key, so at most one tenant holds it.
    for (const t of await tenants()) {
      const there = await reveal(t, token);
      if (there) return there;
    }
    return { code: ReidentifyError.UNKNOWN_TOKEN };
  };

  const found = await Promise.all(asked.map(async (token) => [token, await one(token)] as const));
  return new Map(found);
}

/** The one reason every token failed for, or NO_VALUE when they failed for different ones. */
function denialReason(found: readonly Found[]): string {
  const codes = new Set(found.flatMap((f) => ('code' in f ? [f.code] : [])));
  if (codes.size === 0) return 'NO_TOKENS';
  return codes.size === 1 ? [...codes].join('') : 'NO_VALUE';
}

function failure(token: string, code: ReidentifyError, tenant: string | undefined): TokenResult {
  return { token, error: { code, message: messages[code](token, tenant) } };
}

/** The distinct tokens in a text, in the order they first appear. */
export function tokensIn(text: string): string[] {
  return [...new Set(text.match(TOKEN_PATTERN) ?? [])];
}

/** The text with every token that has a value replaced by it; other tokens stay as they are. */
export function restoreTokens(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(TOKEN_PATTERN, (token) => values.get(token) ?? token);
}
