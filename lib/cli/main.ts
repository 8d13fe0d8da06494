#!/usr/bin/env node
// `npx ticket-proxy COMMAND` (CONTRACTS.md §3), on the embedded default.
import { parseArgs } from 'node:util';
import { TicketProxyError } from '../errors.ts';
import { auditCommand } from './audit-command.ts';
import { grantsCommand } from './grants-command.ts';
import { loginCommand } from './login-command.ts';
import { redriveCommand } from './redrive-command.ts';
import { reidentifyCommand } from './reidentify-command.ts';
import { replyCommand } from './reply-command.ts';
import { sanitizeCommand } from './sanitize-command.ts';
import { sendCommand } from './send-command.ts';
import { sweepCommand } from './sweep-command.ts';

const USAGE = `usage: ticket-proxy COMMAND

  sanitize [--jsonl]        sanitize one ticket (JSON on stdin), or one per line with --jsonl
  send [FILE] [--url URL]   sign and send a ticket to the local server (default: the bundled sample)
  sweep [--now ISO-TIME]    delete tickets past their retention, and every token only they used
  reidentify --actor USER --purpose TEXT [--tenant T] TOKEN…
                            print TOKEN<TAB>VALUE per token; every call is recorded in the audit log
  audit list [--json]       print the audit log, oldest first (filters: --actor, --tenant, --token, --since)
  audit verify              check the audit log for changes and gaps; exit 1 naming the first broken record
  audit seen --actor YOU --purpose TEXT (--cpr N | --name N | --email E | --phone P)…
                            who has seen this citizen's data (the lookup itself is recorded)
  audit activity USER       what USER did, and why; audit review: every grant, its last use (--csv for both)
  grants list|add|revoke|reattest|blocked|unblock …
                            the administrator's commands; every change is recorded (grants --help)
  login --user SUBJECT [--no-mfa]
                            print a login (JWT) from the local development issuer for the staff API
  login --user SUBJECT --code
                            print the one-time code the console's local login page asks for
  redrive [--dead-letter-queue ARN]
                            put jobs the Jira writer gave up on back in line and write them now
                            (with an ARN: move a deployed stack's dead-letter queue back to its queue)
  reply ISSUE-KEY TEXT [--url URL]
                            send what Jira sends when a developer comments, to the local server

data directory: $TICKET_PROXY_DATA_DIR (default .data/ in the repository root)
retention:      $TICKET_PROXY_RETENTION, e.g. {"default":{"afterCloseDays":90,"maxAgeDays":365}}
audit log kept: $TICKET_PROXY_AUDIT_RETENTION_DAYS days (184, six months, to 1827, five years; default 184)`;

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
    case 'redrive': {
      const { values } = parseArgs({ args: rest, options: { 'dead-letter-queue': { type: 'string' } } });
      return redriveCommand({ deadLetterQueueArn: values['dead-letter-queue'] });
    }
    case 'reply': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { url: { type: 'string', default: `http://127.0.0.1:${process.env.PORT ?? 8787}` } },
      });
      const [issueKey, ...words] = positionals;
      if (!issueKey || words.length === 0) {
        console.error(`ticket-proxy: reply needs an issue key and a text\n\n${USAGE}`);
        return 2;
      }
      return replyCommand({ issueKey, text: words.join(' '), url: values.url });
    }
    case 'reidentify':
      return reidentifyCommand(rest);
    case 'audit':
      return auditCommand(rest);
    case 'grants':
      return grantsCommand(rest);
    case 'login':
      return loginCommand(rest);
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
