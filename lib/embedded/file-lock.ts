import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Whether a process still runs (a CLI may be writing beside the server). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** No operation holds the lock this long: a lock older than this was left by a process that is gone. */
const STALE_AFTER_MS = 30_000;

/**
 * Runs `work` holding `<path>.lock`, for a file that several local processes write (the server and
 * the CLI's `redrive`). The lock appears whole, with its owner's pid and a token (linked from a file
 * written first, so it is never empty), and is removed only by its owner. A lock whose owner has
 * ended, that names no owner, or that is older than any operation (its pid reused since) is taken
 * over: moved aside first, so that of two processes taking it over, one does.
 * @throws Error naming the owner when the lock stays held longer than `waitMs`.
 */
export async function withFileLock<T>(path: string, work: () => Promise<T>, waitMs = 5000): Promise<T> {
  const lock = `${path}.lock`;
  const token = `${process.pid} ${randomUUID()}`;
  await mkdir(dirname(lock), { recursive: true, mode: 0o700 });
  await acquire(lock, token, Date.now() + waitMs);
  try {
    return await work();
  } finally {
    // Only our own: a lock taken over from us (we were too slow) belongs to its new owner.
    if ((await readFile(lock, 'utf8').catch(() => undefined)) === token) await rm(lock, { force: true });
  }
}

async function acquire(lock: string, token: string, deadline: number): Promise<void> {
  const written = `${lock}.${randomUUID()}.tmp`;
  await writeFile(written, token, { mode: 0o600 });
  try {
    for (;;) {
      try {
        await link(written, lock);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const held = await heldBy(lock);
      if (held === undefined) continue; // released meanwhile
      if (held.stale) {
        await takeOver(lock, held.content);
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${lock} is held by process ${held.pid || 'unknown'}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    await rm(written, { force: true });
  }
}

async function heldBy(lock: string): Promise<{ content: string; pid: number; stale: boolean } | undefined> {
  try {
    const [content, info] = await Promise.all([readFile(lock, 'utf8'), stat(lock)]);
    const pid = Number(content.split(' ')[0]);
    const stale = !(pid > 0) || !isRunning(pid) || Date.now() - info.mtimeMs > STALE_AFTER_MS;
    return { content, pid, stale };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Moves the stale lock aside; if another process had already replaced it with its own, puts that back. */
async function takeOver(lock: string, stale: string): Promise<void> {
  const aside = `${lock}.${randomUUID()}.stale`;
  try {
    await rename(lock, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    if ((await readFile(aside, 'utf8')) !== stale) await link(aside, lock).catch(() => undefined);
  } finally {
    await rm(aside, { force: true });
  }
}
