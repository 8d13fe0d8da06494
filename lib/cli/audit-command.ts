import { parseArgs } from 'node:util';
import type { AuditFilter, AuditRecord } from '../audit/audit-log.ts';
import type { DynamoAuditLog } from '../audit/dynamo-audit-log.ts';
import { openEmbeddedRuntime } from '../runtime/embedded.ts';

export const AUDIT_USAGE = `usage: ticket-proxy audit list [--json] [--actor USER] [--tenant T] [--token TOKEN] [--since ISO-TIME]
       ticket-proxy audit verify`;

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
  console.error(
    subcommand === undefined ? AUDIT_USAGE : `unknown audit command "${subcommand}"\n\n${AUDIT_USAGE}`,
  );
  return 2;
}

async function withAuditLog(use: (log: DynamoAuditLog) => Promise<number>): Promise<number> {
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
  const rows = [
    ['ID', 'TIME', 'ACTOR', 'SOURCE', 'ACTION', 'TENANT', 'OUTCOME', 'REASON', 'TOKENS', 'PURPOSE'],
  ];
  for await (const r of log.list(filter)) {
    const tokens = r.tokens.map((t) => (r.withheld?.includes(t) ? `(${t})` : t)).join(' ');
    rows.push(
      [r.id, r.time, r.actor, r.source, r.action, r.tenant, r.outcome, r.reason, tokens, r.purpose].map(cell),
    );
  }
  await write(table(rows));
  return 0;
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

/** Stored text is shown, not obeyed: control characters (terminal escapes, line breaks) become spaces. */
const cell = (value: string | undefined) => (value ?? '-').replace(/\p{Cc}/gu, ' ') || '-';

/** Columns padded to their widest cell; the last one (the purpose) runs free. */
function table(rows: readonly string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0))) ?? [];
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  '))
    .join('\n')
    .concat('\n');
}

function write(text: string): Promise<void> {
  return new Promise((resolve, reject) =>
    process.stdout.write(text, (error) => (error ? reject(error) : resolve())),
  );
}
