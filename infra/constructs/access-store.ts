import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { AccessTable } from '../../lib/access/access-table.ts';

export interface AccessStoreProps {
  /**
   * Encrypts the access table at rest. A key passed in must be customer-managed with rotation on.
   * @default a new key of its own, rotated yearly and retained
   */
  readonly encryptionKey?: IKey;
}

/** Every item of the access table lives in a user's partition (lib/access/access-table.ts). */
const USER_ITEMS = 'USER#*';

/**
 * Who may re-identify: grants, blocks, and the counters behind blocking and the rate alarm, in a
 * table encrypted with a customer-managed key, recoverable to any second of the last 35 days, and
 * retained when the stack is deleted. Counters leave by TTL; grants and blocks only when revoked.
 */
export class AccessStore extends Construct {
  readonly tableKey: IKey;
  readonly table: Table;

  constructor(scope: Construct, id: string, props: AccessStoreProps = {}) {
    super(scope, id);
    this.tableKey =
      props.encryptionKey ??
      new Key(this, 'TableKey', {
        description: 'ticket-proxy: encrypts the access table (grants, blocks) at rest',
        enableKeyRotation: true,
        rotationPeriod: Duration.days(365),
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.table = new Table(this, 'Table', {
      partitionKey: { name: AccessTable.partitionKey, type: AttributeType.STRING },
      sortKey: { name: AccessTable.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.tableKey,
      timeToLiveAttribute: AccessTable.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * What the staff API needs: read, write and revoke grants and blocks, count denials and tokens.
   * Item actions only in users' partitions; Scan (listing grants and blocks) names no partition, so
   * it cannot be narrowed. No batch or PartiQL actions, and the table key only through DynamoDB.
   */
  grantAccessControl(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:Query',
        ],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [USER_ITEMS] } },
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['dynamodb:Scan'], resources: [this.table.tableArn] }),
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
