import { appendFile, readFile, rename, rm, writeFile } from 'node:fs/promises';
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

  it('sees what another instance appended to the same file, as the CLI beside the server would', async () => {
    const path = await outboxPath();
    const server = new OutboxTracker(path);
    const cli = new OutboxTracker(path);
    expect(await server.createIssue(content('SD-1'))).toEqual({ issueKey: 'OUTBOX-1' });
    expect(await cli.createIssue(content('SD-2'))).toEqual({ issueKey: 'OUTBOX-2' });
    await cli.addComment('OUTBOX-1', { sourceId: 'c1', body: textToAdf('Svar') });
    await cli.updateIssue('OUTBOX-1', content('SD-1', { labels: ['cli'] }));

    expect(await server.findIssue(content('SD-2').source)).toBe('OUTBOX-2');
    expect(await server.createIssue(content('SD-2'))).toEqual({ issueKey: 'OUTBOX-2' });
    expect(await server.syncedItems('OUTBOX-1')).toEqual({
      comments: new Set(['c1']),
      attachments: new Set(),
    });
    await server.addComment('OUTBOX-1', { sourceId: 'c1', body: textToAdf('Svar') });
    await server.updateIssue('OUTBOX-1', content('SD-1', { labels: ['server'], labelsOmitted: true }));
    expect(await server.createIssue(content('SD-3'))).toEqual({ issueKey: 'OUTBOX-3' });
    expect(await cli.createIssue(content('SD-3'))).toEqual({ issueKey: 'OUTBOX-3' });

    const issues = await cli.list();
    expect(issues.map((i) => i.issueKey)).toEqual(['OUTBOX-1', 'OUTBOX-2', 'OUTBOX-3']);
    expect(issues[0]?.comments.map((c) => c.sourceId)).toEqual(['c1']);
    expect(issues[0]?.labels.sort()).toEqual(['cli', 'server']);
  });

  it('starts over when the file is removed or replaced under it', async () => {
    const path = await outboxPath();
    const outbox = new OutboxTracker(path);
    await outbox.createIssue(content('SD-1'));
    await rm(path);
    expect(await outbox.findIssue(content('SD-1').source)).toBeUndefined();
    await expect(outbox.syncedItems('OUTBOX-1')).rejects.toBeInstanceOf(TrackerRejectedError);
    expect(await outbox.createIssue(content('SD-2'))).toEqual({ issueKey: 'OUTBOX-1' });

    const other = `${path}.other`;
    await new OutboxTracker(other).createIssue(content('SD-7'));
    await rename(other, path);
    expect(await outbox.findIssue(content('SD-2').source)).toBeUndefined();
    expect(await outbox.findIssue(content('SD-7').source)).toBe('OUTBOX-1');
  });

  it('keeps appending whole lines after a torn last line appears under a running instance', async () => {
    const path = await outboxPath();
    const outbox = new OutboxTracker(path);
    await outbox.createIssue(content('SD-1'));
    await appendFile(path, '{"op":"comment","issueKey":"OUTB');
    expect(await outbox.createIssue(content('SD-2'))).toEqual({ issueKey: 'OUTBOX-2' });
    await outbox.addComment('OUTBOX-1', { sourceId: 'c1', body: textToAdf('Svar') });
    await outbox.addComment('OUTBOX-2', { sourceId: 'c2', body: textToAdf('Svar') });

    const text = await readFile(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.split('\n').slice(0, -1);
    // The torn line alone does not parse; no line is empty, no line glued to it.
    expect(lines[1]).toBe('{"op":"comment","issueKey":"OUTB');
    expect(lines.filter((_, i) => i !== 1).map((l) => JSON.parse(l).op)).toEqual([
      'created',
      'created',
      'comment',
      'comment',
    ]);
    expect(await outbox.syncedItems('OUTBOX-1')).toEqual({
      comments: new Set(['c1']),
      attachments: new Set(),
    });
    const fresh = new OutboxTracker(path);
    expect((await fresh.list()).map((i) => [i.issueKey, i.comments.map((c) => c.sourceId)])).toEqual([
      ['OUTBOX-1', ['c1']],
      ['OUTBOX-2', ['c2']],
    ]);
    expect(await fresh.syncedItems('OUTBOX-2')).toEqual({
      comments: new Set(['c2']),
      attachments: new Set(),
    });
  });

  it('two instances creating at the same time (the server and the CLI): distinct keys, each ticket once', async () => {
    const path = await outboxPath();
    const [a, b] = [new OutboxTracker(path), new OutboxTracker(path)];
    const ids = Array.from({ length: 20 }, (_, i) => `SD-${i}`);
    const keys = await Promise.all(ids.map((id, i) => (i % 2 ? a : b).createIssue(content(id))));
    expect(new Set(keys.map((k) => k.issueKey)).size).toBe(ids.length);
    expect((await a.list()).map((i) => i.source.ticketId).sort()).toEqual([...ids].sort());
  });

  it('writes only while it holds the lock among processes', async () => {
    const path = await outboxPath();
    await writeFile(`${path}.lock`, String(process.pid)); // another process of ours, alive, holds it
    let written = false;
    const creating = new OutboxTracker(path).createIssue(content('SD-1')).then(() => {
      written = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(written).toBe(false);
    await rm(`${path}.lock`);
    await creating;
    expect((await new OutboxTracker(path).list()).map((i) => i.issueKey)).toEqual(['OUTBOX-1']);
  });

  it('answers after many operations, by two instances, as a fold of the file does', async () => {
    const path = await outboxPath();
    const instances = [new OutboxTracker(path), new OutboxTracker(path)] as const;
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return (seed >>> 16) % n; // an LCG's low bits repeat quickly
    };
    const labelPool = ['a', 'b', 'c', 'd'];
    const someLabels = () => labelPool.filter(() => random(2) === 0);
    for (let step = 0; step < 400; step++) {
      const outbox = instances[random(5) === 0 ? 1 : 0];
      const known = await outbox.list();
      const issue = known[random(known.length + 1)];
      const kind = random(6);
      if (!issue || kind === 0) {
        await outbox.createIssue(content(`SD-${random(40)}`, { labels: someLabels() }));
      } else if (kind === 1) {
        await outbox.updateIssue(
          issue.issueKey,
          content(issue.source.ticketId, { labels: someLabels(), labelsOmitted: random(2) === 0 }),
        );
      } else if (kind <= 3) {
        await outbox.addComment(issue.issueKey, { sourceId: `c${random(4)}`, body: textToAdf('Svar') });
      } else {
        await outbox.addAttachment(issue.issueKey, {
          sourceId: `a${random(3)}`,
          filename: 'x.bin',
          mimeType: 'application/octet-stream',
          content: new Uint8Array([random(256)]),
        });
      }
    }

    const folded = await new OutboxTracker(path).list();
    expect(folded.length).toBeGreaterThan(20);
    for (const outbox of [...instances, new OutboxTracker(path)]) {
      for (const issue of folded) {
        expect(await outbox.findIssue(issue.source)).toBe(issue.issueKey);
        expect(await outbox.syncedItems(issue.issueKey)).toEqual({
          comments: new Set(issue.comments.map((c) => c.sourceId)),
          attachments: new Set(issue.attachments.map((a) => a.sourceId)),
        });
      }
    }
    // Labels: an update without the servicedesk's labels keeps the ones the fold has.
    const [first] = instances;
    for (const issue of folded) {
      await first.updateIssue(
        issue.issueKey,
        content(issue.source.ticketId, { labels: ['z'], labelsOmitted: true }),
      );
    }
    const relabelled = await first.list();
    expect(relabelled.map((i) => [...i.labels].sort())).toEqual(
      folded.map((i) => [...new Set(['z', ...i.labels])].sort()),
    );
    // No duplicates, and the next key follows the fold's issues.
    for (const issue of relabelled) {
      expect(issue.comments.length).toBe(new Set(issue.comments.map((c) => c.sourceId)).size);
      expect(issue.attachments.length).toBe(new Set(issue.attachments.map((a) => a.sourceId)).size);
    }
    expect(new Set(relabelled.map((i) => i.source.ticketId)).size).toBe(relabelled.length);
    expect(await instances[1].createIssue(content('SD-new'))).toEqual({
      issueKey: `OUTBOX-${folded.length + 1}`,
    });
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
