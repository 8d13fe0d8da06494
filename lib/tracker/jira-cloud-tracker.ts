import { createHash } from 'node:crypto';
import { createCloudClient } from 'jira.js';
import { z } from 'zod';
import type { AdfDocument, AdfNode } from '../document/adf.ts';
import {
  ConfigError,
  DependencyError,
  ErrorCode,
  TicketProxyError,
  TrackerRejectedError,
} from '../errors.ts';
import {
  classifyJiraFailure,
  classifyUnrepeatableJiraFailure,
  createJiraTransport,
  JiraHttpError,
  JiraNetworkError,
} from './jira-transport.ts';
import { RetriesExhaustedError, type RetryPolicy, type RetryVerdict, retry } from './retry.ts';
import {
  type IssueAttachment,
  type IssueComment,
  type IssueContent,
  IssueCreatedError,
  IssueNotCreatedError,
  type IssueSource,
  type TicketTracker,
} from './ticket-tracker.ts';

export const jiraConfigSchema = z.strictObject({
  baseUrl: z.url(),
  email: z.string().min(1),
  apiToken: z.string().min(1),
  projectKey: z.string().regex(/^[A-Z][A-Z0-9_]{1,9}$/, 'must be a Jira project key such as DEV'),
  /** @default 'Task' */
  issueType: z.string().min(1).default('Task'),
  /** A date field set to the day the ticket's personal data is deleted, e.g. `customfield_10050`. */
  retentionDateField: z
    .string()
    .regex(/^customfield_\d+$/, 'must be a custom field id such as customfield_10050')
    .optional(),
});
export type JiraConfig = z.input<typeof jiraConfigSchema>;

const JIRA_ENV = {
  baseUrl: 'JIRA_BASE_URL',
  email: 'JIRA_EMAIL',
  apiToken: 'JIRA_API_TOKEN',
  projectKey: 'JIRA_PROJECT_KEY',
} as const;
const OPTIONAL_JIRA_ENV = {
  issueType: 'JIRA_ISSUE_TYPE',
  retentionDateField: 'JIRA_RETENTION_DATE_FIELD',
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
  const optional = Object.fromEntries(
    Object.entries(OPTIONAL_JIRA_ENV).map(([key, name]) => [key, env[name] || undefined]),
  );
  const parsed = jiraConfigSchema.safeParse({ ...values, ...optional });
  if (!parsed.success) {
    const names: Record<string, string> = { ...JIRA_ENV, ...OPTIONAL_JIRA_ENV };
    const problems = parsed.error.issues.map((i) => `${names[String(i.path[0])]} ${i.message}`);
    throw new ConfigError(`Jira settings are invalid: ${problems.join('; ')}`);
  }
  return parsed.data;
}

export interface JiraCloudTrackerOptions {
  /** Attempts and waiting budget per call; see {@link RetryPolicy} for the defaults (4 attempts, 20 s). */
  retry?: Partial<RetryPolicy>;
  /** Per HTTP request. @default 10_000 */
  requestTimeoutMs?: number;
  /** Waits between attempts; tests pass one that records instead of waiting. */
  sleep?: (ms: number) => Promise<void>;
}

/** The issue and comment property the proxy keeps its bookkeeping in. */
export const PROPERTY_KEY = 'ticket-proxy';
const SUMMARY_LIMIT = 255;
const LABEL_LIMIT = 255;
const FILENAME_LIMIT = 255;
const COMMENT_PAGE = 100;

/** What the issue property `ticket-proxy` holds. */
export interface IssueBookkeeping {
  tenant: string;
  ticketId: string;
  /** ISO-8601. */
  expiresAt: string;
  /** The servicedesk's labels as last set by the proxy: an update removes those the servicedesk dropped. */
  labels: string[];
}

/**
 * Jira Cloud (REST API v3, ADF) through jira.js. Every call is retried on 408, 429, 5xx and network
 * failures within the retry policy, then fails with DependencyError TRACKER_UNAVAILABLE; any other 4xx
 * fails at once with TrackerRejectedError. The one exception is the request that creates an issue,
 * which is repeated only after a failure that proves nothing was created (see
 * {@link classifyUnrepeatableJiraFailure}). Error messages name the operation and the status, never
 * what Jira answered.
 */
export class JiraCloudTracker implements TicketTracker {
  readonly #jira: ReturnType<typeof createCloudClient>;
  readonly #config: z.output<typeof jiraConfigSchema>;
  readonly #retry: Partial<RetryPolicy>;
  readonly #sleep: ((ms: number) => Promise<void>) | undefined;
  #accountId: Promise<string> | undefined;

