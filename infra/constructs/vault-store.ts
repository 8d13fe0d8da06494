import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { KeyPurpose } from '../../lib/keys/key-ring.ts';
import { VaultTable } from '../../lib/vault/vault-table.ts';

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

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.masterKey = new Key(this, 'MasterKey', {
      description: 'ticket-proxy: wraps per-tenant token keys and value data keys',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      removalPolicy: RemovalPolicy.RETAIN,
    });
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
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem'],
        resources: [this.table.tableArn],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [this.tableKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${this.table.env.region}.amazonaws.com` } },
      }),
    );
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
}
