import { createInterface } from 'node:readline';
import { InvalidTicketError } from '../errors.ts';
import { type EmbeddedRuntime, openEmbeddedRuntime } from '../runtime/embedded.ts';
import { sanitizeTicket } from '../sanitize/sanitize-ticket.ts';
import { parseTicket } from '../ticket/generic-ticket.ts';

/** Lines sanitized at once: enough to overlap vault writes, few enough to bound memory. */
const BATCH_LINES = 32;

/**
 * `ticket-proxy sanitize [--jsonl]`: tickets in on stdin, sanitized tickets out on stdout, tokens in
 * the vault. Exit 0, or 2 when a ticket was invalid. A vault or key failure stops the run (exit 1):
 * what was printed before it is complete and recorded.
 */
export async function sanitizeCommand(options: { jsonl: boolean }): Promise<number> {
  const runtime = await openEmbeddedRuntime();
  try {
    return options.jsonl ? await sanitizeLines(runtime) : await sanitizeOne(runtime);
  } finally {
    await runtime.close();
  }
}

async function sanitizeOne(runtime: EmbeddedRuntime): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  try {
    const { ticket } = await sanitizeTicket(parseTicket(Buffer.concat(chunks)), runtime);
    await write(`${JSON.stringify(ticket)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof InvalidTicketError)) throw error;
    console.error(`ticket-proxy: invalid ticket: ${error.message}`);
    return 2;
  }
}

async function sanitizeLines(runtime: EmbeddedRuntime): Promise<number> {
  let invalid = false;
  let batch: { line: number; text: string }[] = [];
  const flush = async () => {
    const results = await Promise.all(
      batch.map(async ({ line, text }) => {
        try {
          return JSON.stringify((await sanitizeTicket(parseTicket(text), runtime)).ticket);
        } catch (error) {
          if (!(error instanceof InvalidTicketError)) throw error;
          invalid = true;
          return JSON.stringify({ error: { line, message: error.message } });
        }
      }),
    );
    batch = [];
    if (results.length > 0) await write(`${results.join('\n')}\n`);
  };

  let line = 0;
  for await (const text of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
    line++;
    batch.push({ line, text });
    if (batch.length >= BATCH_LINES) await flush();
  }
  await flush();
  return invalid ? 2 : 0;
}

function write(text: string): Promise<void> {
  return new Promise((resolve, reject) =>
    process.stdout.write(text, (error) => (error ? reject(error) : resolve())),
  );
}
