import { AccessGuard, type Attempt, type Denial } from '../access/access-guard.ts';
import type { AccessMetrics } from '../access/access-metrics.ts';
import type { AccessPolicy } from '../access/access-policy.ts';
import type { AccessStore } from '../access/access-store.ts';
import { type Block, type Grant, Role } from '../access/grant.ts';
import { type Authority, GrantAdmin } from '../access/grant-admin.ts';
import type { ChainVerdict } from '../audit/audit-chain.ts';
import { AuditAction, type AuditFilter, type AuditLog, type AuditRecord } from '../audit/audit-log.ts';
import { type CitizenQuery, type CitizenToken, citizenTokens } from '../audit/citizen-tokens.ts';
import { accessReview, type ReviewRow, type SeenRow, whoHasSeen } from '../audit/dpo-reports.ts';
import type { Principal } from '../auth/principal.ts';
import type { TokenKind } from '../pseudonymize/token.ts';
import { purposeProblem, type ReidentifyDeps } from '../reidentify/reidentify-tokens.ts';
import { reidentifyForStaff, type StaffReidentifyRequest } from '../reidentify/staff-reidentify.ts';
import type { StaffRuntime } from '../runtime/runtime.ts';

export interface StaffDeps extends ReidentifyDeps {
  access: AccessStore;
  audit: AuditLog;
  policy: AccessPolicy;
  metrics: AccessMetrics;
  /** A value's token in a tenant, computed without storing anything. */
  tokenOf: (tenant: string, kind: TokenKind, value: string) => Promise<string | undefined>;
  now?: () => Date;
}

export type Refusal = { refused: Denial | string; record: AuditRecord };
type Result<T> = T | Refusal;

/** A reader's admission: their tenants, which records they may see, and the record of the read. */
interface Reader {
  tenants: string[];
  visible: (record: AuditRecord) => boolean;
  record: AuditRecord;
}

/** Some records of the audit log, the record of reading them, and whether more follow. */
export interface RecordsPage {
  records: AuditRecord[];
  more: boolean;
  record: AuditRecord;
}

/**
 * The first `limit` records the reader may see, and whether there are more: reading stops at the one
 * after, so a page of a long log costs a page, and the answer stays within Lambda's 6 MB.
 */
async function page(
  records: AsyncIterable<AuditRecord>,
  visible: (record: AuditRecord) => boolean,
  limit: number,
): Promise<{ records: AuditRecord[]; more: boolean }> {
  const out: AuditRecord[] = [];
  for await (const r of records) {
    if (!visible(r)) continue;
    if (out.length === limit) return { records: out, more: true };
    out.push(r);
  }
  return { records: out, more: false };
}

/** Who may read the audit log and its reports. */
const READERS = [Role.DPO, Role.ADMIN] as const;

/**
 * What staff can do, for one authenticated person: the API and the console call this, the CLI the
 * parts it needs with the operator's authority. Every refusal is recorded and counted by the guard;
 * every read of the audit log and every citizen lookup is itself recorded.
 */
export class StaffService {
  readonly #deps: StaffDeps;
  readonly #guard: AccessGuard;
  readonly grants: GrantAdmin;

  constructor(deps: StaffDeps) {
    this.#deps = deps;
    this.#guard = new AccessGuard(deps);
    this.grants = new GrantAdmin(deps);
  }

