import { describe, expect, it } from 'vitest';
import { decodeJob, encodeJob, groupOf } from '../../lib/sync/job-queue.ts';
import type { SyncJob } from '../../lib/sync/sync-job.ts';

const job = (description: string): SyncJob => ({
  tenant: 'ballerup',
  ticketId: 'SD-1',
  eventId: 'e1',
  receivedAt: '2026-11-22T10:00:00.000Z',
  expiresAt: '2027-11-22T10:00:00.000Z',
  ticket: { tenant: 'ballerup', id: 'SD-1', summary: 'Login fejler', description },
  adf: { description: { type: 'doc', version: 1, content: [] } },
});

describe('job encoding', () => {
  it('round-trips a small job as plain JSON', () => {
    const body = encodeJob(job('kort'));
    expect(body.startsWith('{')).toBe(true);
    expect(decodeJob(body)).toEqual(job('kort'));
  });

  it('compresses a large job so a ticket at the input limit fits in one SQS message (1 MiB)', () => {
    const large = job('Logudskrift fra Nexus, linje for linje. '.repeat(6000));
    const body = encodeJob(large);
    expect(body.startsWith('gz:')).toBe(true);
    expect(body.length).toBeLessThan(100_000);
    expect(decodeJob(body)).toEqual(large);
  });

  it('refuses a message that is not a job this version wrote', () => {
    expect(() => decodeJob('{"tenant":"ballerup"}')).toThrow();
    expect(() => decodeJob('{"x":1')).toThrow();
    expect(() => decodeJob(JSON.stringify({ ...job(''), extra: 1 }))).toThrow();
  });

  it('groups jobs by tenant and ticket', () => {
    expect(groupOf(job(''))).toBe('ballerup/SD-1');
  });
});
