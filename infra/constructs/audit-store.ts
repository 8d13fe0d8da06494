import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { AnyPrincipal, Effect, type IGrantable, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { AuditTable } from '../../lib/audit/audit-table.ts';

export interface AuditStoreProps {
  /**
   * Encrypts the audit table at rest. A key passed in must be customer-managed with rotation on.
   * @default a new key of its own, rotated yearly and retained
   */
  readonly encryptionKey?: IKey;
}

/** What changes or removes items; the audit log only ever puts new ones. */
const REWRITING_ACTIONS = [
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
];

/**
 * The audit log's table: append-only by permission, tamper-evident by its hash chain, encrypted with
 * a customer-managed key, recoverable to any second of the last 35 days, and retained when the stack
 * is deleted. Records leave only by TTL when their retention ends.
 */
export class AuditStore extends Construct {
  readonly tableKey: IKey;
  readonly table: Table;

  constructor(scope: Construct, id: string, props: AuditStoreProps = {}) {
    super(scope, id);
    this.tableKey =
      props.encryptionKey ??
      new Key(this, 'TableKey', {
        description: 'ticket-proxy: encrypts the audit table at rest',
        enableKeyRotation: true,
        rotationPeriod: Duration.days(365),
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.table = new Table(this, 'Table', {
      partitionKey: { name: AuditTable.partitionKey, type: AttributeType.STRING },
      sortKey: { name: AuditTable.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.tableKey,
      timeToLiveAttribute: AuditTable.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // Not even an administrator's role rewrites or deletes a record through the API (TTL is the
      // service's own deletion and is not affected). Changing this policy is itself a CloudTrail event.
      resourcePolicy: new PolicyDocument({
        statements: [
          new PolicyStatement({
            sid: 'AppendOnly',
            effect: Effect.DENY,
            principals: [new AnyPrincipal()],
            actions: REWRITING_ACTIONS,
            resources: ['*'],
          }),
        ],
      }),
    });
  }

  /**
   * What a writer of records needs: read the head, put a new record under a condition. No UpdateItem
   * or DeleteItem: a writer cannot change or remove a record it or anyone else wrote.
   */
  grantAppend(grantee: IGrantable): void {
    this.#grantTable(
      grantee,
      ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem'],
      ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
    );
  }

  /** What a reader (the data protection officer's view, verification) needs, and nothing that writes. */
  grantRead(grantee: IGrantable): void {
    this.#grantTable(grantee, ['dynamodb:GetItem', 'dynamodb:Query'], ['kms:Decrypt']);
  }

  /** Table actions, and the table key only as DynamoDB uses it on the grantee's behalf. */
  #grantTable(grantee: IGrantable, actions: string[], keyActions: string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions, resources: [this.table.tableArn] }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: keyActions,
        resources: [this.tableKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${this.table.env.region}.amazonaws.com` } },
      }),
    );
  }
}
