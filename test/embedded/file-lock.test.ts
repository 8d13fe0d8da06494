import { spawnSync } from 'node:child_process';
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRunning, withFileLock } from '../../lib/embedded/file-lock.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
/** The pid of a process that has ended. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid as number;

describe('withFileLock', () => {
  it('runs one piece of work at a time, holding the lock with its pid and a token, and removes it after', async () => {
    const path = join(await tempDir(), 'nested', 'outbox.jsonl');
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        withFileLock(path, async () => {
          most = Math.max(most, ++inside);
          expect(await readFile(`${path}.lock`, 'utf8')).toMatch(
            new RegExp(`^${process.pid} [0-9a-f-]{36}$`),
          );
          await new Promise((resolve) => setTimeout(resolve, 2));
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(await exists(`${path}.lock`)).toBe(false);
  });

  it('removes the lock when the work fails, and passes the failure on', async () => {
    const path = join(await tempDir(), 'outbox.jsonl');
    await expect(withFileLock(path, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await exists(`${path}.lock`)).toBe(false);
  });

  it('takes over a lock whose owner was killed', async () => {
    const path = join(await tempDir(), 'outbox.jsonl');
    const dead = deadPid();
    expect(isRunning(dead)).toBe(false);
    await writeFile(`${path}.lock`, String(dead));
    expect(await withFileLock(path, async () => 'done')).toBe('done');
  });

  it.each([
    ['names no owner (empty)', '', 0],
    ['is garbled', 'not a pid', 0],
    ['names a live process but is older than any operation (its pid reused)', String(process.pid), 60],
  ])('takes over a lock that %s', async (_, content, ageSeconds) => {
    const path = join(await tempDir(), 'outbox.jsonl');
    await writeFile(`${path}.lock`, content);
    const then = new Date(Date.now() - ageSeconds * 1000);
    await utimes(`${path}.lock`, then, then);
    expect(await withFileLock(path, async () => 'done', 200)).toBe('done');
    expect(await exists(`${path}.lock`)).toBe(false);
  });

  it('leaves a lock that is no longer its own (taken over meanwhile) to its new owner', async () => {
    const path = join(await tempDir(), 'outbox.jsonl');
    await withFileLock(path, async () => {
      await writeFile(`${path}.lock`, `${process.pid} someone-else`);
    });
    expect(await readFile(`${path}.lock`, 'utf8')).toBe(`${process.pid} someone-else`);
  });

  it('gives up naming the owner when a live process keeps it', async () => {
    const path = join(await tempDir(), 'outbox.jsonl');
    await writeFile(`${path}.lock`, String(process.pid));
    await expect(withFileLock(path, async () => 'never', 50)).rejects.toThrow(
      `${path}.lock is held by process ${process.pid}`,
    );
  });
});
