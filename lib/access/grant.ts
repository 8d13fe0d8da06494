/** What a grant lets its user do, within one tenant. */
export const Role = {
  /** Turns tokens back into values, for a stated purpose. */
  REIDENTIFIER: 'reidentifier',
  /** The data protection officer: reads the audit log and its reports, verifies the chain. */
  DPO: 'dpo',
  /** Adds, revokes and re-attests grants; unblocks users. */
  ADMIN: 'admin',
} as const;
export type Role = (typeof Role)[keyof typeof Role];
export const ROLES: readonly Role[] = Object.values(Role);

export const isRole = (value: unknown): value is Role => ROLES.includes(value as Role);

/** An authorization: one user, one tenant, one role, until it expires or is revoked. */
export interface Grant {
  /** The user's subject id (the JWT's `sub`): a person, never a shared account. */
  user: string;
  tenant: string;
  role: Role;
  grantedBy: string;
  grantedAt: string;
  /** Last time someone confirmed the user still needs it (the grant itself counts as the first). */
  attestedBy: string;
  attestedAt: string;
  /** The grant stops working at this time unless re-attested before. */
  expiresAt: string;
  /** Last time the grant was used for a granted request. */
  lastUsedAt?: string;
}

/** Six months: the Danish practice is to review authorizations every half year. */
export const DEFAULT_GRANT_MONTHS = 6;

/** `from` plus whole calendar months, on the same day of the month (or the month's last day). */
export function addMonths(from: Date, months: number): Date {
  const d = new Date(from);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

/** An expiry that is not a date has expired: a damaged grant grants nothing. */
export const isExpired = (grant: Pick<Grant, 'expiresAt'>, now: Date) =>
  !(Date.parse(grant.expiresAt) > now.getTime());

/** The JWT group that says the identity provider, too, puts the user in this role for this tenant. */
export const groupFor = (tenant: string, role: Role) => `ticket-proxy:${tenant}:${role}`;

/** A user is blocked after repeated rejected attempts, until an administrator unblocks them. */
export interface Block {
  user: string;
  blockedAt: string;
  /** The rejected attempts that led to it, in the window. */
  denials: number;
  /** The last of them, as an audit record id. */
  lastRecordId: string;
}
