import { mkdir, open, readFile, rm } from 'node:fs/promises';
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

/**
 * Runs `work` holding `<path>.lock`, for a file that several local processes write (the server and
 * the CLI's `redrive`). The lock is created exclusively and holds its owner's pid; one whose owner
 * is gone (killed mid-operation) is taken over.
 * @throws Error naming the owner when the lock stays held longer than `waitMs`.
 */
export async function withFileLock<T>(path: string, work: () => Promise<T>, waitMs = 5000): Promise<T> {
  const lock = `${path}.lock`;
  await mkdir(dirname(lock), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const handle = await open(lock, 'wx', 0o600);
      try {
        await handle.writeFile(String(process.pid));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // An empty lock is one being written: its owner is alive.
      const owner = Number(await readFile(lock, 'utf8').catch(() => ''));
      if (owner > 0 && !isRunning(owner)) {
        await rm(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${lock} is held by process ${owner || 'unknown'}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}