  constructor(config: JiraConfig, options: JiraCloudTrackerOptions = {}) {
    this.#config = jiraConfigSchema.parse(config);
    this.#jira = createCloudClient(
      createJiraTransport({
        baseUrl: this.#config.baseUrl,
        email: this.#config.email,
        apiToken: this.#config.apiToken,
        requestTimeoutMs: options.requestTimeoutMs,
      }),
    );
    this.#retry = options.retry ?? {};
    this.#sleep = options.sleep;
  }

  findIssue(source: IssueSource): Promise<string | undefined> {
    return this.#call('find the issue', () => this.#search(source));
  }

  /**
   * Creates the issue. The create request is repeated only when the failure proves that Jira did not
   * carry it out (a 429, no connection). After any other failure (a timeout, a reset, a 5xx) Jira
   * may have created the issue, and its search may not show it for minutes, so searching and creating
   * again here could make a second issue: the call fails at once with DependencyError
   * TRACKER_UNAVAILABLE, and the job decides when to look again (lib/sync/sync-ticket.ts).
   */
  async createIssue(content: IssueContent): Promise<{ issueKey: string }> {
    const create = async () => {
      const created = await this.#jira.issues.createIssue({
        fields: {
          project: { key: this.#config.projectKey },
          issuetype: { name: this.#config.issueType },
          ...this.#contentFields({ ...content, description: content.description ?? EMPTY_DOCUMENT }),
          labels: managedLabels(content),
        },
        properties: [{ key: PROPERTY_KEY, value: bookkeeping(content) }],
      });
      return created.key;
    };
    let issueKey: string;
    try {
      issueKey = await retry(create, {
        policy: this.#retry,
        classify: classifyUnrepeatableJiraFailure,
        sleep: this.#sleep,
      });
    } catch (error) {
      const failure = trackerError('create the issue', error);
      // Retries run out only after failures each proving nothing was made (a 429, no connection);
      // a 4xx but 408 refuses the request itself. Anything else may have created the issue.
      const refused = error instanceof JiraHttpError && error.status >= 400 && error.status < 500;
      throw error instanceof RetriesExhaustedError || (refused && error.status !== 408)
        ? new IssueNotCreatedError(failure)
        : failure;
    }
    await this.#linkBack(issueKey, content.source).catch((error: unknown) => {
      throw new IssueCreatedError(issueKey, error);
    });
    return { issueKey };
  }

  async updateIssue(issueKey: string, content: IssueContent): Promise<void> {
    await this.#call('update the issue', async () => {
      const issue = await this.#jira.issues.getIssue({
        issueIdOrKey: encodeURIComponent(issueKey),
        fields: ['labels'],
        properties: [PROPERTY_KEY],
      });
      const current = stringArray(issue.fields?.labels);
      const previous = stringArray((issue.properties?.[PROPERTY_KEY] as Partial<IssueBookkeeping>)?.labels);
      const update = content.labelsOmitted
        ? { ...content, labels: [...content.labels, ...previous] }
        : content;
      const wanted = managedLabels(update);
      // Only what the proxy put there goes: labels developers added stay.
      const remove = current.filter(
        (label) => (isRetentionLabel(label) || previous.includes(label)) && !wanted.includes(label),
      );
      const add = wanted.filter((label) => !current.includes(label));
      const labelOperations = [...remove.map((l) => ({ remove: l })), ...add.map((l) => ({ add: l }))];
      await this.#jira.issues.editIssue({
        issueIdOrKey: encodeURIComponent(issueKey),
        fields: this.#contentFields(update),
        ...(labelOperations.length > 0 ? { update: { labels: labelOperations } } : {}),
        properties: [{ key: PROPERTY_KEY, value: bookkeeping(update) }],
      });
    });
    await this.#linkBack(issueKey, content.source);
  }

  async syncedItems(issueKey: string): Promise<{ comments: Set<string>; attachments: Set<string> }> {
    return this.#call('read the synced comments and attachments', async () => ({
      comments: await this.#syncedComments(issueKey),
      attachments: await this.#syncedAttachments(issueKey),
    }));
  }

  async addComment(issueKey: string, comment: IssueComment): Promise<void> {
    await this.#call('add a comment', async (attempt) => {
      if (attempt > 1 && (await this.#syncedComments(issueKey)).has(comment.sourceId)) return;
      await this.#jira.issueComments.addComment({
        issueIdOrKey: encodeURIComponent(issueKey),
        body: comment.body,
        // Set with the comment, not after it: a crash cannot leave a comment the sync does not recognise.
        properties: [{ key: PROPERTY_KEY, value: { sourceId: comment.sourceId } }],
      });
    });
  }

  async addAttachment(issueKey: string, attachment: IssueAttachment): Promise<void> {
    await this.#call('add an attachment', async (attempt) => {
      if (attempt > 1 && (await this.#syncedAttachments(issueKey)).has(attachment.sourceId)) return;
      await this.#jira.issueAttachments.addAttachment({
        issueIdOrKey: encodeURIComponent(issueKey),
        attachments: {
          filename: attachmentFilename(attachment.sourceId, attachment.filename),
          content: new Blob([new Uint8Array(attachment.content)], { type: attachment.mimeType }),
        },
      });
    });
  }

  /** The proxy's own Jira account, so the write-back can skip comments the proxy wrote. Cached. */
  ownAccountId(): Promise<string> {
    this.#accountId ??= this.#call('read its own account', async () => {
      const me = await this.#jira.myself.getCurrentUser();
      if (!me.accountId) throw new DependencyError(ErrorCode.TRACKER_UNAVAILABLE, 'Jira named no account id');
      return me.accountId;
    }).catch((error: unknown) => {
      this.#accountId = undefined;
      throw error;
    });
    return this.#accountId;
  }

  async #search(source: IssueSource): Promise<string | undefined> {
    // No project clause: an issue a developer moved to another project is still the ticket's issue.
    const result = await this.#jira.issueSearch.searchAndReconsileIssuesUsingJql({
      jql: `labels = "${markerLabel(source)}" ORDER BY created ASC`,
      fields: ['labels'],
      properties: [PROPERTY_KEY],
      maxResults: 10,
    });
    // The property confirms the label: a label can be copied by hand, a hash prefix can collide.
    const match = (result.issues ?? []).find((issue) => {
      const kept = issue.properties?.[PROPERTY_KEY] as Partial<IssueBookkeeping> | undefined;
      return kept?.tenant === source.tenant && kept.ticketId === source.ticketId;
    });
    return match?.key;
  }

  async #syncedComments(issueKey: string): Promise<Set<string>> {
    const ids = new Set<string>();
    for (let startAt = 0; ; ) {
      const page = await this.#jira.issueComments.getComments({
        issueIdOrKey: encodeURIComponent(issueKey),
        startAt,
        maxResults: COMMENT_PAGE,
        expand: 'properties',
      });
      const comments = page.comments ?? [];
      for (const comment of comments) {
        const kept = comment.properties?.find((p) => p.key === PROPERTY_KEY)?.value as
          | { sourceId?: unknown }
          | undefined;
        if (typeof kept?.sourceId === 'string') ids.add(kept.sourceId);
      }
      startAt += comments.length;
      if (comments.length === 0 || startAt >= (page.total ?? 0)) return ids;
    }
  }

  async #syncedAttachments(issueKey: string): Promise<Set<string>> {
    const issue = await this.#jira.issues.getIssue({
      issueIdOrKey: encodeURIComponent(issueKey),
      fields: ['attachment'],
    });
    const attachments = (issue.fields?.attachment ?? []) as { filename?: unknown }[];
    return new Set(
      attachments.flatMap((a) => {
        const id = typeof a.filename === 'string' ? attachmentSourceId(a.filename) : undefined;
        return id === undefined ? [] : [id];
      }),
    );
  }

  /** A link back to the servicedesk ticket; the same global id updates the link instead of adding one. */
  async #linkBack(issueKey: string, source: IssueSource): Promise<void> {
    const url = webUrl(source.url);
    if (!url) return;
    await this.#call('link the servicedesk ticket', () =>
      this.#jira.issueRemoteLinks.createOrUpdateRemoteIssueLink({
        issueIdOrKey: encodeURIComponent(issueKey),
        globalId: `ticket-proxy:${markerLabel(source)}`,
        application: { type: 'ticket-proxy', name: 'Servicedesk' },
        relationship: 'Servicedesk',
        object: { url, title: `Servicedesk ${source.ticketId} (${source.tenant})` },
      }),
    );
  }

  #contentFields(content: IssueContent): Record<string, unknown> {
    return {
      summary: toSummary(content.summary, content.source),
      ...(content.description && { description: withFooter(content.description, content.source) }),
      ...(this.#config.retentionDateField
        ? { [this.#config.retentionDateField]: isoDate(content.expiresAt) }
        : {}),
    };
  }

  async #call<T>(
    operation: string,
    request: (attempt: number) => Promise<T>,
    classify: (error: unknown) => RetryVerdict = classifyJiraFailure,
  ): Promise<T> {
    try {
      return await retry(request, { policy: this.#retry, classify, sleep: this.#sleep });
    } catch (error) {
      throw trackerError(operation, error);
    }
  }
}

function trackerError(operation: string, error: unknown): TicketProxyError {
  if (error instanceof TicketProxyError) return error;
  if (error instanceof RetriesExhaustedError) {
    const last = error.cause instanceof Error ? `${error.cause.message}; ` : '';
    return new DependencyError(
      ErrorCode.TRACKER_UNAVAILABLE,
      `Jira could not ${operation}: ${last}${error.message}`,
      error,
    );
  }
  // A refusal for good only if a retry could not help; a create's timeout or 5xx is not one.
  if (error instanceof JiraHttpError && !classifyJiraFailure(error).retryable) {
    return new TrackerRejectedError(error.status, `Jira refused to ${operation}: ${error.message}`, error);
  }
  if (error instanceof JiraHttpError || error instanceof JiraNetworkError) {
    return new DependencyError(
      ErrorCode.TRACKER_UNAVAILABLE,
      `Jira could not ${operation}: ${error.message}; not repeated, since Jira may have done it`,
      error,
    );
  }
  return new DependencyError(ErrorCode.TRACKER_UNAVAILABLE, `Jira could not ${operation}`, error);
}

/**
 * The label that finds a ticket's issue by JQL: the tenant in clear, the ticket id hashed because a
 * servicedesk id may hold characters a label or JQL cannot. Deterministic, so any process finds it.
 */
export function markerLabel(source: Pick<IssueSource, 'tenant' | 'ticketId'>): string {
  const digest = createHash('sha256').update(`${source.tenant}\0${source.ticketId}`).digest('hex');
  return `tp-${source.tenant}-${digest.slice(0, 20)}`;
}

/** `retention-YYYY-MM-DD` (UTC): the day the ticket's personal data is deleted. */
export function retentionLabel(expiresAt: Date): string {
  return `retention-${isoDate(expiresAt)}`;
}

const isRetentionLabel = (label: string) => /^retention-\d{4}-\d{2}-\d{2}$/.test(label);

/** How an attachment's file name starts on the issue: `[<sourceId>] `, with `%`, brackets and slashes escaped. */
export function attachmentPrefix(sourceId: string): string {
  return `[${sourceId.replace(/[%[\]/\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}] `;
}

function attachmentSourceId(filename: string): string | undefined {
  const match = /^\[([^\]]+)\] /.exec(filename);
  if (!match?.[1]) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
}

