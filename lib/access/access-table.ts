/**
 * The access table's layout, shared by the CDK construct and the embedded database. One partition per
 * user keeps everything about a user (grants, block, counters) in one Query.
 *
 * | item       | pk           | sk                           | attributes                          |
 * | ---------- | ------------ | ---------------------------- | ----------------------------------- |
 * | grant      | `USER#<sub>` | `GRANT#<tenant>#<role>`      | the Grant fields                    |
 * | block      | `USER#<sub>` | `BLOCK`                      | the Block fields                    |
 * | denial     | `USER#<sub>` | `DENIAL#<iso time>#<random>` | `ttl`                               |
 * | token rate | `USER#<sub>` | `RATE#<yyyy-mm-ddThh>`       | `tokens` (a counter), `ttl`         |
 *
 * Denials and counters expire by TTL a day after they stop counting. Grants and blocks do not expire
 * by TTL: an expired grant stays visible to the access review until it is revoked.
 */
export const AccessTable = {
  defaultName: 'ticket-proxy-access',
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'ttl',
} as const;

export const accessKeys = {
  user: (user: string) => `USER#${user}`,
  grant: (tenant: string, role: string) => `GRANT#${tenant}#${role}`,
  grantPrefix: 'GRANT#',
  block: 'BLOCK',
  denial: (at: Date, nonce: string) => `DENIAL#${at.toISOString()}#${nonce}`,
  denialPrefix: 'DENIAL#',
  denialsSince: (since: Date) => `DENIAL#${since.toISOString()}`,
  denialsEnd: 'DENIAL#~',
  rate: (at: Date) => `RATE#${at.toISOString().slice(0, 13)}`,
} as const;
