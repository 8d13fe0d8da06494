import type { AuditEntry, AuditLog, AuditRecord } from '../audit/audit-log.ts';
import { AuditAction } from '../audit/audit-log.ts';
import type { Principal } from '../auth/principal.ts';
import { AccessMetric, type AccessMetrics } from './access-metrics.ts';
import { type AccessPolicy, outsideWorkingHours } from './access-policy.ts';
import type { AccessStore } from './access-store.ts';
import { type Grant, groupFor, isExpired, Role } from './grant.ts';

/** Why a person was refused before anything was looked up, as stable codes. */
export const Denial = {
  /** Blocked after repeated rejected attempts, until an administrator unblocks them. */
  USER_BLOCKED: 'USER_BLOCKED',
  /** The token does not show a second factor (`amr` without `mfa`). */
  NO_MFA: 'NO_MFA',
  /** No grant of this role for this tenant (or, without a tenant, for any). */
  NO_GRANT: 'NO_GRANT',
  /** The grant ran out; an administrator must re-attest it. */
  GRANT_EXPIRED: 'GRANT_EXPIRED',
  /** The identity provider does not put the user in the role's group (`ticket-proxy:<tenant>:<role>`). */
  NO_GROUP: 'NO_GROUP',
} as const;
export type Denial = (typeof Denial)[keyof typeof Denial];

/** The system actor that blocks users. */
export const GUARD_ACTOR = 'system:access-guard';

export interface AccessGuardDeps {
  access: AccessStore;
  audit: Pick<AuditLog, 'append'>;
  policy: AccessPolicy;
  metrics: AccessMetrics;
  now?: () => Date;
}

/** What is being attempted, for the audit record; the guard adds actor, tenant and outcome. */
export type Attempt = Omit<AuditEntry, 'actor' | 'tenant' | 'outcome' | 'reason'>;

export type Admission = { granted: Grant[] } | { denied: Denial; record: AuditRecord };

/**
 * Decides whether a person may act in a role, and keeps the rules on refusals: every refusal is
 * recorded (one audit record), counted, and the attempt that reaches the policy's limit within its
 * window blocks the user, itself audited. A blocked user is refused whatever they ask.
 */
export class AccessGuard {
  readonly #deps: AccessGuardDeps;
  readonly #now: () => Date;

  constructor(deps: AccessGuardDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  get now(): Date {
    return this.#now();
  }

  /**
   * Admits the principal to a role (any of `roles`) in `tenant`, or, without a tenant, in every tenant
   * where they hold a live grant of it with its group. A refusal is recorded (one record) and counted
   * before this returns. An administrator's or DPO's admission counts as a use of their grants; a
   * re-identifier's grant is used only when a value is handed out (the caller marks it).
   */
  async admit(
    principal: Principal,
    roles: Role | readonly Role[],
    tenant: string | undefined,
    attempt: Attempt,
  ): Promise<Admission> {
    const wanted: readonly Role[] = typeof roles === 'string' ? [roles] : roles;
    const denied = async (reason: Denial) => ({
      denied: reason,
      record: await this.deny(principal, tenant ?? '', attempt, reason),
    });
    if (await this.#deps.access.getBlock(principal.subject)) return denied(Denial.USER_BLOCKED);
    if (!principal.mfa) return denied(Denial.NO_MFA);

    const now = this.#now();
    const grants = (await this.#deps.access.listGrants({ user: principal.subject })).filter(
      (g) => wanted.includes(g.role) && (tenant === undefined || g.tenant === tenant),
    );
    const live = grants.filter((g) => !isExpired(g, now));
    const admitted = withGroup(principal, live);
    if (admitted.length > 0) {
      for (const g of admitted) {
        if (g.role !== Role.REIDENTIFIER) await this.#deps.access.markUsed(g.user, g.tenant, g.role, now);
      }
      return { granted: admitted };
    }
    if (grants.length === 0) return denied(Denial.NO_GRANT);
    return denied(live.length === 0 ? Denial.GRANT_EXPIRED : Denial.NO_GROUP);
  }

  /**
   * The grants `admit` would admit the principal with, without recording anything: what the console
   * offers, so that it never sends a request that is sure to be refused (and counted).
   */
  async usable(principal: Principal): Promise<Grant[]> {
    const [grants, block] = await Promise.all([
      this.#deps.access.listGrants({ user: principal.subject }),
      this.#deps.access.getBlock(principal.subject),
    ]);
    if (block || !principal.mfa) return [];
    const now = this.#now();
    return withGroup(
      principal,
      grants.filter((g) => !isExpired(g, now)),
    );
  }

  /**
   * Counts tokens a person turned into values (or computed from values) in this clock hour, and
   * raises the alarms for too many in an hour and for use outside working hours.
   */
  async countUse(user: string, tokens: number): Promise<void> {
    const now = this.#now();
    const thisHour = await this.#deps.access.countTokens(user, now, tokens);
    if (thisHour > this.#deps.policy.maxTokensPerHour)
      this.#deps.metrics.count(AccessMetric.RATE_EXCEEDED, 1);
    if (outsideWorkingHours(this.#deps.policy, now)) this.#deps.metrics.count(AccessMetric.OUTSIDE_HOURS, 1);
  }

  /** Records a refusal (one audit record) and counts it; returns the record. */
  async deny(principal: Principal, tenant: string, attempt: Attempt, reason: string): Promise<AuditRecord> {
    const record = await this.#deps.audit.append(
      { ...attempt, actor: principal.subject, tenant, outcome: 'denied', reason },
      this.#now(),
    );
    await this.counted(principal.subject, record);
    return record;
  }

  /**
   * Counts a refusal already recorded (a re-identification that found no value) towards blocking,
   * and blocks the user when it reaches the limit. A blocked user's further refusals are not counted.
   */
  async counted(user: string, record: AuditRecord): Promise<void> {
    this.#deps.metrics.count(AccessMetric.REQUESTS_DENIED, 1);
    if (record.reason === Denial.USER_BLOCKED) return;
    const { maxDenials, denialWindowMinutes } = this.#deps.policy;
    const now = this.#now();
    const since = new Date(now.getTime() - denialWindowMinutes * 60_000);
    const denials = await this.#deps.access.recordDenial(user, now, since);
    if (denials < maxDenials) return;
    // Of refusals landing at once, only the one whose block is stored first records it. A block is
    // protective, so it is stored first; if its record then cannot be written, it is lifted again
    // (a block must not exist without its record) and the error goes to the caller.
    const blocked = await this.#deps.access.putBlock({
      user,
      blockedAt: now.toISOString(),
      denials,
      lastRecordId: record.id,
    });
    if (!blocked) return;
    try {
      await this.#deps.audit.append(
        {
          actor: GUARD_ACTOR,
          source: record.source,
          action: AuditAction.USER_BLOCK,
          tenant: '',
          tokens: [],
          subject: user,
          outcome: 'granted',
          reason: `${denials} rejected attempts in ${denialWindowMinutes} minutes, the last ${record.id}`,
        },
        now,
      );
    } catch (error) {
      await this.#deps.access.deleteBlock(user).catch(() => undefined);
      throw error;
    }
    this.#deps.metrics.count(AccessMetric.USER_BLOCKED, 1);
  }
}

/** The grants whose group the identity provider puts the principal in, too. */
const withGroup = (principal: Principal, grants: readonly Grant[]) =>
  grants.filter((g) => principal.groups.includes(groupFor(g.tenant, g.role)));
