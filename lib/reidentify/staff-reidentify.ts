import { AccessGuard, type Denial } from '../access/access-guard.ts';
import { AccessMetric, type AccessMetrics } from '../access/access-metrics.ts';
import type { AccessPolicy } from '../access/access-policy.ts';
import type { AccessStore } from '../access/access-store.ts';
import { Role } from '../access/grant.ts';
import { AuditAction, type AuditRecord } from '../audit/audit-log.ts';
import type { Principal } from '../auth/principal.ts';
import { isToken } from '../pseudonymize/token.ts';
import {
  isRequestRefusal,
  MAX_TOKENS_PER_REQUEST,
  type ReidentifyDeps,
  type RequestRefusal,
  reidentifyTokens,
  restoreTokens,
  type TokenResult,
  tokensIn,
} from './reidentify-tokens.ts';

/** A person's request: tokens, or a piece of Jira text holding them. */
export interface StaffReidentifyRequest {
  tokens?: readonly string[];
  text?: string;
  purpose?: string;
  /** Only this tenant; without it, every tenant the person holds a re-identifier grant for. */
  tenant?: string;
  issueKey?: string;
  /** `api` or `console`. */
  source: string;
}

export type StaffReidentifyOutcome =
  | {
      outcome: 'granted' | 'denied';
      /** Set when no value was found for any token (UNKNOWN_TOKEN, OTHER_TENANT, …). */
      reason?: string;
      results: TokenResult[];
      /** The text with every value found restored, when text was sent. */
      text?: string;
      record: AuditRecord;
    }
  | { outcome: 'refused'; reason: Denial | RequestRefusal; record: AuditRecord };

export interface StaffReidentifyDeps extends ReidentifyDeps {
  access: AccessStore;
  policy: AccessPolicy;
  metrics: AccessMetrics;
  now?: () => Date;
}

/**
 * Re-identification for a named, authenticated person (the API and the console): the guard's checks
 * (not blocked, MFA, a live grant with its group), then the same use case as the CLI, which records
 * the attempt before any value leaves. A request that gives no value counts towards blocking like
 * any other refusal. Granted requests mark the grants used and feed the alarms.
 */
export async function reidentifyForStaff(
  principal: Principal,
  request: StaffReidentifyRequest,
  deps: StaffReidentifyDeps,
): Promise<StaffReidentifyOutcome> {
  const guard = new AccessGuard(deps);
  const asked = request.tokens ?? tokensIn(request.text ?? '');
  const attempt = {
    source: request.source,
    action: AuditAction.REIDENTIFY,
    tokens: [...new Set(asked.filter(isToken))].slice(0, MAX_TOKENS_PER_REQUEST),
    ...(request.purpose !== undefined && { purpose: request.purpose }),
    ...(request.issueKey !== undefined && { issueKey: request.issueKey }),
  };
  const admission = await guard.admit(principal, Role.REIDENTIFIER, request.tenant, attempt);
  if ('denied' in admission)
    return { outcome: 'refused', reason: admission.denied, record: admission.record };

  const tenants = admission.granted.map((g) => g.tenant);
  const { results, record } = await reidentifyTokens(
    { ...request, tokens: asked, tenants, actor: principal.subject },
    deps,
  );
  if (record.outcome === 'denied') {
    await guard.counted(principal.subject, record);
    if (isRequestRefusal(record.reason)) return { outcome: 'refused', reason: record.reason, record };
    return { outcome: 'denied', ...(record.reason && { reason: record.reason }), results, record };
  }

  const now = guard.now;
  const values = new Map<string, string>();
  const perTenant = new Map<string, number>();
  for (const r of results) {
    if (!('value' in r)) continue;
    values.set(r.token, r.value);
    perTenant.set(r.tenant, (perTenant.get(r.tenant) ?? 0) + 1);
  }
  for (const [tenant, count] of perTenant) {
    deps.metrics.count(AccessMetric.TOKENS_REIDENTIFIED, count, { tenant });
    await deps.access.markUsed(principal.subject, tenant, Role.REIDENTIFIER, now);
  }
  await guard.countUse(principal.subject, values.size);

  return {
    outcome: 'granted',
    results,
    ...(request.text !== undefined && { text: restoreTokens(request.text, values) }),
    record,
  };
}
