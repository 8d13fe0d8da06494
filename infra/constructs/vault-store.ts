import { Duration, Lazy, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { AnyPrincipal, Effect, type IGrantable, type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { KeyPurpose } from '../../lib/keys/key-ring.ts';
import { VaultTable } from '../../lib/vault/vault-table.ts';

/**
 * Partition key prefixes of the vault's items (lib/vault/vault-table.ts, lib/sync/dynamo-issue-links.ts),
 * for `dynamodb:LeadingKeys`: a function that works on tickets and issue links cannot touch a token.
 */
const ITEMS = {
  token: 'TOKEN#*',
  ticket: 'TICKET#*',
  issueLink: 'ISSUE#*',
  tenantKey: 'TENANT#*',
} as const;

/**
 * The stateful heart: the master key that wraps all token and value keys, and the vault table,
 * encrypted at rest with a key of its own. Both are retained when the stack is deleted.
 */
export class VaultStore extends Construct {
  /** Wraps tenant token keys and value data keys (envelope encryption in the application). */
  readonly masterKey: Key;
  /** Encrypts the vault table at rest. Separate, so that reading the table never implies unwrapping values. */
  readonly tableKey: Key;
  readonly table: Table;
  /** The one exception to "nobody unwraps value keys": the roles granted {@link grantReveal}. */
  readonly #revealers: IRole[] = [];
  readonly #valueDecryptDeny: PolicyStatement;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.masterKey = new Key(this, 'MasterKey', {
      description: 'ticket-proxy: wraps per-tenant token keys and value data keys',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // No principal may unwrap value keys but the audited re-identification path, named in this
    // statement by grantReveal as its only exception.
    this.#valueDecryptDeny = new PolicyStatement({
      sid: 'OnlyReidentificationDecryptsValues',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:EncryptionContext:purpose': KeyPurpose.VALUE_ENCRYPTION } },
    });
    this.masterKey.addToResourcePolicy(this.#valueDecryptDeny);
    // Moving a value key under a key one controls is decrypting it by other means: nobody, no exception.
    this.masterKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'NobodyReEncryptsValues',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['kms:ReEncrypt*'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:EncryptionContext:purpose': KeyPurpose.VALUE_ENCRYPTION } },
      }),
    );
    this.tableKey = new Key(this, 'TableKey', {
      description: 'ticket-proxy: encrypts the vault table at rest',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table = new Table(this, 'Table', {
      partitionKey: { name: VaultTable.partitionKey, type: AttributeType.STRING },
      sortKey: { name: VaultTable.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.tableKey,
      timeToLiveAttribute: VaultTable.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * What the sanitizer needs: read and add tokens, create data keys, and unwrap token-derivation keys.
   * It cannot unwrap value keys (KMS refuses Decrypt unless the encryption context says token-derivation),
   * so a compromised sanitizer cannot read the vault's values.
   */
  grantTokenize(grantee: IGrantable): void {
    this.#grantTable(grantee, [
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:BatchWriteItem',
    ]);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [this.masterKey.keyArn] }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.masterKey.keyArn],
        conditions: { StringEquals: { 'kms:EncryptionContext:purpose': KeyPurpose.TOKEN_DERIVATION } },
      }),
    );
  }

  /** What the retention sweep needs: find expired items and delete them. No key of the master key's. */
  grantSweep(grantee: IGrantable): void {
    this.#grantTable(grantee, ['dynamodb:Scan', 'dynamodb:Query', 'dynamodb:DeleteItem']);
  }

  /**
   * What the Jira writer needs: read a ticket's record and note its issue key on it, and link the
   * issue to the ticket. It reads no token and holds no permission on the master key.
   */
  grantDelivery(grantee: IGrantable): void {
    this.#grantTable(grantee, ['dynamodb:GetItem', 'dynamodb:UpdateItem'], ITEMS.ticket);
    this.#grantTable(grantee, ['dynamodb:PutItem'], ITEMS.issueLink);
  }

  /** Read and write issue links and reply marks (`ISSUE#` items), nothing else in the table. */
  grantIssueLinks(grantee: IGrantable): void {
    this.#grantTable(grantee, ['dynamodb:GetItem', 'dynamodb:PutItem'], ITEMS.issueLink);
  }

  /**
   * Re-identification: read token items and unwrap their value keys. The role becomes the exception
   * to the master key's refusal to unwrap value keys; it still cannot unwrap token-derivation keys,
   * so it cannot make tokens, and it cannot re-encrypt anything.
   */
  grantReveal(grantee: IRole): void {
    this.#grantTable(grantee, ['dynamodb:Query'], ITEMS.token);
    grantee.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.masterKey.keyArn],
        conditions: { StringEquals: { 'kms:EncryptionContext:purpose': KeyPurpose.VALUE_ENCRYPTION } },
      }),
    );
    if (this.#revealers.length === 0) {
      this.#valueDecryptDeny.addCondition('ArnNotEquals', {
        'aws:PrincipalArn': Lazy.list({ produce: () => this.#revealers.map((role) => role.roleArn) }),
      });
    }
    this.#revealers.push(grantee);
  }

  /**
   * Read tenants' stored token-derivation keys (`TENANT#` items) and unwrap them: what computing a
   * value's token without storing anything needs (who has seen a citizen's data). It cannot create a
   * tenant's key, since it can neither generate data keys nor put items, and it unwraps no value key.
   */
  grantTokenKeyRead(grantee: IGrantable): void {
    this.#grantTable(grantee, ['dynamodb:GetItem'], ITEMS.tenantKey);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.masterKey.keyArn],
        conditions: { StringEquals: { 'kms:EncryptionContext:purpose': KeyPurpose.TOKEN_DERIVATION } },
      }),
    );
  }

  /**
   * Table actions, limited to items whose partition key matches `leadingKeys` if given, and the table
   * key only as DynamoDB uses it on the grantee's behalf.
   */
  #grantTable(grantee: IGrantable, actions: string[], leadingKeys?: string): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions,
        resources: [this.table.tableArn],
        ...(leadingKeys && {
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [leadingKeys] } },
        }),
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [this.tableKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${this.table.env.region}.amazonaws.com` } },
      }),
    );
  }
}
