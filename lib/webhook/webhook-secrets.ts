/** The shared secrets a tenant's servicedesk signs webhooks with (port). Several during a rotation. */
export interface WebhookSecrets {
  /** An empty list means the tenant has no webhook: every request for it is refused. */
  secretsFor(tenant: string): Promise<readonly string[]>;
}
