import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../infra/constructs/audit-store.ts';
import {
  actionsOf,
  CDK_JSON_CONTEXT,
  logicalIdOf,
  resourcesOf,
  type Statement as StackStatement,
  synthesize,
  TemplateQueries,
} from './template-queries.ts';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

function synth(build: (stack: Stack) => void = () => {}) {
  const app = new App({ context: CDK_JSON_CONTEXT });
  const stack = new Stack(app, 'Audit', { env: { region: 'eu-north-1', account: '111122223333' } });
  build(stack);
  return { app, template: Template.fromStack(stack) };
}

/** A role with the store's append (or read) grant, and the actions its policy allows. */
function granted(grant: 'grantAppend' | 'grantRead') {
  let store: AuditStore | undefined;
  const { template } = synth((stack) => {
    store = new AuditStore(stack, 'Store');
    store[grant](new Role(stack, 'Writer', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }));
  });
  const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as Statement[],
  );
  return { template, statements, actions: statements.flatMap((s) => [s.Action].flat()) };
}

describe('AuditStore', () => {
  it('encrypts the table with a customer-managed key of its own, rotated and retained', () => {
    const { template } = synth((stack) => new AuditStore(stack, 'Store'));
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: { EnableKeyRotation: true },
    });
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      },
    });
  });

  it('uses a key passed in instead of making one', () => {
    const { template } = synth((stack) => {
      const key = new Key(stack, 'Shared', { enableKeyRotation: true });
      new AuditStore(stack, 'Store', { encryptionKey: key });
    });
    template.resourceCountIs('AWS::KMS::Key', 1);
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
    expect(keyId).toMatch(/^Shared/);
  });

  it('is recoverable, protected from deletion, retained, with TTL on the records', () => {
    const { template } = synth((stack) => new AuditStore(stack, 'Store'));
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      },
    });
  });

  it('denies every principal the item actions that rewrite or delete records', () => {
    const { template } = synth((stack) => new AuditStore(stack, 'Store'));
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      ResourcePolicy: {
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: Match.arrayWith([
                'dynamodb:BatchWriteItem',
                'dynamodb:DeleteItem',
                'dynamodb:UpdateItem',
              ]),
            }),
          ],
        },
      },
    });
  });

  it('lets an appender read the head and put records, and nothing that changes or deletes one', () => {
    const { actions, statements } = granted('grantAppend');
    expect(actions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
    expect(actions.join(' ')).not.toMatch(/Update|Delete|BatchWrite|PartiQL|\*/);
    // The table key only through DynamoDB, never directly.
    const keyStatement = statements.find((s) => [s.Action].flat().some((a) => a.startsWith('kms:')));
    expect(keyStatement?.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 'dynamodb.eu-north-1.amazonaws.com' },
    });
  });

  it('lets a reader read and nothing else', () => {
    const { actions } = granted('grantRead');
    expect(actions.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query', 'kms:Decrypt']);
  });

  it('passes cdk-nag (AwsSolutions) with no findings', () => {
    const { app } = synth((stack) => {
      const store = new AuditStore(stack, 'Store');
      store.grantAppend(
        new Role(stack, 'Writer', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }),
      );
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });
});

describe('the audit table in the stack', () => {
  /** Everything the construct's resource policy denies; a change there must be a change here. */
  const REWRITING = [
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:PartiQLUpdate',
    'dynamodb:PartiQLDelete',
  ];

  it('denies every function role of the stack, the staff API’s included, each rewriting action', () => {
    const template = synthesize({ tenants: ['ballerup', 'egedal'] });
    const q = new TemplateQueries(template);
    const auditTable = q.idOf('AWS::DynamoDB::Table', 'AuditTable');
    const policy = template.findResources('AWS::DynamoDB::Table')[auditTable]?.Properties.ResourcePolicy;
    const denies = (policy.PolicyDocument.Statement as StackStatement[]).filter((s) => s.Effect === 'Deny');
    const roles = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (f) => (f.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0],
    );
    expect(roles).toHaveLength(6);
    expect(roles).toContain(q.roleId('staff-api'));
    for (const action of REWRITING) {
      // Every principal, with no condition that could make an exception of some role.
      const denying = denies.filter(
        (s) =>
          actionsOf(s).includes(action) &&
          JSON.stringify(s.Principal) === '{"AWS":"*"}' &&
          s.Condition === undefined,
      );
      expect(denying, action).toHaveLength(1);
    }
    // No role is even granted one of them on the table: the deny is the second line, not the only one.
    for (const role of roles) {
      const onAudit = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as StackStatement[])
        .filter((s) => resourcesOf(s).some((r) => logicalIdOf(r) === auditTable));
      for (const action of onAudit.flatMap(actionsOf)) expect(REWRITING, role).not.toContain(action);
    }
  });
});

describe('audit retention in the stack', () => {
  it('gives every function that appends records the table and the retention configured', () => {
    const template = synthesize({ auditRetentionDays: 1827 });
    const withAudit = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (f) => f.Properties.Environment?.Variables?.AUDIT_TABLE_NAME,
    );
    expect(withAudit.length).toBeGreaterThanOrEqual(3);
    for (const f of withAudit) expect(f.Properties.Environment.Variables.AUDIT_RETENTION_DAYS).toBe('1827');
  });

  it.each([30, 1828, 200.5])('refuses %s days, naming the bounds', (days) => {
    expect(() => synthesize({ auditRetentionDays: days })).toThrow(
      /184 \(six months\) to 1827 \(five years\)/,
    );
  });
});

describe('audit watch in the stack', () => {
  const template = synthesize();
  const q = new TemplateQueries(template);

  it('streams the audit table (old and new images) to a watch that can only read the stream', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    const watchActions = q.statementsOf('audit-watch').flatMap(actionsOf);
    expect(watchActions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
    ]);
  });

  it('alarms on tampering and on stream records it could not read', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'AuditTampered',
      Namespace: 'TicketProxy',
      Dimensions: [{ Name: 'service', Value: 'audit-watch' }],
      Threshold: 1,
      AlarmActions: Match.anyValue(),
    });
  });
});
