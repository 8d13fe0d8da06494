import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isRunning } from '../embedded/file-lock.ts';
import { DependencyError, ErrorCode, TicketProxyError, TrackerSettlingError } from '../errors.ts';
import { decodeJob, encodeJob, groupOf, type JobQueue } from './job-queue.ts';
import type { SyncJob } from './sync-job.ts';

/** What the worker does with a job; it throws to have the job retried or set aside. */
export type JobHandler = (job: SyncJob) => Promise<unknown>;

export interface FileJobQueueOptions {
  /** Attempts before a job that keeps failing is set aside in `dead/`. @default 5 */
  maxAttempts?: number;
  /** Wait before attempt n+1 (n ≥ 1). @default 1 s, doubling, at most 60 s */
  backoffMs?: (attempts: number) => number;
  now?: () => number;
}

interface StoredJob {
  body: string;
  attempts: number;
  /** Epoch ms before which the job is not retried. */
  notBefore: number;
  /** Stable error code of the last failure. */
  lastError?: string;
}

export interface DeadJob {
  file: string;
  tenant: string;
  ticketId: string;
  attempts: number;
  lastError: string | undefined;
}

/**
 * The local queue: one file per job in the data directory, so a job the server accepted survives a
 * restart. `pending/` waits, `inflight/` is being worked on (claimed by an atomic rename), `dead/`
 * failed for good and waits for `ticket-proxy redrive`. Jobs of one ticket are worked on in order.
 * A job that asks to wait (TrackerSettlingError) waits as long as it asks, without using an attempt.
 */
export class FileJobQueue implements JobQueue {
  readonly #dirs: { pending: string; inflight: string; dead: string };
  readonly #maxAttempts: number;
  readonly #backoffMs: (attempts: number) => number;
  readonly #now: () => number;
  #sequence = 0;
  #wake: (() => void) | undefined;
  #woken = false;
  #stopped = true;
  #loop: Promise<void> | undefined;

  constructor(dir: string, options: FileJobQueueOptions = {}) {
    this.#dirs = { pending: join(dir, 'pending'), inflight: join(dir, 'inflight'), dead: join(dir, 'dead') };
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#backoffMs = options.backoffMs ?? ((n) => Math.min(1000 * 2 ** (n - 1), 60_000));
    this.#now = options.now ?? Date.now;
  }

