import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AdfDocument } from '../document/adf.ts';
import { DependencyError, ErrorCode, TicketProxyError, TrackerRejectedError } from '../errors.ts';
import type {
  IssueAttachment,
  IssueComment,
  IssueContent,
  IssueSource,
  TicketTracker,
} from './ticket-tracker.ts';

/** One line of the outbox file: an operation, appended whole. */
export type OutboxOperation =
  | ({ op: 'created'; issueKey: string; at: string; source: IssueSource } & OutboxContent)
  | ({ op: 'updated'; issueKey: string; at: string; source: IssueSource } & Omit<
      OutboxContent,
      'description'
    > &
      Partial<OutboxContent>)
  | { op: 'comment'; issueKey: string; at: string; sourceId: string; body: AdfDocument }
  | {
      op: 'attachment';
      issueKey: string;
      at: string;
      sourceId: string;
      filename: string;
      mimeType: string;
      size: number;
      contentBase64: string;
    };

interface OutboxContent {
  summary: string;
  description: AdfDocument;
  labels: string[];
  /** ISO-8601. */
  expiresAt: string;
}

/** An issue as a developer would see it: the operations on it folded together. */
export interface OutboxIssue extends OutboxContent {
  issueKey: string;
  source: IssueSource;
  createdAt: string;
  updatedAt: string;
  comments: { sourceId: string; body: AdfDocument }[];
  attachments: { sourceId: string; filename: string; mimeType: string; size: number }[];
}

/**
 * The local stand-in for Jira: operations appended to a JSON Lines file, one line each. Every method
 * is safe to repeat, as the port asks: creating an issue the outbox already has for the same ticket
 * returns that issue, and a comment or attachment it already has is not added again. Unknown keys
 * fail like Jira's 404, with TrackerRejectedError.
 */
export class OutboxTracker implements TicketTracker {
  readonly #path: string;
  /** Operations run one at a time, so concurrent tickets get distinct keys and whole lines. */
  #queue: Promise<unknown> = Promise.resolve();
  /** The file ended without a newline when last read: a crash tore its last line. */
  #torn = false;

  constructor(path: string) {
    this.#path = path;
  }

  findIssue(source: IssueSource): Promise<string | undefined> {
    return this.#serialized(async () => findBySource(fold(await this.#read()), source)?.issueKey);
  }

