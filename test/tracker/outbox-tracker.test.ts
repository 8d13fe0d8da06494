import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors.ts';
import { OutboxTracker } from '../../lib/tracker/outbox-tracker.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();
const ticket = { tenant: 'ballerup', id: 'SD-1', summary: 'CPR_AAAAAAAAAAAAAAAA', description: '' };

describe('OutboxTracker', () => {
  it('appends tickets with increasing keys and lists them oldest first, across instances', async () => {
    const path = join(await tempDir(), 'outbox.jsonl');
    expect(await new OutboxTracker(path).list()).toEqual([]);
    expect(await new OutboxTracker(path).deliver(ticket)).toEqual({ issueKey: 'OUTBOX-1' });
    expect(await new OutboxTracker(path).deliver({ ...ticket, id: 'SD-2' })).toEqual({
      issueKey: 'OUTBOX-2',
    });
    const entries = await new OutboxTracker(path).list();
    expect(entries.map((e) => [e.issueKey, e.ticket.id])).toEqual([
      ['OUTBOX-1', 'SD-1'],
      ['OUTBOX-2', 'SD-2'],
    ]);
  });

  it('gives concurrent deliveries distinct keys and whole lines', async () => {
    const outbox = new OutboxTracker(join(await tempDir(), 'outbox.jsonl'));
    const receipts = await Promise.all(
      Array.from({ length: 5 }, (_, i) => outbox.deliver({ ...ticket, id: `SD-${i}` })),
    );
    expect(receipts.map((r) => r.issueKey).sort()).toEqual([
      'OUTBOX-1',
      'OUTBOX-2',
      'OUTBOX-3',
      'OUTBOX-4',
      'OUTBOX-5',
    ]);
    expect(await outbox.list()).toHaveLength(5);
  });

  it('skips a torn last line left by a crash', async () => {
    const path = join(await tempDir(), 'outbox.jsonl');
    await new OutboxTracker(path).deliver(ticket);
    await appendFile(path, '{"issueKey":"OUTB');
    expect(await new OutboxTracker(path).list()).toHaveLength(1);
  });

  it('reports an unwritable outbox as TRACKER_UNAVAILABLE', async () => {
    const dir = await tempDir();
    await appendFile(join(dir, 'file'), '');
    await expect(new OutboxTracker(join(dir, 'file', 'outbox.jsonl')).deliver(ticket)).rejects.toMatchObject({
      code: ErrorCode.TRACKER_UNAVAILABLE,
    });
  });
});