  async enqueue(job: SyncJob): Promise<void> {
    try {
      await this.#makeDirs();
      const event = digest(job.eventId, 16);
      // A redelivered webhook whose first copy still waits is the same job. Only whole jobs count: a
      // file still being written (or left half-written by a crash) is not one.
      const waiting = [...(await readdir(this.#dirs.pending)), ...(await readdir(this.#dirs.inflight))];
      if (waiting.some((name) => name.endsWith(`-${event}.json`))) return;
      const name = `${String(this.#now()).padStart(15, '0')}-${String(++this.#sequence).padStart(6, '0')}-${digest(groupOf(job), 12)}-${event}.json`;
      await this.#write(join(this.#dirs.pending, name), { body: encodeJob(job), attempts: 0, notBefore: 0 });
    } catch (error) {
      throw new DependencyError(ErrorCode.QUEUE_UNAVAILABLE, 'could not queue the sanitized ticket', error);
    }
    this.#notify();
  }

  /**
   * Works on every job that is due, oldest first, one ticket's jobs in order; returns how many were
   * finished (delivered or set aside).
   */
  async drain(handler: JobHandler): Promise<number> {
    await this.#makeDirs();
    let finished = 0;
    for (;;) {
      const claimed = await this.#claimNext();
      if (!claimed) return finished;
      if (await this.#work(claimed, handler)) finished++;
    }
  }

  /** Works on jobs as they come until {@link stop}. */
  start(handler: JobHandler, pollMs = 1000): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#loop = (async () => {
      while (!this.#stopped) {
        this.#woken = false;
        await this.drain(handler).catch(() => undefined);
        // A job enqueued while draining woke nobody: go round again at once.
        if (this.#woken) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = undefined;
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#notify();
    await this.#loop;
  }

  /**
   * Jobs a crashed process left claimed go back to wait, and what it left half-written goes (the
   * servicedesk's retry of that delivery queues it whole); only for the process that serves the
   * data directory.
   */
  async recover(): Promise<number> {
    await this.#makeDirs();
    for (const dir of Object.values(this.#dirs)) {
      for (const name of await readdir(dir)) {
        const writer = /\.(\d+)\.tmp$/.exec(name)?.[1];
        if (writer && !isRunning(Number(writer))) await rm(join(dir, name), { force: true });
      }
    }
    const names = await readdir(this.#dirs.inflight);
    for (const name of names) await rename(join(this.#dirs.inflight, name), join(this.#dirs.pending, name));
    return names.length;
  }

  async dead(): Promise<DeadJob[]> {
    await this.#makeDirs();
    const names = (await readdir(this.#dirs.dead)).filter((n) => n.endsWith('.json')).sort();
    return Promise.all(
      names.map(async (file) => {
        const stored = await this.#read(join(this.#dirs.dead, file));
        const job = decodeJob(stored.body);
        return {
          file,
          tenant: job.tenant,
          ticketId: job.ticketId,
          attempts: stored.attempts,
          lastError: stored.lastError,
        };
      }),
    );
  }

  /** How many jobs wait in line (not due yet, or not yet claimed). */
  async waiting(): Promise<number> {
    await this.#makeDirs();
    return (await readdir(this.#dirs.pending)).filter((n) => n.endsWith('.json')).length;
  }

  /** Puts every dead job back in line, with its attempts reset; returns how many. */
  async redrive(): Promise<number> {
    const dead = await this.dead();
    for (const { file } of dead) {
      const stored = await this.#read(join(this.#dirs.dead, file));
      await this.#write(join(this.#dirs.pending, file), { body: stored.body, attempts: 0, notBefore: 0 });
      await rm(join(this.#dirs.dead, file));
    }
    if (dead.length > 0) this.#notify();
    return dead.length;
  }

  #notify(): void {
    this.#woken = true;
    this.#wake?.();
  }

  async #claimNext(): Promise<{ name: string; stored: StoredJob } | undefined> {
    const now = this.#now();
    const busy = new Set((await readdir(this.#dirs.inflight)).map(groupPart));
    const names = (await readdir(this.#dirs.pending)).filter((n) => n.endsWith('.json')).sort();
    for (const name of names) {
      const group = groupPart(name);
      if (busy.has(group)) continue;
      // Whatever happens to this job, the ticket's later jobs wait for it.
      busy.add(group);
      let stored: StoredJob;
      try {
        stored = await this.#read(join(this.#dirs.pending, name));
      } catch {
        continue; // claimed by another process meanwhile, or half-written by a crash
      }
      if (stored.notBefore > now) continue;
      try {
        await rename(join(this.#dirs.pending, name), join(this.#dirs.inflight, name));
      } catch {
        continue;
      }
      return { name, stored };
    }
    return undefined;
  }

  /** True when the job left the queue's working set (delivered or dead). */
  async #work({ name, stored }: { name: string; stored: StoredJob }, handler: JobHandler): Promise<boolean> {
    const inflight = join(this.#dirs.inflight, name);
    let failure: unknown;
    try {
      await handler(decodeJob(stored.body));
      await rm(inflight);
      return true;
    } catch (error) {
      failure = error;
    }
    const lastError = failure instanceof TicketProxyError ? failure.code : 'INTERNAL';
    if (failure instanceof TrackerSettlingError) {
      // Not a failed attempt but a wait the job asked for: bounded, since once it has passed the job
      // proceeds (and a failure then counts).
      const notBefore = this.#now() + failure.retryAfterMs;
      await this.#write(join(this.#dirs.pending, name), { ...stored, notBefore, lastError });
      await rm(inflight);
      return false;
    }
    const attempts = stored.attempts + 1;
    const retryable = failure instanceof TicketProxyError && failure.retryable;
    if (retryable && attempts < this.#maxAttempts) {
      const advised = (failure as TicketProxyError).retryAfterMs ?? 0;
      const notBefore = this.#now() + Math.max(this.#backoffMs(attempts), advised);
      await this.#write(join(this.#dirs.pending, name), { ...stored, attempts, notBefore, lastError });
      await rm(inflight);
      return false;
    }
    await this.#write(join(this.#dirs.dead, name), { ...stored, attempts, notBefore: 0, lastError });
    await rm(inflight);
    return true;
  }

  async #makeDirs(): Promise<void> {
    for (const dir of Object.values(this.#dirs)) await mkdir(dir, { recursive: true, mode: 0o700 });
  }

  async #read(path: string): Promise<StoredJob> {
    return JSON.parse(await readFile(path, 'utf8')) as StoredJob;
  }

  /** Written aside and renamed into place: a reader never sees half a job. */
  async #write(path: string, stored: StoredJob): Promise<void> {
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(stored), { mode: 0o600 });
    await rename(temporary, path);
  }
}

const digest = (value: string, length: number) =>
  createHash('sha256').update(value).digest('hex').slice(0, length);

/** `<time>-<sequence>-<group>-<event>.json` → group. */
const groupPart = (name: string) => name.split('-')[2] ?? name;
