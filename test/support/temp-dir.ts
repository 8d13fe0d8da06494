import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A fresh temporary directory per call, all removed when the file's tests are done (servers may outlive a test). */
export function useTempDirs(): () => Promise<string> {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(
      dirs.splice(0).map((d) => rm(d, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 })),
    );
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ticket-proxy-test-'));
    dirs.push(dir);
    return dir;
  };
}
