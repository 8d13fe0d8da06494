import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AuditFilter, AuditRecord } from '../audit/audit-log.ts';
import { CITIZEN_IDENTIFIERS, type CitizenQuery, checkCitizenQuery } from '../audit/citizen-tokens.ts';
import { accessReview, recordsCsv, reviewCsv, seenCsv, userActivity } from '../audit/dpo-reports.ts';
import { DynamoAuditLog } from '../audit/dynamo-audit-log.ts';
import { openEmbeddedRuntime } from '../runtime/embedded.ts';
import { staffServiceFor } from '../staff/staff-service.ts';
import { printReview } from './grants-command.ts';
import { cell, printTable, table, write } from './output.ts';

export const AUDIT_USAGE = `usage: ticket-proxy audit list [--json] [--actor USER] [--tenant T] [--token TOKEN] [--since ISO-TIME]
       ticket-proxy audit verify
       ticket-proxy audit seen --actor YOU --purpose TEXT [--tenant T] (--cpr N | --name N | --email E | --phone P | --address A)… [--csv]
       ticket-proxy audit activity USER [--csv]
       ticket-proxy audit review [--tenant T] [--csv]`;

/** `ticket-proxy audit list|verify` (CONTRACTS.md §3). */
export async function auditCommand(args: readonly string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === 'list') {
    const { values } = parseArgs({
      args: rest,
      options: {
        json: { type: 'boolean', default: false },
        actor: { type: 'string' },
        tenant: { type: 'string' },
        token: { type: 'string' },
        since: { type: 'string' },
      },
    });
    const since = values.since === undefined ? undefined : new Date(values.since);
    if (since && Number.isNaN(since.getTime())) {
      console.error('ticket-proxy: --since must be an ISO date and time, such as 2027-01-31T00:00:00Z');
      return 2;
    }
    const { json, ...filter } = values;
    return withAuditLog((log) => listRecords(log, { ...filter, since }, json));
  }
  if (subcommand === 'verify') {
    parseArgs({ args: rest, options: {} });
    return withAuditLog(verifyRecords);
  }
  if (subcommand === 'seen') return seenCommand(rest);
  if (subcommand === 'activity') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { csv: { type: 'boolean', default: false } },
    });
    const [user] = positionals;
    if (!user) {
      console.error(`ticket-proxy: name the USER (subject id) whose activity to list\n\n${AUDIT_USAGE}`);
      return 2;
    }
    return withAuditLog(async (log) => {
      const records = await userActivity(user, log.list({ actor: user }));
      if (values.csv) await write(recordsCsv(records));
      else await printRecords(records);
      return 0;
    });
  }
  if (subcommand === 'review') {
    const { values } = parseArgs({
      args: rest,
      options: { csv: { type: 'boolean', default: false }, tenant: { type: 'string' } },
    });
    const runtime = await openEmbeddedRuntime();
    try {
      const rows = accessReview(
        await runtime.access.listGrants(values.tenant === undefined ? {} : { tenant: values.tenant }),
        new Date(),
      );
      if (values.csv) await write(reviewCsv(rows));
      else {
        await printReview(rows);
      }
      return 0;
    } finally {
      await runtime.close();
    }
  }
  console.error(
    subcommand === undefined ? AUDIT_USAGE : `unknown audit command "${subcommand}"\n\n${AUDIT_USAGE}`,
  );
  return 2;
}

/**
 * The embedded default's audit log, or a deployed stack's when TICKET_PROXY_AUDIT_TABLE names it
 * (the AuditTableName output; the AWS SDK's usual credentials): `list`, `verify` and `activity`
 * read it, for the DPO and before a teardown.
 */
async function withAuditLog(use: (log: DynamoAuditLog) => Promise<number>): Promise<number> {
  const tableName = process.env.TICKET_PROXY_AUDIT_TABLE;
  if (tableName) {
    const client = new DynamoDBClient({});
    try {
      return await use(new DynamoAuditLog(client, { tableName }));
    } finally {
      client.destroy();
    }
  }
  const runtime = await openEmbeddedRuntime();
  try {
    return await use(runtime.audit);
  } finally {
    await runtime.close();
  }
}

/** Oldest first: with `json` one object per line as it comes, otherwise an aligned table. */
async function listRecords(log: DynamoAuditLog, filter: AuditFilter, json: boolean): Promise<number> {
  if (json) {
    for await (const record of log.list(filter)) await write(`${JSON.stringify(asJson(record))}\n`);
    return 0;
  }
  const records: AuditRecord[] = [];
  for await (const r of log.list(filter)) records.push(r);
  await printRecords(records);
  return 0;
}

