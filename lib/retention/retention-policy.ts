import { z } from 'zod';
import { parseJsonSetting } from '../config/json-setting.ts';
import type { GenericTicket } from '../ticket/generic-ticket.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export const retentionPolicySchema = z.strictObject({
  /** Days a closed ticket's personal data is kept after it closed. */
  afterCloseDays: z.number().int().min(1).max(3650),
  /** Days a ticket that never closes is kept after it was created. */
  maxAgeDays: z.number().int().min(1).max(3650),
});
export type RetentionPolicy = z.infer<typeof retentionPolicySchema>;

export const DEFAULT_RETENTION: RetentionPolicy = { afterCloseDays: 90, maxAgeDays: 365 };

/** A default and per-tenant overrides, e.g. `{"default":{"afterCloseDays":90,"maxAgeDays":365},"tenants":{"egedal":{"afterCloseDays":30}}}`. */
export const retentionConfigSchema = z.strictObject({
  default: retentionPolicySchema.default(DEFAULT_RETENTION),
  tenants: z.record(z.string().regex(/^[a-z0-9-]{1,64}$/), retentionPolicySchema.partial()).default({}),
});
export type RetentionConfig = z.infer<typeof retentionConfigSchema>;

/**
 * Retention as data: every ticket's personal data expires, whatever happens to the ticket.
 * Policies come per tenant, falling back to the default field by field.
 */
export class Retention {
  readonly #config: RetentionConfig;

  constructor(config: RetentionConfig = retentionConfigSchema.parse({})) {
    this.#config = config;
  }

  /** Parses the JSON form (an environment variable, a CDK context value); `undefined` gives the default. */
  static fromJson(json: string | undefined, source: string): Retention {
    if (json === undefined || json.trim() === '') return new Retention();
    return new Retention(parseJsonSetting(json, source, retentionConfigSchema, 'a valid retention policy'));
  }

  get config(): RetentionConfig {
    return this.#config;
  }

  policyFor(tenant: string): RetentionPolicy {
    return { ...this.#config.default, ...this.#config.tenants[tenant] };
  }

  /**
   * When a ticket's personal data must be gone: `afterCloseDays` after it closed, or `maxAgeDays`
   * after it was created (or first seen) if it is still open.
   */
  expiryOf(ticket: Pick<GenericTicket, 'tenant' | 'created' | 'closedAt'>, now: Date): Date {
    const policy = this.policyFor(ticket.tenant);
    // Times in the future are not believed: they would stretch retention at the sender's will.
    if (ticket.closedAt) {
      return new Date(Math.min(Date.parse(ticket.closedAt), now.getTime()) + policy.afterCloseDays * DAY_MS);
    }
    const created = ticket.created ? Math.min(Date.parse(ticket.created), now.getTime()) : now.getTime();
    return new Date(created + policy.maxAgeDays * DAY_MS);
  }

  toJson(): string {
    return JSON.stringify(this.#config);
  }
}
