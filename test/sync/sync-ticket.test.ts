import { describe, expect, it } from 'vitest';
import { DependencyError, ErrorCode } from '../../lib/errors.ts';
import type { SyncJob } from '../../lib/sync/sync-job.ts';
import { type SyncDeps, syncTicket } from '../../lib/sync/sync-ticket.ts';
import type {
  IssueAttachment,
  IssueComment,
  IssueContent,
  IssueSource,
  TicketTracker,
} from '../../lib/tracker/ticket-tracker.ts';
import type { TicketRecord } from '../../lib/vault/token-vault.ts';

/** The port's contract in memory: the HTTP behaviour is tested against the loopback Jira elsewhere. */
class MemoryTracker implements TicketTracker {
  issues = new Map<
    string,
    { content: IssueContent; comments: IssueComment[]; attachments: IssueAttachment[] }
  >();
  failNext: (keyof TicketTracker)[] = [];

  #fail(method: keyof TicketTracker) {
    if (this.failNext[0] === method) {
      this.failNext.shift();
      throw new DependencyError(ErrorCode.TRACKER_UNAVAILABLE, 'down');
    }
  }
  async findIssue(source: IssueSource) {
    this.#fail('findIssue');
    return [...this.issues].find(([, i]) => i.content.source.ticketId === source.ticketId)?.[0];
  }
  async createIssue(content: IssueContent) {
    this.#fail('createIssue');
    const issueKey = `DEV-${this.issues.size + 1}`;
    this.issues.set(issueKey, { content, comments: [], attachments: [] });
    return { issueKey };
  }
  async updateIssue(key: string, content: IssueContent) {
    this.#fail('updateIssue');
    const issue = this.issues.get(key);
    if (issue) issue.content = content;
  }
  async syncedItems(key: string) {
    const issue = this.issues.get(key);
    return {
      comments: new Set(issue?.comments.map((c) => c.sourceId)),
      attachments: new Set(issue?.attachments.map((a) => a.sourceId)),
    };
  }
  async addComment(key: string, comment: IssueComment) {
    this.#fail('addComment');
    this.issues.get(key)?.comments.push(comment);
  }
  async addAttachment(key: string, attachment: IssueAttachment) {
    this.issues.get(key)?.attachments.push(attachment);
  }
}

function setup(record: Partial<TicketRecord> | null = {}) {
  const tracker = new MemoryTracker();
  const records = new Map<string, TicketRecord>();
  if (record) {
    records.set('SD-1', {
      tenant: 'ballerup',
      ticketId: 'SD-1',
      expiresAt: new Date('2027-11-22T00:00:00Z'),
      firstSeen: new Date('2026-11-22T00:00:00Z'),
      issueKey: undefined,
      ...record,
    });
  }
  const links: string[] = [];
  const deps: SyncDeps = {
    tracker,
    vault: {
      getTicket: async (_tenant, id) => records.get(id),
      recordDelivery: async (_tenant, id, issueKey) => {
        const r = records.get(id);
        if (r) r.issueKey = issueKey;
      },
    },
    links: { link: async (key) => void links.push(key) },
    contentOptions: () => ({ includeInternalComments: false }),
    now: () => new Date('2026-11-22T12:00:00Z'),
  };
  return { tracker, records, links, deps };
}

const job = (comments: string[] = [], summary = 'Login fejler'): SyncJob => ({
  tenant: 'ballerup',
  ticketId: 'SD-1',
  eventId: summary + comments.join(),
  receivedAt: '2026-11-22T10:00:00.000Z',
  expiresAt: '2027-11-22T00:00:00.000Z',
  ticket: {
    tenant: 'ballerup',
    id: 'SD-1',
    summary,
    description: '',
    comments: comments.map((id) => ({ id, body: `kommentar ${id}` })),
    attachments: [{ id: 'a1', filename: 'log.txt', contentBase64: Buffer.from('x').toString('base64') }],
  },
});

describe('syncTicket', () => {
  it('creates the issue on the first job, records it, and adds comments and attachments', async () => {
    const { tracker, records, links, deps } = setup();
    const result = await syncTicket(job(['c1']), deps);
    expect(result).toEqual({
      outcome: 'synced',
      issueKey: 'DEV-1',
      created: true,
      comments: 1,
      attachments: 1,
    });
    expect(records.get('SD-1')?.issueKey).toBe('DEV-1');
    expect(links).toEqual(['DEV-1']);
    expect(tracker.issues.get('DEV-1')?.comments.map((c) => c.sourceId)).toEqual(['c1']);
  });

  it('updates the same issue on later jobs and adds only what is new', async () => {
    const { tracker, deps } = setup();
    await syncTicket(job(['c1']), deps);
    const result = await syncTicket(job(['c1', 'c2'], 'Login fejler stadig'), deps);
    expect(result).toMatchObject({ issueKey: 'DEV-1', created: false, comments: 1, attachments: 0 });
    expect(tracker.issues.size).toBe(1);
    expect(tracker.issues.get('DEV-1')?.content.summary).toBe('Login fejler stadig');
    expect(tracker.issues.get('DEV-1')?.comments.map((c) => c.sourceId)).toEqual(['c1', 'c2']);
  });

  it('processed twice, writes nothing twice', async () => {
    const { tracker, deps } = setup();
    await syncTicket(job(['c1']), deps);
    const again = await syncTicket(job(['c1']), deps);
    expect(again).toMatchObject({ created: false, comments: 0, attachments: 0 });
    expect(tracker.issues.get('DEV-1')?.comments).toHaveLength(1);
  });

  it('finds the issue in the tracker after a crash between creating it and recording its key', async () => {
    const { tracker, records, deps } = setup();
    await syncTicket(job(), deps);
    (records.get('SD-1') as TicketRecord).issueKey = undefined; // the record never got written
    const again = await syncTicket(job(), deps);
    expect(again).toMatchObject({ issueKey: 'DEV-1', created: false });
    expect(tracker.issues.size).toBe(1);
  });

  it('a retry after a failed comment finishes the job without repeating what was done', async () => {
    const { tracker, deps } = setup();
    tracker.failNext = ['addComment'];
    await expect(syncTicket(job(['c1', 'c2']), deps)).rejects.toMatchObject({ code: 'TRACKER_UNAVAILABLE' });
    await syncTicket(job(['c1', 'c2']), deps);
    expect(tracker.issues.size).toBe(1);
    expect(tracker.issues.get('DEV-1')?.comments.map((c) => c.sourceId)).toEqual(['c1', 'c2']);
  });

  it('writes nothing for a ticket whose retention ended before the job ran', async () => {
    const swept = setup(null);
    expect(await syncTicket(job(), swept.deps)).toEqual({ outcome: 'expired' });
    const expired = setup({ expiresAt: new Date('2026-11-01T00:00:00Z') });
    expect(await syncTicket(job(), expired.deps)).toEqual({ outcome: 'expired' });
    expect(swept.tracker.issues.size + expired.tracker.issues.size).toBe(0);
  });
});
