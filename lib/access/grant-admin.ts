import { AuditAction, type AuditRecord } from '../audit/audit-log.ts';
import type { Principal } from '../auth/principal.ts';
import { TENANT_PATTERN } from '../ticket/ticket-limits.ts';
import { AccessGuard, type AccessGuardDeps, type Attempt, type Denial } from './access-guard.ts';
import { addMonths, DEFAULT_GRANT_MONTHS, type Grant, isRole, Role } from './grant.ts';

/**
 * Who changes grants: a person through the API (checked by the guard: an administrator of the
 * tenant), or the operator at the command line, whose authority is the data directory itself
 * (CONTRACTS.md §3), so no grant is checked but every change is still recorded.
 */
export type Authority = { principal: Principal; source: string } | { operator: string; source: 'cli' };

export type GrantChange =
  | { outcome: 'done'; record: AuditRecord; grant?: Grant }
  | { outcome: 'refused'; reason: Denial | GrantRefusal; record?: AuditRecord }
  /** Nothing to change (no such grant, user not blocked); nothing was recorded. */
  | { outcome: 'not-found' };

/** Requests that are refused whoever makes them, as stable codes. */
export const GrantRefusal = {
  /** No one grants, re-attests or unblocks for themselves: four eyes. */
  OWN_ACCESS: 'OWN_ACCESS',
  /** The expiry is in the past or more than a year ahead. */
  BAD_EXPIRY: 'BAD_EXPIRY',
} as const;
export type GrantRefusal = (typeof GrantRefusal)[keyof typeof GrantRefusal];

/** The longest a grant may run before it must be re-attested. */
export const MAX_GRANT_MONTHS = 12;

export interface GrantInput {
  user: string;
  tenant: string;
  role: Role;
}

/** @returns a message naming what is wrong, or undefined when the input is usable */
export function checkGrantInput(input: Partial<Record<keyof GrantInput, unknown>>): string | undefined {
  if (
    typeof input.user !== 'string' ||
    !input.user.trim() ||
    input.user.length > 256 ||
    /\p{Cc}/u.test(input.user)
  ) {
    return 'user must be a subject id (the sub claim of the user’s login), up to 256 characters';
  }
  if (typeof input.tenant !== 'string' || !TENANT_PATTERN.test(input.tenant)) {
    return 'tenant must be 1-64 characters of a-z, 0-9 and -';
  }
  if (!isRole(input.role)) return `role must be one of ${Object.values(Role).join(', ')}`;
  return undefined;
}

/**
 * Adds, revokes and re-attests grants and lifts blocks. Each change is recorded in the audit log
 * before it is made: a change without its record must never exist, while a record whose change
 * failed is followed by the caller's retry (the changes are idempotent).
 */
export class GrantAdmin {
  readonly #deps: AccessGuardDeps;
  readonly #guard: AccessGuard;

  constructor(deps: AccessGuardDeps) {
    this.#deps = deps;
    this.#guard = new AccessGuard(deps);
  }

  async add(authority: Authority, input: GrantInput & { expiresAt?: Date }): Promise<GrantChange> {
    const now = this.#guard.now;
    const expiresAt = input.expiresAt ?? addMonths(now, DEFAULT_GRANT_MONTHS);
    // Written so that an invalid date is refused too.
    const valid = expiresAt.getTime() > now.getTime() && !(expiresAt > addMonths(now, MAX_GRANT_MONTHS));
    // The expiry asked for is recorded even when refused, if it is a date at all.
    const asked = Number.isNaN(expiresAt.getTime()) ? undefined : expiresAt;
    const attempt = this.#attempt(authority, AuditAction.GRANT_ADD, input, asked);
    const refused = await this.#check(authority, input.tenant, input.user, attempt);
    if (refused) return refused;
    if (!valid) return this.#refuse(authority, input.tenant, attempt, GrantRefusal.BAD_EXPIRY);
    const record = await this.#record(authority, input.tenant, attempt);
    const existing = await this.#deps.access.getGrant(input.user, input.tenant, input.role);
    const grant: Grant = {
      ...input,
      grantedBy: record.actor,
      grantedAt: record.time,
      attestedBy: record.actor,
      attestedAt: record.time,
      expiresAt: expiresAt.toISOString(),
      ...(existing?.lastUsedAt && { lastUsedAt: existing.lastUsedAt }),
    };
    await this.#deps.access.putGrant(grant);
    return { outcome: 'done', record, grant };
  }

