import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Reads a file that only its owner may read, creating it with `create()` first if it does not exist.
 * The content is written and flushed to a temporary file, then linked into place, so no process ever
 * reads a half-written file, and of two processes starting at once exactly one content wins.
 */
export async function readOrCreatePrivateFile(
  path: string,
  create: () => Uint8Array | string,
): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const temporary = await writePrivateTemporary(path, create());
  try {
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(temporary, { force: true });
  }
  return readFile(path);
}

async function writePrivateTemporary(path: string, content: Uint8Array | string): Promise<string> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomUUID()}.tmp`;
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temporary;
}