function attachmentFilename(sourceId: string, filename: string): string {
  const prefix = attachmentPrefix(sourceId);
  const name = filename.replace(/[\r\n]/g, ' ');
  const room = FILENAME_LIMIT - prefix.length;
  if (name.length <= room) return prefix + name;
  // Keep the extension: it tells Jira and the reader what the file is.
  const extension = /\.[A-Za-z0-9]{1,10}$/.exec(name)?.[0] ?? '';
  return prefix + cut(name.slice(0, name.length - extension.length), room - extension.length) + extension;
}

function managedLabels(content: IssueContent): string[] {
  return [
    ...new Set([...contentLabels(content), retentionLabel(content.expiresAt), markerLabel(content.source)]),
  ];
}

/** Jira labels cannot hold spaces. */
const contentLabels = (content: IssueContent) =>
  content.labels.map((label) => cut(label.trim().replace(/\s+/g, '_'), LABEL_LIMIT)).filter(Boolean);

function bookkeeping(content: IssueContent): IssueBookkeeping {
  return {
    tenant: content.source.tenant,
    ticketId: content.source.ticketId,
    expiresAt: content.expiresAt.toISOString(),
    labels: contentLabels(content),
  };
}

function toSummary(summary: string, source: IssueSource): string {
  // One space per line break: collapsing runs of spaces could join what detection saw as apart.
  const line = cut(summary.replace(/[\r\n\t]/g, ' ').trim(), SUMMARY_LIMIT).trim();
  return line || `Servicedesk ${source.ticketId}`;
}

const EMPTY_DOCUMENT: AdfDocument = { type: 'doc', version: 1, content: [] };

/** The description, then a rule and a line naming the servicedesk ticket (linked when there is a URL). */
function withFooter(description: AdfDocument, source: IssueSource): AdfDocument {
  const url = webUrl(source.url);
  const id: AdfNode = url
    ? { type: 'text', text: source.ticketId, marks: [{ type: 'link', attrs: { href: url } }] }
    : { type: 'text', text: source.ticketId };
  const footer: AdfNode = {
    type: 'paragraph',
    content: [{ type: 'text', text: 'Servicedesk: ' }, id, { type: 'text', text: ` (${source.tenant})` }],
  };
  return { type: 'doc', version: 1, content: [...description.content, { type: 'rule' }, footer] };
}

/** Only http(s): a `javascript:` link on an issue would run in a developer's browser. */
function webUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** At most `limit` UTF-16 units, never half a surrogate pair. */
function cut(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const end = /[\uD800-\uDBFF]/.test(text.charAt(limit - 1)) ? limit - 1 : limit;
  return text.slice(0, end);
}

const isoDate = (date: Date) => date.toISOString().slice(0, 10);

const stringArray = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
