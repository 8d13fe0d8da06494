#!/usr/bin/env node
// `npx ticket-proxy COMMAND` (CONTRACTS.md §3), on the embedded default.
import { parseArgs } from 'node:util';
import { TicketProxyError } from '../errors.ts';
import { sanitizeCommand } from './sanitize-command.ts';
import { sendCommand } from './send-command.ts';
import { sweepCommand } from './sweep-command.ts';

const USAGE = `usage: ticket-proxy COMMAND

  sanitize [--jsonl]        sanitize one ticket (JSON on stdin), or one per line with --jsonl
  send [FILE] [--url URL]   sign and send a ticket to the local server (default: the bundled sample)
  sweep [--now ISO-TIME]    delete tickets past their retention, and every token only they used

data directory: $TICKET_PROXY_DATA_DIR (default .data/ in the repository root)
retention:      $TICKET_PROXY_RETENTION, e.g. {"default":{"afterCloseDays":90,"maxAgeDays":365}}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'sanitize': {
      const { values } = parseArgs({ args: rest, options: { jsonl: { type: 'boolean', default: false } } });
      return sanitizeCommand({ jsonl: values.jsonl });
    }
    case 'send': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { url: { type: 'string', default: `http://127.0.0.1:${process.env.PORT ?? 8787}` } },
      });
      return sendCommand({ file: positionals[0], url: values.url });
    }
    case 'sweep': {
      const { values } = parseArgs({ args: rest, options: { now: { type: 'string' } } });
      const now = values.now === undefined ? new Date() : new Date(values.now);
      if (Number.isNaN(now.getTime())) {
        console.error(`ticket-proxy: --now must be an ISO date and time, such as 2027-01-31T00:00:00Z`);
        return 2;
      }
      return sweepCommand({ now });
    }
    case undefined:
    case '--help':
    case 'help':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const code = (error as { code?: unknown })?.code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      console.error(`ticket-proxy: ${(error as Error).message}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    // Our own errors carry safe messages; others might quote ticket content, so only their name is shown.
    console.error(
      error instanceof TicketProxyError
        ? `ticket-proxy: ${error.code}: ${error.message}`
        : `ticket-proxy: unexpected ${(error as Error)?.name ?? 'error'} (set TICKET_PROXY_DEBUG=1 for details)`,
    );
    if (process.env.TICKET_PROXY_DEBUG) console.error(error);
    process.exitCode = 1;
  },
);
