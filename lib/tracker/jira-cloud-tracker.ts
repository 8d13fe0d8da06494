import { createCloudClient } from 'jira.js';
import { z } from 'zod';
import { ConfigError, DependencyError, ErrorCode } from '../errors.ts';
import type { GenericTicket } from '../ticket/generic-ticket.ts';
import { textToAdf } from './adf.ts';
import type { DeliveryReceipt, TicketTracker } from './ticket-tracker.ts';

export const jiraConfigSchema = z.strictObject({
  baseUrl: z.url(),
  email: z.string().min(1),
  apiToken: z.string().min(1),
  projectKey: z.string().regex(/^[A-Z][A-Z0-9_]{1,9}$/, 'must be a Jira project key such as DEV'),
  /** @default 'Task' */
  issueType: z.string().min(1).default('Task'),
});
export type JiraConfig = z.input<typeof jiraConfigSchema>;

const JIRA_ENV = {
  baseUrl: 'JIRA_BASE_URL',
  email: 'JIRA_EMAIL',
  apiToken: 'JIRA_API_TOKEN',
  projectKey: 'JIRA_PROJECT_KEY',
} as const;

/**
 * Jira settings from `JIRA_*` environment variables: undefined when none is set (use the outbox),
 * a ConfigError naming what is missing or wrong when only some are.
 */
export function jiraConfigFromEnv(env: NodeJS.ProcessEnv): JiraConfig | undefined {
  const values = Object.fromEntries(
    Object.entries(JIRA_ENV).map(([key, name]) => [key, env[name] || undefined]),
  );
  if (Object.values(values).every((v) => v === undefined)) return undefined;
  const missing = Object.entries(JIRA_ENV).filter(([key]) => values[key] === undefined);
  if (missing.length > 0) {
    throw new ConfigError(
      `set all of the JIRA_* variables or none: ${missing.map(([, n]) => n).join(', ')} missing`,
    );
  }
  const parsed = jiraConfigSchema.safeParse({ ...values, issueType: env.JIRA_ISSUE_TYPE || undefined });
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${JIRA_ENV[i.path[0] as keyof typeof JIRA_ENV]} ${i.message}`,
    );
    throw new ConfigError(`Jira settings are invalid: ${problems.join('; ')}`);
  }
  return parsed.data;
}

const SUMMARY_LIMIT = 255;

/** Jira Cloud (REST API v3, ADF) through jira.js. */
export class JiraCloudTracker implements TicketTracker {
  readonly #client: ReturnType<typeof createCloudClient>;
  readonly #config: z.output<typeof jiraConfigSchema>;

  constructor(config: JiraConfig) {
    this.#config = jiraConfigSchema.parse(config);
    this.#client = createCloudClient({
      host: this.#config.baseUrl,
      auth: { type: 'basic', email: this.#config.email, apiToken: this.#config.apiToken },
    });
  }

  async deliver(ticket: GenericTicket): Promise<DeliveryReceipt> {
    try {
      const issue = await this.#client.issues.createIssue({
        fields: {
          project: { key: this.#config.projectKey },
          issuetype: { name: this.#config.issueType },
          // One space per line break: collapsing runs of spaces could join what detection saw as apart.
          summary: ticket.summary
            .replace(/[\r\n\t]/g, ' ')
            .trim()
            .slice(0, SUMMARY_LIMIT),
          description: textToAdf(
            `${ticket.description}\n\nServicedesk ticket ${ticket.id} (${ticket.tenant})`,
          ),
          labels: [
            ...new Set(['ticket-proxy', `tenant-${ticket.tenant}`, ...(ticket.labels ?? []).map(toLabel)]),
          ],
        },
        properties: [{ key: 'ticket-proxy', value: { tenant: ticket.tenant, ticketId: ticket.id } }],
      });
      for (const comment of ticket.comments ?? []) {
        if (comment.internal) continue;
        const author = comment.author?.name ?? comment.author?.email ?? 'servicedesk';
        await this.#client.issueComments.addComment({
          issueIdOrKey: issue.key,
          body: textToAdf(`${author}:\n${comment.body}`),
        });
      }
      return { issueKey: issue.key };
    } catch (error) {
      throw new DependencyError(ErrorCode.TRACKER_UNAVAILABLE, 'Jira did not accept the issue', error);
    }
  }
}

/** Jira labels cannot hold spaces. */
const toLabel = (label: string) => label.trim().replace(/\s+/g, '_').slice(0, 255);
