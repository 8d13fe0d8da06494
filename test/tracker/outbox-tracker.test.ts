import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, TrackerRejectedError } from '../../lib/errors.ts';
import { textToAdf } from '../../lib/tracker/adf.ts';
import { OutboxTracker } from '../../lib/tracker/outbox-tracker.ts';
import type { IssueContent } from '../../lib/tracker/ticket-tracker.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();
const outboxPath = async () => join(await tempDir(), 'outbox.jsonl');

const content = (ticketId = 'SD-1', overrides: Partial<IssueContent> = {}): IssueContent => ({
  source: { tenant: 'ballerup', ticketId },
  summary: 'CPR_AAAAAAAAAAAAAAAA',
  description: textToAdf('Beskrivelse'),
  labels: ['nexus'],
  expiresAt: new Date('2027-03-01T00:00:00Z'),
  ...overrides,
});

describe('OutboxTracker', () => {
  it('creates issues with increasing keys and lists them oldest first, across instances', async () => {
    const path = await outboxPath();
    expect(await new OutboxTracker(path).list()).toEqual([]);
    expect(await new OutboxTracker(path).createIssue(content('SD-1'))).toEqual({ issueKey: 'OUTBOX-1' });
    expect(await new OutboxTracker(path).createIssue(content('SD-2'))).toEqual({ issueKey: 'OUTBOX-2' });
    const issues = await new OutboxTracker(path).list();
    expect(issues.map((i) => [i.issueKey, i.source.ticketId])).toEqual([
      ['OUTBOX-1', 'SD-1'],
      ['OUTBOX-2', 'SD-2'],
    ]);
    expect(issues[0]).toMatchObject({
      summary: 'CPR_AAAAAAAAAAAAAAAA',
      description: textToAdf('Beskrivelse'),
      labels: ['nexus'],
      expiresAt: '2027-03-01T00:00:00.000Z',
      comments: [],
      attachments: [],
    });
  });

  it('finds an issue by its source, and returns it instead of creating a second', async () => {
    const outbox = new OutboxTracker(await outboxPath());
    expect(await outbox.findIssue(content().source)).toBeUndefined();
    await outbox.createIssue(content());
    expect(await outbox.findIssue(content().source)).toBe('OUTBOX-1');
    expect(await outbox.findIssue({ tenant: 'gentofte', ticketId: 'SD-1' })).toBeUndefined();
    expect(await outbox.createIssue(content())).toEqual({ issueKey: 'OUTBOX-1' });
    expect(await outbox.list()).toHaveLength(1);
  });

  it('folds updates, comments and attachments into the issue, each comment and attachment once', async () => {
    const outbox = new OutboxTracker(await outboxPath());
    const { issueKey } = await outbox.createIssue(content());
    await outbox.updateIssue(
      issueKey,
      content('SD-1', { summary: 'Ny', labels: [], expiresAt: new Date('2027-06-01') }),
    );
    const bytes = new Uint8Array([0, 255, 7]);
    for (let i = 0; i < 2; i++) {
      await outbox.addComment(issueKey, { sourceId: 'c1', body: textToAdf('Svar') });
      await outbox.addAttachment(issueKey, {
        sourceId: 'a1',
        filename: 'x.bin',
        mimeType: 'application/octet-stream',
        content: bytes,
      });
    }
    expect(await outbox.syncedItems(issueKey)).toEqual({
      comments: new Set(['c1']),
      attachments: new Set(['a1']),
    });
    const [issue] = await outbox.list();
    expect(issue).toMatchObject({
      summary: 'Ny',
      labels: [],
      expiresAt: '2027-06-01T00:00:00.000Z',
      comments: [{ sourceId: 'c1', body: textToAdf('Svar') }],
      attachments: [{ sourceId: 'a1', filename: 'x.bin', mimeType: 'application/octet-stream', size: 3 }],
    });
    expect(issue?.attachments[0]).not.toHaveProperty('contentBase64');
    expect(await outbox.attachmentContent(issueKey, 'a1')).toEqual(bytes);
    expect(await outbox.attachmentContent(issueKey, 'a2')).toBeUndefined();
  });

  it('gives concurrent creations distinct keys and whole lines', async () => {
    const path = await outboxPath();
    const outbox = new OutboxTracker(path);
    const receipts = await Promise.all(
      Array.from({ length: 5 }, (_, i) => outbox.createIssue(content(`SD-${i}`))),
    );
    expect(receipts.map((r) => r.issueKey).sort()).toEqual([
      'OUTBOX-1',
      'OUTBOX-2',
      'OUTBOX-3',
      'OUTBOX-4',
      'OUTBOX-5',
    ]);
    const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
    expect(lines.map((l) => JSON.parse(l).op)).toEqual(Array(5).fill('created'));
  });

  it('skips a torn last line left by a crash, and keeps the next line whole', async () => {
    const path = await outboxPath();
    await new OutboxTracker(path).createIssue(content('SD-1'));
    await appendFile(path, '{"op":"created","issueKey":"OUTB');
    expect(await new OutboxTracker(path).list()).toHaveLength(1);
    await new OutboxTracker(path).createIssue(content('SD-2'));
    expect((await new OutboxTracker(path).list()).map((i) => i.issueKey)).toEqual(['OUTBOX-1', 'OUTBOX-2']);
  });

  it('refuses an unknown issue key like Jira’s 404', async () => {
    const outbox = new OutboxTracker(await outboxPath());
    await expect(outbox.updateIssue('OUTBOX-9', content())).rejects.toBeInstanceOf(TrackerRejectedError);
    await expect(
      outbox.addComment('OUTBOX-9', { sourceId: 'c', body: textToAdf('x') }),
    ).rejects.toMatchObject({
      status: 404,
      code: ErrorCode.TRACKER_REJECTED,
    });
  });

  it('reports an unwritable outbox as TRACKER_UNAVAILABLE', async () => {
    const dir = await tempDir();
    await appendFile(join(dir, 'file'), '');
    await expect(
      new OutboxTracker(join(dir, 'file', 'outbox.jsonl')).createIssue(content()),
    ).rejects.toMatchObject({
      code: ErrorCode.TRACKER_UNAVAILABLE,
      retryable: true,
    });
  });
});