  createIssue(content: IssueContent): Promise<{ issueKey: string }> {
    return this.#serialized(async () => {
      const issues = fold(await this.#read());
      const existing = findBySource(issues, content.source);
      if (existing) return { issueKey: existing.issueKey };
      const issueKey = `OUTBOX-${issues.length + 1}`;
      await this.#append({
        op: 'created',
        issueKey,
        at: now(),
        source: content.source,
        ...toOutbox(content),
        description: content.description ?? { type: 'doc', version: 1, content: [] },
      });
      return { issueKey };
    });
  }

  updateIssue(issueKey: string, content: IssueContent): Promise<void> {
    return this.#serialized(async () => {
      const issue = this.#require(fold(await this.#read()), issueKey);
      const labels = content.labelsOmitted
        ? [...new Set([...content.labels, ...issue.labels])]
        : content.labels;
      await this.#append({
        op: 'updated',
        issueKey,
        at: now(),
        source: content.source,
        ...toOutbox({ ...content, labels }),
      });
    });
  }

  syncedItems(issueKey: string): Promise<{ comments: Set<string>; attachments: Set<string> }> {
    return this.#serialized(async () => {
      const issue = this.#require(fold(await this.#read()), issueKey);
      return {
        comments: new Set(issue.comments.map((c) => c.sourceId)),
        attachments: new Set(issue.attachments.map((a) => a.sourceId)),
      };
    });
  }

  addComment(issueKey: string, comment: IssueComment): Promise<void> {
    return this.#serialized(async () => {
      const issue = this.#require(fold(await this.#read()), issueKey);
      if (issue.comments.some((c) => c.sourceId === comment.sourceId)) return;
      await this.#append({
        op: 'comment',
        issueKey,
        at: now(),
        sourceId: comment.sourceId,
        body: comment.body,
      });
    });
  }

  addAttachment(issueKey: string, attachment: IssueAttachment): Promise<void> {
    return this.#serialized(async () => {
      const issue = this.#require(fold(await this.#read()), issueKey);
      if (issue.attachments.some((a) => a.sourceId === attachment.sourceId)) return;
      await this.#append({
        op: 'attachment',
        issueKey,
        at: now(),
        sourceId: attachment.sourceId,
        filename: attachment.filename,
        mimeType: attachment.mimeType,
        size: attachment.content.byteLength,
        contentBase64: Buffer.from(attachment.content).toString('base64'),
      });
    });
  }

  /** Every issue, oldest first, without attachment contents. A torn last line (a crash mid-write) is skipped. */
  async list(): Promise<OutboxIssue[]> {
    return fold(await this.#readOrThrow());
  }

  /** An attachment's bytes, or undefined when the issue has no attachment with that source id. */
  async attachmentContent(issueKey: string, sourceId: string): Promise<Uint8Array | undefined> {
    const line = (await this.#readOrThrow()).find(
      (o) => o.op === 'attachment' && o.issueKey === issueKey && o.sourceId === sourceId,
    );
    return line?.op === 'attachment' ? new Uint8Array(Buffer.from(line.contentBase64, 'base64')) : undefined;
  }

  #serialized<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(operation).catch((error: unknown) => {
      if (error instanceof TicketProxyError) throw error;
      throw new DependencyError(ErrorCode.TRACKER_UNAVAILABLE, 'could not use the local outbox', error);
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #require(issues: OutboxIssue[], issueKey: string): OutboxIssue {
    const issue = issues.find((i) => i.issueKey === issueKey);
    if (!issue) throw new TrackerRejectedError(404, `the local outbox has no issue ${issueKey}`);
    return issue;
  }

  async #read(): Promise<OutboxOperation[]> {
    const text = await readFile(this.#path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    this.#torn = text !== '' && !text.endsWith('\n');
    return text.split('\n').flatMap((line) => {
      try {
        return line ? [JSON.parse(line) as OutboxOperation] : [];
      } catch {
        return [];
      }
    });
  }

  async #readOrThrow(): Promise<OutboxOperation[]> {
    try {
      return await this.#read();
    } catch (error) {
      throw new DependencyError(ErrorCode.TRACKER_UNAVAILABLE, 'could not read the local outbox', error);
    }
  }

  /** Always after a #read in the same queued operation, which says whether the file ends in a torn line. */
  async #append(operation: OutboxOperation): Promise<void> {
    await mkdir(dirname(this.#path), { recursive: true, mode: 0o700 });
    // One write of one line: a crash leaves whole lines only, at worst a torn last line, which the next
    // line must not be glued to.
    const line = `${this.#torn ? '\n' : ''}${JSON.stringify(operation)}\n`;
    await appendFile(this.#path, line, { mode: 0o600 });
    this.#torn = false;
  }
}

function fold(operations: readonly OutboxOperation[]): OutboxIssue[] {
  const issues = new Map<string, OutboxIssue>();
  for (const operation of operations) {
    if (operation.op === 'created') {
      const { op: _op, at, ...rest } = operation;
      issues.set(operation.issueKey, {
        ...rest,
        createdAt: at,
        updatedAt: at,
        comments: [],
        attachments: [],
      });
      continue;
    }
    const issue = issues.get(operation.issueKey);
    if (!issue) continue;
    issue.updatedAt = operation.at;
    if (operation.op === 'updated') {
      const { op: _op, at: _at, issueKey: _key, ...content } = operation;
      Object.assign(issue, content);
    } else if (operation.op === 'comment') {
      issue.comments.push({ sourceId: operation.sourceId, body: operation.body });
    } else {
      const { sourceId, filename, mimeType, size } = operation;
      issue.attachments.push({ sourceId, filename, mimeType, size });
    }
  }
  return [...issues.values()];
}

const findBySource = (issues: readonly OutboxIssue[], source: IssueSource) =>
  issues.find((i) => i.source.tenant === source.tenant && i.source.ticketId === source.ticketId);

const toOutbox = (content: IssueContent): Omit<OutboxContent, 'description'> & Partial<OutboxContent> => ({
  summary: content.summary,
  ...(content.description && { description: content.description }),
  labels: [...content.labels],
  expiresAt: content.expiresAt.toISOString(),
});

const now = () => new Date().toISOString();