  reidentify(principal: Principal, request: StaffReidentifyRequest) {
    return reidentifyForStaff(principal, request, this.#deps);
  }

  /**
   * The person's own grants and block, and the grants they can use now (live, with the identity
   * provider's group, MFA, not blocked): what the console shows and offers. Reads only; not recorded.
   */
  async me(
    principal: Principal,
  ): Promise<{ principal: Principal; grants: Grant[]; usable: Grant[]; blocked: Block | undefined }> {
    const [grants, usable, blocked] = await Promise.all([
      this.#deps.access.listGrants({ user: principal.subject }),
      this.#guard.usable(principal),
      this.#deps.access.getBlock(principal.subject),
    ]);
    return { principal, grants, usable, blocked };
  }

  /**
   * Audit records of the tenants the person reads for (DPO or administrator), filtered, oldest first:
   * at most `limit` of them, and whether more follow (ask again with `afterSeq` the last one's seq).
   */
  async records(
    principal: Principal,
    filter: AuditFilter,
    source: string,
    limit = Number.POSITIVE_INFINITY,
  ): Promise<Result<RecordsPage>> {
    const admitted = await this.#admitReader(principal, filter.tenant, source, 'records');
    if ('refused' in admitted) return admitted;
    return {
      ...(await page(this.#deps.audit.list(filter), admitted.visible, limit)),
      record: admitted.record,
    };
  }

  /** "What did this user do, and why?": their records, paged as {@link records} are. */
  async activity(
    principal: Principal,
    user: string,
    source: string,
    { afterSeq, limit = Number.POSITIVE_INFINITY }: { afterSeq?: number; limit?: number } = {},
  ): Promise<Result<RecordsPage>> {
    const admitted = await this.#admitReader(principal, undefined, source, 'activity', { subject: user });
    if ('refused' in admitted) return admitted;
    const records = this.#deps.audit.list({ actor: user, ...(afterSeq !== undefined && { afterSeq }) });
    return { ...(await page(records, admitted.visible, limit)), record: admitted.record };
  }

  /**
   * "Who has seen this citizen's data?" The lookup is a use of the citizen's data itself: it needs a
   * purpose, and it is recorded with the tokens it computed (never the values given).
   */
  async whoHasSeen(
    authority: Authority,
    query: CitizenQuery,
    options: { tenant?: string; purpose?: string },
  ): Promise<Result<{ tokens: CitizenToken[]; rows: SeenRow[]; record: AuditRecord }>> {
    const problem = purposeProblem(options.purpose);
    const attempt: Attempt = {
      source: authority.source,
      action: AuditAction.DPO_LOOKUP,
      tokens: [],
      ...(options.purpose !== undefined &&
        problem !== 'PURPOSE_HAS_PERSONAL_DATA' && { purpose: options.purpose }),
    };
    let tenants: string[];
    if ('principal' in authority) {
      const admission = await this.#guard.admit(authority.principal, Role.DPO, options.tenant, attempt);
      if ('denied' in admission) return { refused: admission.denied, record: admission.record };
      tenants = [...new Set(admission.granted.map((g) => g.tenant))].sort();
    } else {
      tenants = options.tenant !== undefined ? [options.tenant] : [...(await this.#deps.tenants())];
    }
    const tokens = await citizenTokens(query, tenants, this.#deps.tokenOf);
    const entry = { ...attempt, tenant: tenants.join(','), tokens: [...new Set(tokens.map((t) => t.token))] };
    if (problem) {
      const record =
        'principal' in authority
          ? await this.#guard.deny(authority.principal, entry.tenant, entry, problem)
          : await this.#deps.audit.append({
              ...entry,
              actor: authority.operator,
              outcome: 'denied',
              reason: problem,
            });
      return { refused: problem, record };
    }
    const actor = 'principal' in authority ? authority.principal.subject : authority.operator;
    const record = await this.#deps.audit.append({ ...entry, actor, outcome: 'granted' }, this.#guard.now);
    if ('principal' in authority) {
      // A lookup computes a citizen's tokens from their values: guessing CPR numbers this way must
      // raise the same alarms as re-identifying many tokens, or at night.
      await this.#guard.countUse(actor, entry.tokens.length);
    }
    const rows = await whoHasSeen(new Set(entry.tokens), this.#deps.audit.list());
    return { tokens, rows, record };
  }

  /** The half-yearly access review of the tenants the person reads for. */
  async accessReview(
    principal: Principal,
    source: string,
    tenant?: string,
  ): Promise<Result<{ rows: ReviewRow[]; record: AuditRecord }>> {
    const admitted = await this.#admitReader(principal, tenant, source, 'access-review');
    if ('refused' in admitted) return admitted;
    const grants = (await this.#deps.access.listGrants()).filter((g) => admitted.tenants.includes(g.tenant));
    return { rows: accessReview(grants, this.#guard.now), record: admitted.record };
  }

  /** The chain's check, for a DPO or administrator of any tenant (the chain is one for all tenants). */
  async verify(principal: Principal, source: string): Promise<Result<{ verdict: ChainVerdict }>> {
    const admission = await this.#guard.admit(principal, READERS, undefined, {
      source,
      action: AuditAction.AUDIT_READ,
      tokens: [],
      purpose: 'verify',
    });
    if ('denied' in admission) return { refused: admission.denied, record: admission.record };
    return { verdict: await this.#deps.audit.verify() };
  }

  /** Blocked users, for administrators: those who hold a grant in one of the administrator's tenants, or none. */
  async blocks(principal: Principal, source: string): Promise<Result<{ blocks: Block[] }>> {
    const admission = await this.#guard.admit(principal, Role.ADMIN, undefined, {
      source,
      action: AuditAction.AUDIT_READ,
      tokens: [],
      purpose: 'blocks',
    });
    if ('denied' in admission) return { refused: admission.denied, record: admission.record };
    const tenants = new Set(admission.granted.map((g) => g.tenant));
    const grants = await this.#deps.access.listGrants();
    const theirs = (user: string) => grants.filter((g) => g.user === user);
    const blocks = (await this.#deps.access.listBlocks()).filter(
      (b) => theirs(b.user).length === 0 || theirs(b.user).some((g) => tenants.has(g.tenant)),
    );
    return { blocks };
  }

  /**
   * Admits a DPO or administrator to read, and records the read. Records are visible when they
   * concern one of the reader's tenants, or a user who holds a grant in one of them (their blocks).
   */
  async #admitReader(
    principal: Principal,
    tenant: string | undefined,
    source: string,
    what: string,
    extra: Partial<Attempt> = {},
  ): Promise<Reader | Refusal> {
    const attempt: Attempt = { source, action: AuditAction.AUDIT_READ, tokens: [], purpose: what, ...extra };
    const admission = await this.#guard.admit(principal, READERS, tenant, attempt);
    if ('denied' in admission) return { refused: admission.denied, record: admission.record };
    const tenants = [...new Set(admission.granted.map((g) => g.tenant))].sort();
    const users = new Set(
      (await this.#deps.access.listGrants()).filter((g) => tenants.includes(g.tenant)).map((g) => g.user),
    );
    const record = await this.#deps.audit.append(
      { ...attempt, actor: principal.subject, tenant: tenants.join(','), outcome: 'granted' },
      this.#guard.now,
    );
    // A record naming tenants is visible only when one of them is the reader's; one naming none (a
    // refusal before any tenant was known, a block) when it concerns one of the reader's users.
    const visible = (r: AuditRecord) =>
      r.tenant === ''
        ? users.has(r.actor) || (r.subject !== undefined && users.has(r.subject))
        : r.tenant.split(',').some((t) => tenants.includes(t));
    return { tenants, visible, record };
  }
}

/** The service on a runtime's adapters: the Lambda handler, the local server and the CLI share it. */
export function staffServiceFor(runtime: StaffRuntime): StaffService {
  return new StaffService({
    ...reidentifyDepsOf(runtime),
    access: runtime.access,
    policy: runtime.accessPolicy,
    metrics: runtime.metrics,
    tokenOf: (tenant, kind, value) => runtime.pseudonymizer.tokenOf(tenant, kind, value),
  });
}

/** What re-identification needs of a runtime, for the staff API and the operator's CLI alike. */
export function reidentifyDepsOf(
  runtime: Pick<StaffRuntime, 'pseudonymizer' | 'vault' | 'audit' | 'knownTenants'>,
): ReidentifyDeps & { audit: AuditLog } {
  return {
    audit: runtime.audit,
    reveal: (tenant, token) => runtime.pseudonymizer.reveal(tenant, token),
    has: async (tenant, token) => (await runtime.vault.getToken(tenant, token, new Date())) !== undefined,
    tenants: () => runtime.knownTenants(),
  };
}
