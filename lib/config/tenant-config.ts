import { z } from 'zod';
import { type RetentionConfig, retentionPolicySchema } from '../retention/retention-policy.ts';
import { adapterConfigSchema } from '../servicedesk/adapters.ts';
import { TENANT_PATTERN } from '../ticket/generic-ticket.ts';
import { parseJsonSetting } from './json-setting.ts';

/**
 * Where a secret is, never the secret itself: a Secrets Manager ARN in AWS, an environment variable
 * on the local server.
 */
export const secretRefSchema = z.union([
  z.strictObject({
    secretArn: z
      .string()
      .regex(
        /^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:.+$/,
        'must be a Secrets Manager secret ARN',
      ),
  }),
  z.strictObject({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name') }),
]);
export type SecretRef = z.infer<typeof secretRefSchema>;

const writeBackSchema = z.discriminatedUnion('type', [
  /** Developers' replies are posted to the servicedesk as a signed generic webhook (CONTRACTS.md §4's scheme). */
  z.strictObject({
    type: z.literal('signed-webhook'),
    url: z.url({ protocol: /^https?$/ }),
    secret: secretRefSchema,
  }),
  /** Developers' replies become public comments on the Jira Service Management request. */
  z.strictObject({
    type: z.literal('jsm'),
    baseUrl: z.url({ protocol: /^https?$/ }),
    email: z.string().min(1),
    apiToken: secretRefSchema,
  }),
  /** Locally: replies are kept in the data directory, readable at `GET /replies`. */
  z.strictObject({ type: z.literal('local') }),
]);
export type WriteBackConfig = z.infer<typeof writeBackSchema>;

/** One tenant (municipality): its servicedesk, its Jira project, its retention and its way back. */
export const tenantConfigSchema = z.strictObject({
  servicedesk: adapterConfigSchema.default({ type: 'generic' }),
  /** The secret its servicedesk signs webhooks with. @default the stack's generated secret, or the local one */
  webhookSecret: secretRefSchema.optional(),
  jira: z
    .strictObject({
      /** @default the Jira connection's project */
      projectKey: z
        .string()
        .regex(/^[A-Z][A-Z0-9_]{1,9}$/, 'must be a Jira project key such as DEV')
        .optional(),
      issueType: z.string().min(1).max(64).optional(),
      /** A date custom field (`customfield_10050`) that shows the retention expiry. */
      retentionDateField: z
        .string()
        .regex(/^customfield_\d{1,10}$/, 'must be a custom field id such as customfield_10050')
        .optional(),
      /** Internal servicedesk comments go to Jira too. @default false */
      includeInternalComments: z.boolean().default(false),
    })
    .default({ includeInternalComments: false }),
  /** A link back to the servicedesk ticket, with `{id}` where its id goes. */
  ticketUrl: z
    .url({ protocol: /^https$/ })
    .refine((u) => u.includes('%7Bid%7D') || u.includes('{id}'), 'must contain {id}')
    .optional(),
  /** Overrides of the default retention policy, field by field. */
  retention: retentionPolicySchema.partial().optional(),
  writeBack: writeBackSchema.optional(),
});
export type TenantConfig = z.infer<typeof tenantConfigSchema>;

export const tenantsConfigSchema = z.record(z.string().regex(TENANT_PATTERN), tenantConfigSchema);
export type TenantsConfig = z.infer<typeof tenantsConfigSchema>;

/**
 * Tenants by name. `fallback` answers for tenants the file does not name (the local server serves
 * any tenant on the generic adapter); in AWS there is none and an unknown tenant is refused.
 */
export class Tenants {
  readonly #configs: TenantsConfig;
  readonly #fallback: TenantConfig | undefined;

  constructor(configs: TenantsConfig, fallback?: TenantConfig) {
    this.#configs = configs;
    this.#fallback = fallback;
  }

  /**
   * Parses the JSON form (a file's content, an environment variable).
   * @throws ConfigError naming every wrong setting by its path, e.g. `ballerup.jira.projectKey`.
   */
  static fromJson(json: string, source: string, fallback?: TenantConfig): Tenants {
    const configs = parseJsonSetting(
      json,
      source,
      tenantsConfigSchema,
      'a valid tenant configuration',
      (i) => (i.code === 'invalid_key' ? 'tenant names are 1-64 characters of a-z, 0-9 and -' : i.message),
    );
    return new Tenants(configs, fallback);
  }

  configFor(tenant: string): TenantConfig | undefined {
    if (!TENANT_PATTERN.test(tenant)) return undefined;
    return Object.hasOwn(this.#configs, tenant) ? this.#configs[tenant] : this.#fallback;
  }

  names(): string[] {
    return Object.keys(this.#configs);
  }

  /** The tenants' retention overrides on top of a base configuration. */
  retention(base: RetentionConfig): RetentionConfig {
    const tenants = { ...base.tenants };
    for (const [name, config] of Object.entries(this.#configs)) {
      if (config.retention) tenants[name] = { ...tenants[name], ...config.retention };
    }
    return { ...base, tenants };
  }
}

/** The configuration a tenant gets when nothing is said: generic webhooks, no write-back. */
export const defaultTenantConfig = (): TenantConfig => tenantConfigSchema.parse({});
