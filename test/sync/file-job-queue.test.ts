import { readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DependencyError, ErrorCode, TrackerRejectedError, TrackerSettlingError } from '../../lib/errors.ts';
import { FileJobQueue } from '../../lib/sync/file-job-queue.ts';
import type { SyncJob } from '../../lib/sync/sync-job.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();

const job = (ticketId: string, eventId = `${ticketId}-event`): SyncJob => ({
  tenant: 'ballerup',
  ticketId,
  eventId,
  receivedAt: '2026-11-22T10:00:00.000Z',
  expiresAt: '2027-11-22T10:00:00.000Z',
  ticket: { tenant: 'ballerup', id: ticketId, summary: 'Printer virker ikke', description: '' },
});

async function queueIn(now = { ms: 1_000_000 }) {
  const dir = await tempDir();
  const queue = new FileJobQueue(dir, { maxAttempts: 3, backoffMs: () => 1000, now: () => now.ms });
  return { dir, queue, now };
}

const unavailable = () => new DependencyError(ErrorCode.TRACKER_UNAVAILABLE, 'down');

describe('FileJobQueue', () => {
  it('hands out jobs oldest first, and removes each once handled', async () => {
    const { dir, queue } = await queueIn();
    await queue.enqueue(job('SD-1'));
    await queue.enqueue(job('SD-2'));
    const seen: string[] = [];
    expect(await queue.drain(async (j) => seen.push(j.ticketId))).toBe(2);
    expect(seen).toEqual(['SD-1', 'SD-2']);
    expect(await readdir(join(dir, 'pending'))).toEqual([]);
    expect(await queue.waiting()).toBe(0);
  });

  it('counts the jobs that wait in line', async () => {
    const { queue } = await queueIn();
    await queue.enqueue(job('SD-1'));
    await queue.enqueue(job('SD-2'));
    expect(await queue.waiting()).toBe(2);
  });

  it('takes a redelivered event only once while the first copy waits', async () => {
    const { queue } = await queueIn();
    await queue.enqueue(job('SD-1', 'same'));
    await queue.enqueue(job('SD-1', 'same'));
    expect(await queue.drain(async () => undefined)).toBe(1);
  });

  it('queues a redelivery whose first copy a crash left half-written, and removes the leftover at the next start', async () => {
    const { dir, queue } = await queueIn();
    await queue.enqueue(job('SD-1', 'same'));
    // What a process killed between writing the job aside and renaming it leaves behind.
    const [name] = await readdir(join(dir, 'pending'));
    const leftover = `${name}.999999999.tmp`;
    await rename(join(dir, 'pending', name as string), join(dir, 'pending', leftover));
    await queue.enqueue(job('SD-1', 'same'));
    expect(await queue.drain(async () => undefined)).toBe(1);
    await queue.recover();
    expect(await readdir(join(dir, 'pending'))).toEqual([]);
  });

  it("retries a failed job after its backoff, holding back the same ticket's later jobs but not others", async () => {
    const { queue, now } = await queueIn();
    await queue.enqueue(job('SD-1', 'a'));
    await queue.enqueue(job('SD-1', 'b'));
    await queue.enqueue(job('SD-2', 'c'));
    const seen: string[] = [];
    let fail = true;
    const handler = async (j: SyncJob) => {
      if (j.eventId === 'a' && fail) throw unavailable();
      seen.push(j.eventId);
    };
    await queue.drain(handler);
    expect(seen).toEqual(['c']);
    fail = false;
    await queue.drain(handler);
    expect(seen).toEqual(['c']); // not due yet
    now.ms += 1000;
    await queue.drain(handler);
    expect(seen).toEqual(['c', 'a', 'b']);
  });

  it('sets a job aside after its last attempt, and redrive puts it back with its attempts reset', async () => {
    const { queue, now } = await queueIn();
    await queue.enqueue(job('SD-1'));
    for (let i = 0; i < 3; i++) {
      await queue.drain(async () => {
        throw unavailable();
      });
      now.ms += 1000;
    }
    expect(await queue.dead()).toMatchObject([
      { tenant: 'ballerup', ticketId: 'SD-1', attempts: 3, lastError: 'TRACKER_UNAVAILABLE' },
    ]);
    expect(await queue.redrive()).toBe(1);
    expect(await queue.dead()).toEqual([]);
    const seen: string[] = [];
    await queue.drain(async (j) => seen.push(j.ticketId));
    expect(seen).toEqual(['SD-1']);
  });

  it('lets a job wait as long as it asks (an unconfirmed create settling), without using an attempt, holding back its ticket only', async () => {
    const { dir, queue, now } = await queueIn();
    await queue.enqueue(job('SD-1', 'a'));
    await queue.enqueue(job('SD-1', 'b'));
    await queue.enqueue(job('SD-2', 'c'));
    const seen: string[] = [];
    let failures = 0;
    let settling = 0;
    const handler = async (j: SyncJob) => {
      if (j.eventId === 'a' && failures < 2) {
        failures++;
        throw unavailable();
      }
      if (j.eventId === 'a' && settling < 3) {
        settling++;
        throw new TrackerSettlingError('not searchable yet', 60_000);
      }
      seen.push(j.eventId);
    };
    // Two real failures and three waits: more than maxAttempts (3) in all, yet the job is not dead.
    await queue.drain(handler);
    expect(seen).toEqual(['c']);
    for (const step of [1000, 1000, 59_999, 1, 60_000, 60_000]) {
      now.ms += step;
      await queue.drain(handler);
      expect(await queue.dead()).toEqual([]);
      if (step === 59_999) expect(settling).toBe(1); // not due before the minute it asked for
    }
    expect(seen).toEqual(['c', 'a', 'b']);
    expect(failures).toBe(2);
    expect(settling).toBe(3);
    expect(await readdir(join(dir, 'pending'))).toEqual([]);
  });

  it('honours a wait a failure advises when it is longer than the backoff', async () => {
    const { queue, now } = await queueIn();
    await queue.enqueue(job('SD-1'));
    let calls = 0;
    const handler = async () => {
      calls++;
      if (calls === 1)
        throw new DependencyError(ErrorCode.TRACKER_UNAVAILABLE, 'rate limited', undefined, 5_000);
    };
    await queue.drain(handler);
    now.ms += 1000;
    await queue.drain(handler);
    expect(calls).toBe(1);
    now.ms += 4000;
    await queue.drain(handler);
    expect(calls).toBe(2);
  });

  it('sets a job the tracker refuses for good aside at once', async () => {
    const { queue } = await queueIn();
    await queue.enqueue(job('SD-1'));
    await queue.drain(async () => {
      throw new TrackerRejectedError(400, 'project does not exist');
    });
    expect(await queue.dead()).toMatchObject([{ attempts: 1, lastError: 'TRACKER_REJECTED' }]);
  });

  it('gives jobs a crashed process had claimed back on recover', async () => {
    const { dir, queue } = await queueIn();
    await queue.enqueue(job('SD-1'));
    const [name] = await readdir(join(dir, 'pending'));
    const { rename } = await import('node:fs/promises');
    await rename(join(dir, 'pending', name as string), join(dir, 'inflight', name as string));
    expect(await queue.drain(async () => undefined)).toBe(0);
    expect(await queue.recover()).toBe(1);
    expect(await queue.drain(async () => undefined)).toBe(1);
  });

  it('works on jobs as they come once started', async () => {
    const { queue } = await queueIn();
    const seen: string[] = [];
    const done = new Promise<void>((resolve) => {
      queue.start(async (j) => {
        seen.push(j.ticketId);
        resolve();
      }, 10_000);
    });
    await queue.enqueue(job('SD-9'));
    await done;
    await queue.stop();
    expect(seen).toEqual(['SD-9']);
  });
});
