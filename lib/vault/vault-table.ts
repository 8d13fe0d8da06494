/**
 * The vault's single-table layout, shared by the CDK stack and the embedded database.
 *
 * | item        | pk                    | sk        | attributes                                   |
 * | ----------- | --------------------- | --------- | -------------------------------------------- |
 * | token       | `TOKEN#tenant#token`  | `TOKEN`   | kind, fp, ct, dk (all binary but kind), created |
 * | tenant key  | `TENANT#tenant`       | `KEY#purpose` | wrapped, created                         |
 */
export const VaultTable = {
  defaultName: 'ticket-proxy-vault',
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB TTL deletes late, so reads check it too. */
  timeToLiveAttribute: 'expiresAt',
} as const;

export const vaultKeys = {
  token: (tenant: string, token: string) => ({ pk: `TOKEN#${tenant}#${token}`, sk: 'TOKEN' }),
  tenantKey: (tenant: string, purpose: string) => ({ pk: `TENANT#${tenant}`, sk: `KEY#${purpose}` }),
};
