import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOrCreatePrivateFile } from '../../lib/embedded/private-file.ts';
import { REPOSITORY_ROOT, run } from '../support/processes.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();

describe('private files', () => {
  it('creates a file only its owner can read, once', async () => {
    const path = join(await tempDir(), 'deeper', 'secret');
    expect((await readOrCreatePrivateFile(path, () => 'first')).toString()).toBe('first');
    expect((await readOrCreatePrivateFile(path, () => 'second')).toString()).toBe('first');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('gives every one of several processes starting at once the same, complete content', async () => {
    const path = join(await tempDir(), 'secret');
    const script = `import { readOrCreatePrivateFile } from '${REPOSITORY_ROOT}lib/embedded/private-file.ts';
      import { randomBytes } from 'node:crypto';
      process.stdout.write((await readOrCreatePrivateFile('${path}', () => randomBytes(32).toString('hex'))).toString());`;
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => run(`node --input-type=module -e "${script.replace(/"/g, '\\"')}"`)),
    );
    const contents = new Set(runs.map((r) => r.stdout));
    expect(runs.map((r) => r.code)).toEqual(Array(8).fill(0));
    expect(contents.size).toBe(1);
    expect([...contents][0]).toMatch(/^[0-9a-f]{64}$/);
  });
});
