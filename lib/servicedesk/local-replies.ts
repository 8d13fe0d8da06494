import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DependencyError, ErrorCode } from '../errors.ts';
import type { ServicedeskReplies, ServicedeskReply } from './servicedesk-replies.ts';

/**
 * The local stand-in for a servicedesk: replies appended to a JSON Lines file in the data directory
 * (private, like the vault beside it), readable at `GET /replies` on the local server.
 */
export class LocalReplies implements ServicedeskReplies {
  readonly #path: string;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    this.#path = path;
  }

  post(reply: ServicedeskReply): Promise<void> {
    const write = this.#queue.then(async () => {
      try {
        await mkdir(dirname(this.#path), { recursive: true, mode: 0o700 });
        await appendFile(this.#path, `${JSON.stringify(reply)}\n`, { mode: 0o600 });
      } catch (error) {
        throw new DependencyError(
          ErrorCode.SERVICEDESK_UNAVAILABLE,
          'could not write the local reply',
          error,
        );
      }
    });
    this.#queue = write.catch(() => undefined);
    return write;
  }

  async list(): Promise<ServicedeskReply[]> {
    const text = await readFile(this.#path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    return text.split('\n').flatMap((line) => {
      try {
        return line ? [JSON.parse(line) as ServicedeskReply] : [];
      } catch {
        return [];
      }
    });
  }
}
