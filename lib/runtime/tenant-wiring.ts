import type { SecretRef, TenantConfig, Tenants } from '../config/tenant-config.ts';
import { JsmReplies } from '../servicedesk/jsm-replies.ts';
import type { ServicedeskReplies } from '../servicedesk/servicedesk-replies.ts';
import { SignedWebhookReplies } from '../servicedesk/signed-webhook-replies.ts';
import type { JiraConfig } from '../tracker/jira-cloud-tracker.ts';

/** The global Jira connection with a tenant's project, issue type and retention field. */
export function jiraConfigFor(jira: JiraConfig, tenant: TenantConfig | undefined): JiraConfig {
  return {
    ...jira,
    ...(tenant?.jira.projectKey && { projectKey: tenant.jira.projectKey }),
    ...(tenant?.jira.issueType && { issueType: tenant.jira.issueType }),
    ...(tenant?.jira.retentionDateField && { retentionDateField: tenant.jira.retentionDateField }),
  };
}

/**
 * Each tenant's way back to its servicedesk, built on first use. Secrets are read when a reply is
 * posted, so a rotated secret is picked up without a restart.
 */
export function repliesOf(
  tenants: Tenants,
  secret: (ref: SecretRef) => Promise<string>,
  local?: ServicedeskReplies,
): (tenant: string) => ServicedeskReplies | undefined {
  const built = new Map<string, ServicedeskReplies | undefined>();
  return (tenant) => {
    if (built.has(tenant)) return built.get(tenant);
    const config = tenants.configFor(tenant)?.writeBack;
    let replies: ServicedeskReplies | undefined;
    if (config?.type === 'signed-webhook') {
      replies = new SignedWebhookReplies({ url: config.url, secret: () => secret(config.secret) });
    } else if (config?.type === 'jsm') {
      replies = withSecret(
        () => secret(config.apiToken),
        (apiToken) => new JsmReplies({ baseUrl: config.baseUrl, email: config.email, apiToken }),
      );
    } else if (config?.type === 'local') {
      replies = local;
    }
    built.set(tenant, replies);
    return replies;
  };
}

/** Replies built from a secret when first posted, and built again when the secret changes. */
function withSecret(
  read: () => Promise<string>,
  build: (secret: string) => ServicedeskReplies,
): ServicedeskReplies {
  let current: { secret: string; replies: ServicedeskReplies } | undefined;
  return {
    post: async (reply) => {
      const value = await read();
      if (current?.secret !== value) current = { secret: value, replies: build(value) };
      return current.replies.post(reply);
    },
  };
}
