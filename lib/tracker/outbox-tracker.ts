import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DependencyError, ErrorCode } from '../errors.ts';
import type { GenericTicket } from '../ticket/generic-ticket.ts';
import type { DeliveryReceipt, TicketTracker } from './ticket-tracker.ts';

export interface OutboxEntry {
  issueKey: string;
  deliveredAt: string;
  /** Exactly what a developer would see: the sanitized ticket. */
  ticket: GenericTicket;
}

/** The local stand-in for Jira: sanitized tickets appended to a JSON Lines file. */
export class OutboxTracker implements TicketTracker {
  readonly #path: string;
  #count: number | undefined;
  /** Deliveries run one at a time, so concurrent tickets get distinct keys and whole lines. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    this.#path = path;
  }

  deliver(ticket: GenericTicket): Promise<DeliveryReceipt> {
    const delivery = this.#queue.then(() => this.#append(ticket));
    this.#queue = delivery.catch(() => undefined);
    return delivery;
  }

  async #append(ticket: GenericTicket): Promise<DeliveryReceipt> {
    try {
      this.#count ??= (await this.list()).length;
      const entry: OutboxEntry = {
        issueKey: `OUTBOX-${++this.#count}`,
        deliveredAt: new Date().toISOString(),
        ticket,
      };
      await mkdir(dirname(this.#path), { recursive: true, mode: 0o700 });
      // One write of one line: a crash leaves the file with whole entries only, at worst a torn last line.
      await appendFile(this.#path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
      return { issueKey: entry.issueKey };
    } catch (error) {
      throw new DependencyError(ErrorCode.TRACKER_UNAVAILABLE, 'could not write to the local outbox', error);
    }
  }

  /** Every delivered ticket, oldest first. A torn last line (a crash mid-write) is skipped. */
  async list(): Promise<OutboxEntry[]> {
    const text = await readFile(this.#path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    return text.split('\n').flatMap((line) => {
      try {
        return line ? [JSON.parse(line) as OutboxEntry] : [];
      } catch {
        return [];
      }
    });
  }
}
