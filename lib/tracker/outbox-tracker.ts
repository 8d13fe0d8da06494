import type { Stats } from 'node:fs';
import { type FileHandle, mkdir, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AdfDocument } from '../document/adf.ts';
import { withFileLock } from '../embedded/file-lock.ts';
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
 *
 * The file is read and folded once, into an index of what the methods decide by (keys, sources,
 * labels, comment and attachment ids; never an attachment's bytes), and each line this instance
 * appends is applied to the index as well. Another process may append to the same file (the CLI's
 * `redrive` beside the local server): each operation compares the file's size, modification time
 * and inode with what this instance last read or wrote, and folds the file again when they differ.
 * {@link list} and {@link attachmentContent} read the file itself, whoever wrote it.
 */
export class OutboxTracker implements TicketTracker {
  readonly #path: string;
  /** Operations run one at a time, so concurrent tickets get distinct keys and whole lines. */
  #queue: Promise<unknown> = Promise.resolve();
  /** The folded file; undefined until first used, and again whenever it may be stale. */
  #index: OutboxIndex | undefined;
  /** The file as the index has it: undefined for no file. */
  #seen: FileMark | undefined;
  /** The file ended without a newline when last read: a crash tore its last line. */
  #torn = false;

  constructor(path: string) {
    this.#path = path;
  }

  findIssue(source: IssueSource): Promise<string | undefined> {
    return this.#serialized(async () => (await this.#current()).find(source));
  }

  createIssue(content: IssueContent): Promise<{ issueKey: string }> {
    return this.#serialized(async () => {
      const index = await this.#current();
      const existing = index.find(content.source);
      if (existing) return { issueKey: existing };
      const issueKey = `OUTBOX-${index.size + 1}`;
      await this.#append(index, {
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
      const index = await this.#current();
      const issue = index.require(issueKey);
      const labels = content.labelsOmitted
        ? [...new Set([...content.labels, ...issue.labels])]
        : content.labels;
      await this.#append(index, {
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
      const issue = (await this.#current()).require(issueKey);
      return { comments: new Set(issue.comments), attachments: new Set(issue.attachments) };
    });
  }

  addComment(issueKey: string, comment: IssueComment): Promise<void> {
    return this.#serialized(async () => {
      const index = await this.#current();
      if (index.require(issueKey).comments.has(comment.sourceId)) return;
      await this.#append(index, {
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
      const index = await this.#current();
      if (index.require(issueKey).attachments.has(attachment.sourceId)) return;
      await this.#append(index, {
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

  /** One at a time in this process, and under a lock file among processes: keys stay distinct. */
  #serialized<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#queue
      .then(() => withFileLock(this.#path, operation))
      .catch((error: unknown) => {
        if (error instanceof TicketProxyError) throw error;
        throw new DependencyError(ErrorCode.TRACKER_UNAVAILABLE, 'could not use the local outbox', error);
      });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The index, folded again first when the file is not the one this instance last read or wrote. */
  async #current(): Promise<OutboxIndex> {
    if (this.#index && sameFile(this.#seen, await statIfAny(this.#path))) return this.#index;
    this.#index = undefined;
    const { operations, torn, mark } = await readOperations(this.#path);
    const index = new OutboxIndex();
    for (const operation of operations) index.apply(operation);
    this.#torn = torn;
    this.#seen = mark;
    this.#index = index;
    return index;
  }

  async #readOrThrow(): Promise<OutboxOperation[]> {
    try {
      return (await readOperations(this.#path)).operations;
    } catch (error) {
      throw new DependencyError(ErrorCode.TRACKER_UNAVAILABLE, 'could not read the local outbox', error);
    }
  }

  /** Always in a queued operation after {@link #current}, which says whether the file ends in a torn line. */
  async #append(index: OutboxIndex, operation: OutboxOperation): Promise<void> {
    // Whatever goes wrong below, the next operation folds the file again rather than trust the index.
    this.#index = undefined;
    await mkdir(dirname(this.#path), { recursive: true, mode: 0o700 });
    // One write of one line: a crash leaves whole lines only, at worst a torn last line, which the next
    // line must not be glued to.
    const line = Buffer.from(`${this.#torn ? '\n' : ''}${JSON.stringify(operation)}\n`);
    const file = await open(this.#path, 'a', 0o600);
    let after: Stats;
    try {
      await file.writeFile(line);
      after = await file.stat();
    } finally {
      await file.close();
    }
    this.#torn = false;
    // Only this line came after what the index has: keep the index. Another writer's lines mixed in
    // (or a file replaced meanwhile) leave it unset, to be folded again.
    if (after.size !== (this.#seen?.size ?? 0) + line.byteLength) return;
    if (this.#seen && (after.ino !== this.#seen.ino || after.dev !== this.#seen.dev)) return;
    index.apply(operation);
    this.#seen = markOf(after, after.size);
    this.#index = index;
  }
}

/** What the methods decide by, of one issue. */
interface IndexedIssue {
  /** Position among the file's issues: of two issues for one ticket, the first is the one found. */
  order: number;
  source: IssueSource;
  labels: string[];
  comments: Set<string>;
  attachments: Set<string>;
}

/** The outbox's operations folded as {@link fold} folds them, keeping only what the methods decide by. */
class OutboxIndex {
  readonly #issues = new Map<string, IndexedIssue>();
  /** Source (see {@link sourceKey}) → key of the first issue with that source. */
  readonly #bySource = new Map<string, string>();

  get size(): number {
    return this.#issues.size;
  }

  find(source: IssueSource): string | undefined {
    return this.#bySource.get(sourceKey(source));
  }

  require(issueKey: string): IndexedIssue {
    const issue = this.#issues.get(issueKey);
    if (!issue) throw new TrackerRejectedError(404, `the local outbox has no issue ${issueKey}`);
    return issue;
  }

  apply(operation: OutboxOperation): void {
    if (operation.op === 'created') {
      // Two processes may have created the same key: the later line replaces the issue, like fold.
      const replaced = this.#issues.get(operation.issueKey);
      this.#issues.set(operation.issueKey, {
        order: replaced?.order ?? this.#issues.size,
        source: operation.source,
        labels: [...operation.labels],
        comments: new Set(),
        attachments: new Set(),
      });
      this.#moved(operation.issueKey, replaced?.source);
      return;
    }
    const issue = this.#issues.get(operation.issueKey);
    if (!issue) return;
    if (operation.op === 'updated') {
      const before = issue.source;
      issue.source = operation.source;
      issue.labels = [...operation.labels];
      this.#moved(operation.issueKey, before);
    } else if (operation.op === 'comment') {
      issue.comments.add(operation.sourceId);
    } else {
      issue.attachments.add(operation.sourceId);
    }
  }

  /** Keeps {@link #bySource} right after the issue's source became what it is, from `before`. */
  #moved(issueKey: string, before: IssueSource | undefined): void {
    const issue = this.#issues.get(issueKey) as IndexedIssue;
    const source = sourceKey(issue.source);
    if (before && sourceKey(before) !== source && this.#bySource.get(sourceKey(before)) === issueKey) {
      this.#bySource.delete(sourceKey(before));
      const next = [...this.#issues].find(([, other]) => sourceKey(other.source) === sourceKey(before));
      if (next) this.#bySource.set(sourceKey(before), next[0]);
    }
    const holder = this.#bySource.get(source);
    const holderOrder = holder === undefined ? undefined : this.#issues.get(holder)?.order;
    if (holderOrder === undefined || holderOrder > issue.order) this.#bySource.set(source, issueKey);
  }
}

/** Which file, how long and when last written: an append by anyone changes the size. */
interface FileMark {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

/** `size` is what was read; when the file had grown meanwhile, the mark matches no file. */
const markOf = (stats: Stats, size: number): FileMark => ({
  dev: stats.dev,
  ino: stats.ino,
  size,
  mtimeMs: stats.size === size ? stats.mtimeMs : Number.NaN,
});

const sameFile = (seen: FileMark | undefined, stats: Stats | undefined): boolean =>
  seen === undefined || stats === undefined
    ? seen === stats
    : seen.dev === stats.dev &&
      seen.ino === stats.ino &&
      seen.size === stats.size &&
      seen.mtimeMs === stats.mtimeMs;

async function statIfAny(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The file's whole lines, parsed; lines that do not parse (a torn line) are skipped. */
async function readOperations(
  path: string,
): Promise<{ operations: OutboxOperation[]; torn: boolean; mark: FileMark | undefined }> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { operations: [], torn: false, mark: undefined };
    throw error;
  }
  let bytes: Buffer;
  let stats: Stats;
  try {
    bytes = await file.readFile();
    stats = await file.stat();
  } finally {
    await file.close();
  }
  const text = bytes.toString('utf8');
  const operations = text.split('\n').flatMap((line) => {
    try {
      return line ? [JSON.parse(line) as OutboxOperation] : [];
    } catch {
      return [];
    }
  });
  return { operations, torn: text !== '' && !text.endsWith('\n'), mark: markOf(stats, bytes.byteLength) };
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

const sourceKey = (source: IssueSource) => `${source.tenant}\u0000${source.ticketId}`;

const toOutbox = (content: IssueContent): Omit<OutboxContent, 'description'> & Partial<OutboxContent> => ({
  summary: content.summary,
  ...(content.description && { description: content.description }),
  labels: [...content.labels],
  expiresAt: content.expiresAt.toISOString(),
});

const now = () => new Date().toISOString();
