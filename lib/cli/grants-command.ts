import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { noMetrics } from '../access/access-metrics.ts';
import { defaultAccessPolicy } from '../access/access-policy.ts';
import type { AccessStore } from '../access/access-store.ts';
import { DynamoAccessStore } from '../access/dynamo-access-store.ts';
import { isRole, ROLES } from '../access/grant.ts';
import { checkGrantInput, GrantAdmin, type GrantChange } from '../access/grant-admin.ts';
import { accessReview, type ReviewRow, reviewCsv } from '../audit/dpo-reports.ts';
import { DynamoAuditLog } from '../audit/dynamo-audit-log.ts';
import { ConfigError } from '../errors.ts';
import { openEmbeddedRuntime } from '../runtime/embedded.ts';
import { printTable, write } from './output.ts';

export const GRANTS_USAGE = `usage: ticket-proxy grants list [--user U] [--tenant T] [--json | --csv]
       ticket-proxy grants add --actor YOU --user U --tenant T --role ROLE [--expires ISO-TIME]
       ticket-proxy grants revoke --actor YOU --user U --tenant T --role ROLE
       ticket-proxy grants reattest --actor YOU --user U --tenant T --role ROLE [--months N]
       ticket-proxy grants blocked
       ticket-proxy grants unblock --actor YOU --user U
roles: ${ROLES.join(', ')}; a grant runs six months unless --expires or --months says otherwise (at most 12)
a deployed stack: set TICKET_PROXY_ACCESS_TABLE and TICKET_PROXY_AUDIT_TABLE (the stack's AccessTableName
and AuditTableName outputs) and AWS credentials allowed to write them, e.g. to grant the first administrator`;

/**
 * `ticket-proxy grants …`: the administrator's commands, with the operator's authority (whoever can
 * read the data directory); every change is recorded in the audit log with `--actor` as its actor.
 */
export async function grantsCommand(args: readonly string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      actor: { type: 'string' },
      user: { type: 'string' },
      tenant: { type: 'string' },
      role: { type: 'string' },
      expires: { type: 'string' },
      months: { type: 'string' },
      json: { type: 'boolean', default: false },
      csv: { type: 'boolean', default: false },
    },
  });
  const usage = (message: string) => {
    console.error(`ticket-proxy: ${message}\n\n${GRANTS_USAGE}`);
    return 2;
  };
  if (subcommand === 'list' || subcommand === 'blocked')
    return withBackend(async ({ access }) => {
      if (subcommand === 'blocked') {
        const blocks = await access.listBlocks();
        await printTable(
          ['USER', 'BLOCKED AT', 'DENIALS', 'LAST RECORD'],
          blocks.map((b) => [b.user, b.blockedAt, String(b.denials), b.lastRecordId]),
        );
        return 0;
      }
      const grants = await access.listGrants({
        ...(values.user !== undefined && { user: values.user }),
        ...(values.tenant !== undefined && { tenant: values.tenant }),
      });
      const rows = accessReview(grants, new Date());
      if (values.csv) await write(reviewCsv(rows));
      else if (values.json) for (const row of rows) await write(`${JSON.stringify(row)}\n`);
      else {
        await printReview(rows);
      }
      return 0;
    });

  if (!['add', 'revoke', 'reattest', 'unblock'].includes(subcommand ?? '')) {
    return usage(
      subcommand === undefined ? 'name a grants command' : `unknown grants command "${subcommand}"`,
    );
  }
  const actor = values.actor?.trim() ?? '';
  if (!actor || actor.length > 200 || /\p{Cc}/u.test(actor))
    return usage('--actor YOU is required: who makes the change');
  const authority = { operator: actor, source: 'cli' as const };
  if (subcommand === 'unblock') {
    if (!values.user) return usage('--user U is required');
    const user = values.user;
    return withBackend(async ({ admin }) => report(await admin.unblock(authority, user)));
  }
  const problem = checkGrantInput(values);
  if (problem || !isRole(values.role)) return usage(problem ?? 'bad role');
  const grant = { user: values.user as string, tenant: values.tenant as string, role: values.role };
  let expiresAt: Date | undefined;
  if (values.expires !== undefined) {
    expiresAt = new Date(values.expires);
    if (Number.isNaN(expiresAt.getTime())) return usage('--expires must be an ISO date and time');
  }
  const months = values.months === undefined ? undefined : Number(values.months);
  if (months !== undefined && !Number.isInteger(months))
    return usage('--months must be a whole number, 1 to 12');
  return withBackend(async ({ admin }) => {
    if (subcommand === 'add')
      return report(await admin.add(authority, { ...grant, ...(expiresAt && { expiresAt }) }));
    if (subcommand === 'revoke') return report(await admin.revoke(authority, grant));
    return report(await admin.reattest(authority, { ...grant, ...(months !== undefined && { months }) }));
  });
}

/**
 * The embedded default, or a deployed stack's tables when TICKET_PROXY_ACCESS_TABLE and
 * TICKET_PROXY_AUDIT_TABLE name them (with the AWS SDK's usual credentials and region).
 */
async function withBackend(
  use: (backend: { access: AccessStore; admin: GrantAdmin }) => Promise<number>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const deps = (access: AccessStore, audit: DynamoAuditLog) => ({
    access,
    admin: new GrantAdmin({ access, audit, policy: defaultAccessPolicy(), metrics: noMetrics }),
  });
  const { TICKET_PROXY_ACCESS_TABLE: accessTable, TICKET_PROXY_AUDIT_TABLE: auditTable } = env;
  if (accessTable || auditTable) {
    if (!accessTable || !auditTable) {
      throw new ConfigError('set both TICKET_PROXY_ACCESS_TABLE and TICKET_PROXY_AUDIT_TABLE, or neither');
    }
    const client = new DynamoDBClient({});
    const days = env.TICKET_PROXY_AUDIT_RETENTION_DAYS;
    try {
      return await use(
        deps(
          new DynamoAccessStore(client, accessTable),
          new DynamoAuditLog(client, { tableName: auditTable, ...(days && { retentionDays: Number(days) }) }),
        ),
      );
    } finally {
      client.destroy();
    }
  }
  const runtime = await openEmbeddedRuntime(env);
  try {
    return await use(deps(runtime.access, runtime.audit));
  } finally {
    await runtime.close();
  }
}

async function report(change: GrantChange): Promise<number> {
  if (change.outcome === 'not-found') {
    console.error('ticket-proxy: no such grant or block; nothing changed');
    return 1;
  }
  if (change.outcome === 'refused') {
    console.error(
      `ticket-proxy: refused: ${change.reason}${change.record ? ` (recorded as ${change.record.id})` : ''}`,
    );
    return 1;
  }
  const expiry = change.grant ? `, runs until ${change.grant.expiresAt}` : '';
  await write(`done${expiry} (recorded as ${change.record.id})\n`);
  return 0;
}

/** The access review as an aligned table, with its flags spelled out. */
export function printReview(rows: readonly ReviewRow[]): Promise<void> {
  return printTable(
    ['USER', 'TENANT', 'ROLE', 'STATUS', 'EXPIRES', 'ATTESTED', 'LAST USED', 'FLAGS'],
    rows.map((r) => [
      r.user,
      r.tenant,
      r.role,
      r.status,
      r.expiresAt,
      r.attestedAt,
      r.lastUsedAt ?? 'never',
      [r.unused && 'unused-90-days', r.attestationDue && 'attestation-due'].filter(Boolean).join(' ') || '-',
    ]),
  );
}
