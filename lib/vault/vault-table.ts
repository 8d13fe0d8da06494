/**
 * The vault's single-table layout, shared by the CDK stack and the embedded database.
 *
 * | item                  | pk                      | sk              | attributes                                        |
 * | --------------------- | ----------------------- | --------------- | ------------------------------------------------- |
 * | token                 | `TOKEN#tenant#token`    | `TOKEN`         | kind, fp, ct, dk, created, version, expiresAt      |
 * | a ticket using it     | `TOKEN#tenant#token`    | `REF#ticketId`  | expiresAt                                         |
 * | ticket                | `TICKET#tenant#ticketId`| `TICKET`        | expiresAt, updated, firstSeen, issueKey,          |
 * |                       |                         |                 | createAttemptAt, createAttemptNonce               |
 * | a token it uses       | `TICKET#tenant#ticketId`| `REF#token`     | expiresAt                                         |
 * | tenant key            | `TENANT#tenant`         | `KEY#purpose`   | wrapped, created (no expiry: see README)          |
 *
 * `createAttemptAt` (ISO-8601) is when the Jira writer last set out to create the ticket's issue,
 * written before the request: while it is recent and Jira's search does not show the issue, the writer
 * waits instead of creating another (lib/sync/sync-ticket.ts). `createAttemptNonce` names the writer
 * that set it, so that an SDK retry of that write knows the mark as its own.
 *
 * `expiresAt` is when retention ends, and what reads and the sweep go by; `ttl` is a week later, so the
 * nightly sweep always gets to an item before DynamoDB's TTL does, and TTL only cleans up after a sweep
 * that failed for a week.
 */
export const VaultTable = {
  defaultName: 'ticket-proxy-vault',
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds, `expiresAt` plus {@link TTL_GRACE_SECONDS}. */
  timeToLiveAttribute: 'ttl',
} as const;

export const vaultKeys = {
  token: (tenant: string, token: string) => ({ pk: `TOKEN#${tenant}#${token}`, sk: 'TOKEN' }),
  tokenRef: (tenant: string, token: string, ticketId: string) => ({
    pk: `TOKEN#${tenant}#${token}`,
    sk: `REF#${ticketId}`,
  }),
  ticket: (tenant: string, ticketId: string) => ({ pk: `TICKET#${tenant}#${ticketId}`, sk: 'TICKET' }),
  ticketRef: (tenant: string, ticketId: string, token: string) => ({
    pk: `TICKET#${tenant}#${ticketId}`,
    sk: `REF#${token}`,
  }),
  tenantKey: (tenant: string, purpose: string) => ({ pk: `TENANT#${tenant}`, sk: `KEY#${purpose}` }),
};

/** `TICKET#tenant#id` or `TOKEN#tenant#token` → [tenant, id]; ids may hold `#`, tenants cannot. */
export function parsePartition(pk: string): [string, string] {
  const rest = pk.slice(pk.indexOf('#') + 1);
  const split = rest.indexOf('#');
  return [rest.slice(0, split), rest.slice(split + 1)];
}

export const TTL_GRACE_SECONDS = 7 * 24 * 60 * 60;

/** Epoch seconds, the unit DynamoDB TTL reads. */
export const epochSeconds = (date: Date) => Math.ceil(date.getTime() / 1000);