  async revoke(authority: Authority, input: GrantInput): Promise<GrantChange> {
    const attempt = this.#attempt(authority, AuditAction.GRANT_REVOKE, input);
    // Revoking one's own grant is allowed: giving up access needs no second pair of eyes.
    const refused = await this.#check(authority, input.tenant, undefined, attempt);
    if (refused) return refused;
    if (!(await this.#deps.access.getGrant(input.user, input.tenant, input.role)))
      return { outcome: 'not-found' };
    const record = await this.#record(authority, input.tenant, attempt);
    await this.#deps.access.deleteGrant(input.user, input.tenant, input.role);
    return { outcome: 'done', record };
  }

  /** Confirms the user still needs the grant: it runs another six months (or `months`) from now. */
  async reattest(authority: Authority, input: GrantInput & { months?: number }): Promise<GrantChange> {
    const now = this.#guard.now;
    const months = input.months ?? DEFAULT_GRANT_MONTHS;
    const valid = Number.isInteger(months) && months >= 1 && months <= MAX_GRANT_MONTHS;
    const expiresAt = addMonths(now, valid ? months : DEFAULT_GRANT_MONTHS);
    const attempt = this.#attempt(
      authority,
      AuditAction.GRANT_REATTEST,
      input,
      valid ? expiresAt : undefined,
    );
    const refused = await this.#check(authority, input.tenant, input.user, attempt);
    if (refused) return refused;
    if (!valid) return this.#refuse(authority, input.tenant, attempt, GrantRefusal.BAD_EXPIRY);
    const existing = await this.#deps.access.getGrant(input.user, input.tenant, input.role);
    if (!existing) return { outcome: 'not-found' };
    const record = await this.#record(authority, input.tenant, attempt);
    const grant: Grant = {
      ...existing,
      attestedBy: record.actor,
      attestedAt: record.time,
      expiresAt: expiresAt.toISOString(),
    };
    await this.#deps.access.putGrant(grant);
    return { outcome: 'done', record, grant };
  }

  /**
   * Lifts a block. A person needs an administrator grant in a tenant where the blocked user holds a
   * grant, or any administrator grant when the user holds none (a user blocked before being granted
   * anything belongs to no tenant).
   */
  async unblock(authority: Authority, user: string): Promise<GrantChange> {
    const attempt: Attempt = {
      source: authority.source,
      action: AuditAction.USER_UNBLOCK,
      tokens: [],
      subject: user,
    };
    let tenant = '';
    if ('principal' in authority) {
      const theirs = new Set((await this.#deps.access.listGrants({ user })).map((g) => g.tenant));
      const admission = await this.#guard.admit(authority.principal, Role.ADMIN, undefined, attempt);
      if ('denied' in admission)
        return { outcome: 'refused', reason: admission.denied, record: admission.record };
      const admin = admission.granted.find((g) => theirs.size === 0 || theirs.has(g.tenant));
      if (!admin) return this.#refuse(authority, '', attempt, 'NO_GRANT' satisfies Denial);
      if (user === authority.principal.subject)
        return this.#refuse(authority, admin.tenant, attempt, GrantRefusal.OWN_ACCESS);
      tenant = admin.tenant;
    }
    if (!(await this.#deps.access.getBlock(user))) return { outcome: 'not-found' };
    const record = await this.#record(authority, tenant, attempt);
    await this.#deps.access.deleteBlock(user);
    return { outcome: 'done', record };
  }

  #attempt(authority: Authority, action: AuditAction, input: GrantInput, expiresAt?: Date): Attempt {
    return {
      source: authority.source,
      action,
      tokens: [],
      subject: input.user,
      role: input.role,
      ...(expiresAt && { expiresAt: expiresAt.toISOString() }),
    };
  }

  /** A person must be an administrator of the tenant, and not change their own access. */
  async #check(
    authority: Authority,
    tenant: string,
    ownUser: string | undefined,
    attempt: Attempt,
  ): Promise<GrantChange | undefined> {
    if (!('principal' in authority)) return undefined;
    const admission = await this.#guard.admit(authority.principal, Role.ADMIN, tenant, attempt);
    if ('denied' in admission)
      return { outcome: 'refused', reason: admission.denied, record: admission.record };
    if (ownUser === authority.principal.subject)
      return this.#refuse(authority, tenant, attempt, GrantRefusal.OWN_ACCESS);
    return undefined;
  }

  async #refuse(
    authority: Authority,
    tenant: string,
    attempt: Attempt,
    reason: Denial | GrantRefusal,
  ): Promise<GrantChange> {
    const record =
      'principal' in authority
        ? await this.#guard.deny(authority.principal, tenant, attempt, reason)
        : await this.#deps.audit.append(
            {
              ...attempt,
              actor: authority.operator,
              tenant,
              outcome: 'denied',
              reason,
            },
            this.#guard.now,
          );
    return { outcome: 'refused', reason, record };
  }

  #record(authority: Authority, tenant: string, attempt: Attempt): Promise<AuditRecord> {
    const actor = 'principal' in authority ? authority.principal.subject : authority.operator;
    return this.#deps.audit.append({ ...attempt, actor, tenant, outcome: 'granted' }, this.#guard.now);
  }
}
