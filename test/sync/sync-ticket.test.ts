import { describe, expect, it } from 'vitest';
import { DependencyError, ErrorCode, TrackerRejectedError, TrackerSettlingError } from '../../lib/errors.ts';
import type { SyncJob } from '../../lib/sync/sync-job.ts';
import { CREATE_SETTLE_MS, type SyncDeps, syncTicket } from '../../lib/sync/sync-ticket.ts';
import {
  type IssueAttachment,
  type IssueComment,
  type IssueContent,
  IssueCreatedError,
  IssueNotCreatedError,
  type IssueSource,
  type TicketTracker,
} from '../../lib/tracker/ticket-tracker.ts';
import type { TicketRecord } from '../../lib/vault/token-vault.ts';

/** The port's contract in memory: the HTTP behaviour is tested against the loopback Jira elsewhere. */
class MemoryTracker implements TicketTracker {
  issues = new Map<
    string,
    { content: IssueContent; comments: IssueComment[]; attachments: IssueAttachment[] }
  >();
  failNext: (keyof TicketTracker)[] = [];
  /** Issues the search does not show yet (Jira Cloud's search lags behind writes). */
  unsearchable = new Set<string>();
  /** The next create is carried out, but its answer is lost. */
  loseNextCreateAnswer = false;
  /** The next create is refused in a way that proves nothing was made (Jira's 429s, no connection). */
  refuseNextCreate = false;
  /** What the vault's record said when each create was sent. */
  marksAtCreate: (Date | undefined)[] = [];
  records: Map<string, TicketRecord> | undefined;

  #fail(method: keyof TicketTracker) {
    if (this.failNext[0] === method) {
      this.failNext.shift();
      throw new DependencyError(ErrorCode.TRACKER_UNAVAILABLE, 'down');
    }
  }
  async findIssue(source: IssueSource) {
    this.#fail('findIssue');
    return [...this.issues].find(
      ([key, i]) => i.content.source.ticketId === source.ticketId && !this.unsearchable.has(key),
    )?.[0];
  }
  async createIssue(content: IssueContent) {
    this.marksAtCreate.push(this.records?.get(content.source.ticketId)?.createAttemptAt);
    this.#fail('createIssue');
    if (this.refuseNextCreate) {
      this.refuseNextCreate = false;
      throw new IssueNotCreatedError(new DependencyError(ErrorCode.TRACKER_UNAVAILABLE, 'rate limited'));
    }
    const issueKey = `DEV-${this.issues.size + 1}`;
    this.issues.set(issueKey, { content, comments: [], attachments: [] });
    if (this.loseNextCreateAnswer) {
      this.loseNextCreateAnswer = false;
      this.unsearchable.add(issueKey);
      throw new DependencyError(ErrorCode.TRACKER_UNAVAILABLE, 'timed out');
    }
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
  tracker.records = records;
  const links: string[] = [];
  const clock = { now: new Date('2026-11-22T12:00:00Z') };
  const deps: SyncDeps = {
    tracker,
    vault: {
      getTicket: async (_tenant, id) => {
        const r = records.get(id);
        return r && { ...r };
      },
      recordDelivery: async (_tenant, id, issueKey) => {
        const r = records.get(id);
        if (r) r.issueKey = issueKey;
      },
      recordCreateAttempt: async (_tenant, id, at, previous) => {
        const r = records.get(id);
        if (!r || r.issueKey || r.createAttemptAt?.getTime() !== previous?.getTime()) return false;
        r.createAttemptAt = at;
        return true;
      },
      clearCreateAttempt: async (_tenant, id, at) => {
        const r = records.get(id);
        if (r?.createAttemptAt?.getTime() === at.getTime()) r.createAttemptAt = undefined;
      },
    },
    links: { link: async (key) => void links.push(key) },
    contentOptions: () => ({ includeInternalComments: false }),
    now: () => clock.now,
  };
  const advance = (ms: number) => {
    clock.now = new Date(clock.now.getTime() + ms);
  };
  return { tracker, records, links, deps, clock, advance };
}