async function printRecords(records: readonly AuditRecord[]): Promise<void> {
  const rows = [
    ['ID', 'TIME', 'ACTOR', 'SOURCE', 'ACTION', 'TENANT', 'OUTCOME', 'REASON', 'TOKENS', 'PURPOSE'],
  ];
  for (const r of records) {
    const tokens = r.tokens.map((t) => (r.withheld?.includes(t) ? `(${t})` : t)).join(' ');
    const reason =
      r.subject === undefined ? r.reason : [r.reason, `user ${r.subject}`, r.role].filter(Boolean).join('; ');
    rows.push(
      [r.id, r.time, r.actor, r.source, r.action, r.tenant, r.outcome, reason, tokens, r.purpose].map(cell),
    );
  }
  await write(table(rows));
}

/**
 * "Who has seen this citizen's data?" with the operator's authority: the lookup is itself a use of
 * the citizen's data, so it needs a purpose and is recorded (with the tokens, never the values).
 */
async function seenCommand(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      actor: { type: 'string' },
      purpose: { type: 'string' },
      tenant: { type: 'string' },
      csv: { type: 'boolean', default: false },
      ...Object.fromEntries(
        CITIZEN_IDENTIFIERS.map((id) => [id, { type: 'string', multiple: true }] as const),
      ),
    },
  });
  const usage = (message: string) => {
    console.error(`ticket-proxy: ${message}\n\n${AUDIT_USAGE}`);
    return 2;
  };
  const actor = values.actor?.trim() ?? '';
  if (!actor || /\p{Cc}/u.test(actor)) return usage('--actor YOU is required: who asks');
  const query: CitizenQuery = Object.fromEntries(
    CITIZEN_IDENTIFIERS.flatMap((id) => {
      const given = (values as Record<string, unknown>)[id];
      return Array.isArray(given) ? [[id, given as string[]]] : [];
    }),
  );
  const problem = checkCitizenQuery(query);
  if (problem) return usage(problem);
  const runtime = await openEmbeddedRuntime();
  try {
    const result = await staffServiceFor(runtime).whoHasSeen({ operator: actor, source: 'cli' }, query, {
      ...(values.tenant !== undefined && { tenant: values.tenant }),
      ...(values.purpose !== undefined && { purpose: values.purpose }),
    });
    if ('refused' in result)
      return usage(
        `${result.refused}: state the purpose in at least a sentence; the refusal is recorded as ${result.record.id}`,
      );
    if (values.csv) await write(seenCsv(result.rows));
    else {
      await printTable(
        ['RECORD', 'TIME', 'ACTOR', 'ACTION', 'TENANT', 'OUTCOME', 'SEEN', 'TOKENS', 'ISSUE', 'PURPOSE'],
        result.rows.map((r) => [
          r.recordId,
          r.time,
          r.actor,
          r.action,
          r.tenant,
          r.outcome,
          r.seen ? 'yes' : 'no',
          r.tokens.join(' '),
          r.issueKey,
          r.purpose,
        ]),
      );
      console.error(
        `${result.rows.length} record(s) for ${result.tokens.length} token(s); this lookup is recorded as ${result.record.id}`,
      );
    }
    return 0;
  } finally {
    await runtime.close();
  }
}

/** Exit 0 with `intact, N records`; exit 1 naming the first broken record. */
async function verifyRecords(log: DynamoAuditLog): Promise<number> {
  const verdict = await log.verify();
  if (verdict.intact) {
    const range = verdict.first && verdict.last ? ` (${verdict.first.id} to ${verdict.last.id})` : '';
    const trimmed = verdict.first && verdict.first.seq > 1 ? '; older records are past retention' : '';
    await write(`intact, ${verdict.count} records${range}${trimmed}\n`);
    return 0;
  }
  await write(`broken at ${verdict.id} (seq ${verdict.seq}): ${verdict.reason}: ${verdict.message}\n`);
  console.error(`ticket-proxy: the audit log is not intact: first broken record ${verdict.id}`);
  return 1;
}

/** Every field, always with the contract's (time, actor, action, tokens, purpose, outcome). */
function asJson(r: AuditRecord) {
  return {
    seq: r.seq,
    id: r.id,
    time: r.time,
    actor: r.actor,
    source: r.source,
    action: r.action,
    tenant: r.tenant,
    tokens: r.tokens,
    purpose: r.purpose ?? null,
    issueKey: r.issueKey ?? null,
    outcome: r.outcome,
    reason: r.reason ?? null,
    withheld: r.withheld ?? [],
    prevHash: r.prevHash,
    hash: r.hash,
  };
}
