import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { AnyPrincipal, Effect, type IGrantable, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  AuditTable,
  DEFAULT_AUDIT_RETENTION_DAYS,
  MAX_AUDIT_RETENTION_DAYS,
} from '../../lib/audit/audit-table.ts';

export interface AuditStoreProps {
  /**
   * Encrypts the audit table at rest. A key passed in must be customer-managed with rotation on.
   * @default a new key of its own, rotated yearly and retained
   */
  readonly encryptionKey?: IKey;
  /**
   * Days each record is kept (DynamoDB TTL): 184 (six months) to 1827 (five years).
   * @default 184
   */
  readonly retentionDays?: number;
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
  /** What a function that appends records needs in its environment: the table, and how long records are kept. */
  readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, props: AuditStoreProps = {}) {
    super(scope, id);
    const days = props.retentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS;
    if (!Number.isInteger(days) || days < DEFAULT_AUDIT_RETENTION_DAYS || days > MAX_AUDIT_RETENTION_DAYS) {
      throw new Error(
        `auditRetentionDays must be a whole number of days from ${DEFAULT_AUDIT_RETENTION_DAYS} (six months) to ${MAX_AUDIT_RETENTION_DAYS} (five years), not ${props.retentionDays}`,
      );
    }
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
      // Read by the audit watch, which alarms on any change but an append.
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
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
    this.environment = { AUDIT_TABLE_NAME: this.table.tableName, AUDIT_RETENTION_DAYS: String(days) };
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