const MINUTE = 60_000;

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

  describe('creating only once when the tracker cannot confirm a create', () => {
    it('records the create attempt in the vault before it sends the create', async () => {
      const { tracker, records, clock, deps } = setup();
      await syncTicket(job(), deps);
      expect(tracker.marksAtCreate).toEqual([clock.now]);
      expect(records.get('SD-1')?.createAttemptAt).toEqual(clock.now);
    });

    it('creates nothing when the vault cannot record the attempt', async () => {
      const { tracker, deps } = setup();
      deps.vault.recordCreateAttempt = async () => {
        throw new DependencyError(ErrorCode.VAULT_UNAVAILABLE, 'down');
      };
      await expect(syncTicket(job(), deps)).rejects.toMatchObject({ code: 'VAULT_UNAVAILABLE' });
      expect(tracker.marksAtCreate).toEqual([]);
    });

    it('a recent attempt and an empty search: waits for the rest of the window (retryable) and creates nothing', async () => {
      const { tracker, records, clock, deps } = setup();
      const attempt = new Date(clock.now.getTime() - 5 * MINUTE);
      (records.get('SD-1') as TicketRecord).createAttemptAt = attempt;
      const error = await syncTicket(job(['c1']), deps).catch((e) => e);
      expect(error).toBeInstanceOf(TrackerSettlingError);
      expect(error).toBeInstanceOf(DependencyError);
      expect(error).toMatchObject({
        code: ErrorCode.TRACKER_SETTLING,
        retryable: true,
        retryAfterMs: CREATE_SETTLE_MS - 5 * MINUTE,
      });
      expect(error.message).toMatch(/earlier attempt to create the issue may not be searchable yet/);
      expect(tracker.marksAtCreate).toEqual([]);
      expect(tracker.issues.size).toBe(0);
      expect(records.get('SD-1')?.createAttemptAt).toEqual(attempt);
    });

    it('the default window is 15 minutes', () => {
      expect(CREATE_SETTLE_MS).toBe(15 * MINUTE);
    });

    it('an attempt older than the window: creates, since the earlier attempt evidently created nothing', async () => {
      const { tracker, records, clock, deps } = setup();
      (records.get('SD-1') as TicketRecord).createAttemptAt = new Date(clock.now.getTime() - 16 * MINUTE);
      expect(await syncTicket(job(), deps)).toMatchObject({ issueKey: 'DEV-1', created: true });
      expect(tracker.issues.size).toBe(1);
      expect(records.get('SD-1')?.createAttemptAt).toEqual(clock.now);
    });

    it('a recent attempt whose issue the search shows: uses that issue and creates nothing', async () => {
      const { tracker, records, clock, deps } = setup();
      await syncTicket(job(), deps);
      const record = records.get('SD-1') as TicketRecord;
      record.issueKey = undefined; // the answer was lost, or the process died before recording it
      record.createAttemptAt = clock.now;
      expect(await syncTicket(job(['c1']), deps)).toMatchObject({
        issueKey: 'DEV-1',
        created: false,
        comments: 1,
      });
      expect(tracker.issues.size).toBe(1);
      expect(records.get('SD-1')?.issueKey).toBe('DEV-1');
    });

    it('a recorded issue needs no search and no window', async () => {
      const { tracker, records, clock, deps } = setup();
      await syncTicket(job(), deps);
      (records.get('SD-1') as TicketRecord).createAttemptAt = clock.now;
      tracker.unsearchable.add('DEV-1');
      expect(await syncTicket(job(['c1']), deps)).toMatchObject({ issueKey: 'DEV-1', created: false });
    });

    it('createSettleMs sets the window', async () => {
      const { tracker, records, clock, deps } = setup();
      (records.get('SD-1') as TicketRecord).createAttemptAt = new Date(clock.now.getTime() - 2_000);
      await expect(syncTicket(job(), { ...deps, createSettleMs: 5_000 })).rejects.toMatchObject({
        retryAfterMs: 3_000,
      });
      expect(await syncTicket(job(), { ...deps, createSettleMs: 1_000 })).toMatchObject({ created: true });
      expect(tracker.issues.size).toBe(1);
    });

    it('a mark ahead of the clock is moved to now: one window in all, not one per try', async () => {
      const { tracker, records, clock, deps, advance } = setup();
      (records.get('SD-1') as TicketRecord).createAttemptAt = new Date(clock.now.getTime() + 60 * MINUTE);
      await expect(syncTicket(job(), deps)).rejects.toMatchObject({ retryAfterMs: CREATE_SETTLE_MS });
      expect(records.get('SD-1')?.createAttemptAt).toEqual(clock.now);
      advance(CREATE_SETTLE_MS);
      expect(await syncTicket(job(), deps)).toMatchObject({ created: true });
      expect(tracker.issues.size).toBe(1);
    });

    it('a create that proved to have made nothing: the mark goes, and the retry creates at once', async () => {
      const { tracker, records, deps } = setup();
      tracker.refuseNextCreate = true;
      await expect(syncTicket(job(), deps)).rejects.toMatchObject({ code: 'TRACKER_UNAVAILABLE' });
      expect(records.get('SD-1')?.createAttemptAt).toBeUndefined();
      expect(await syncTicket(job(), deps)).toMatchObject({ issueKey: 'DEV-1', created: true });
      expect(tracker.marksAtCreate).toHaveLength(2);
    });

    it('a vault that fails while the mark is cleared does not hide the tracker’s refusal from the queue', async () => {
      const { tracker, deps } = setup();
      tracker.createIssue = async () => {
        throw new IssueNotCreatedError(new TrackerRejectedError(400, 'Jira refused to create the issue'));
      };
      deps.vault.clearCreateAttempt = async () => {
        throw new DependencyError(ErrorCode.VAULT_UNAVAILABLE, 'down');
      };
      await expect(syncTicket(job(), deps)).rejects.toMatchObject({ code: 'TRACKER_REJECTED', status: 400 });
    });

    it('two writers reading the same record at once: only the one that marks it first creates', async () => {
      const { tracker, deps } = setup();
      const results = await Promise.allSettled([syncTicket(job(), deps), syncTicket(job(), deps)]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(TrackerSettlingError);
      expect(tracker.issues.size).toBe(1);
      expect(tracker.marksAtCreate).toHaveLength(1);
    });

    it('an issue made but not finished (the link back failed): its key is recorded and the retry updates it', async () => {
      const { tracker, records, deps } = setup();
      const create = tracker.createIssue.bind(tracker);
      tracker.createIssue = async (content) => {
        const { issueKey } = await create(content);
        tracker.unsearchable.add(issueKey);
        throw new IssueCreatedError(issueKey, new DependencyError(ErrorCode.TRACKER_UNAVAILABLE, 'down'));
      };
      await expect(syncTicket(job(), deps)).rejects.toMatchObject({ code: 'TRACKER_UNAVAILABLE' });
      expect(records.get('SD-1')?.issueKey).toBe('DEV-1');
      // No search and no window: the retry goes straight to the issue.
      expect(await syncTicket(job(['c1']), deps)).toMatchObject({ issueKey: 'DEV-1', created: false });
      expect(tracker.issues.size).toBe(1);
    });

    it('a create whose answer was lost and which the search does not show yet: redelivered at once it waits, after the window it finds the issue: one issue', async () => {
      const { tracker, records, deps, advance } = setup();
      tracker.loseNextCreateAnswer = true;
      await expect(syncTicket(job(['c1']), deps)).rejects.toMatchObject({ code: 'TRACKER_UNAVAILABLE' });
      expect(records.get('SD-1')?.issueKey).toBeUndefined();
      advance(1_000);
      await expect(syncTicket(job(['c1']), deps)).rejects.toBeInstanceOf(TrackerSettlingError);
      advance(5 * MINUTE);
      await expect(syncTicket(job(['c1']), deps)).rejects.toBeInstanceOf(TrackerSettlingError);
      // Jira's search catches up within the window, as Atlassian documents.
      tracker.unsearchable.clear();
      advance(CREATE_SETTLE_MS);
      expect(await syncTicket(job(['c1']), deps)).toMatchObject({ issueKey: 'DEV-1', created: false });
      expect(tracker.issues.size).toBe(1);
      expect(tracker.marksAtCreate).toHaveLength(1);
      expect(tracker.issues.get('DEV-1')?.comments.map((c) => c.sourceId)).toEqual(['c1']);
    });

    it('a create that failed without creating: after the window it is sent again', async () => {
      const { tracker, deps, advance } = setup();
      tracker.failNext = ['createIssue'];
      await expect(syncTicket(job(), deps)).rejects.toMatchObject({ code: 'TRACKER_UNAVAILABLE' });
      await expect(syncTicket(job(), deps)).rejects.toBeInstanceOf(TrackerSettlingError);
      advance(CREATE_SETTLE_MS);
      expect(await syncTicket(job(), deps)).toMatchObject({ issueKey: 'DEV-1', created: true });
      expect(tracker.marksAtCreate).toHaveLength(2);
      expect(tracker.issues.size).toBe(1);
    });
  });

  it('writes nothing for a ticket whose retention ended before the job ran', async () => {
    const swept = setup(null);
    expect(await syncTicket(job(), swept.deps)).toEqual({ outcome: 'expired' });
    const expired = setup({ expiresAt: new Date('2026-11-01T00:00:00Z') });
    expect(await syncTicket(job(), expired.deps)).toEqual({ outcome: 'expired' });
    expect(swept.tracker.issues.size + expired.tracker.issues.size).toBe(0);
  });
});
