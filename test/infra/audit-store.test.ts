import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../infra/constructs/audit-store.ts';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

function synth(build: (stack: Stack) => void = () => {}) {
  const app = new App();
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
                'dynamodb:UpdateItem',
                'dynamodb:DeleteItem',
                'dynamodb:BatchWriteItem',
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
