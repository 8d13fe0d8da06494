import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Construct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LogKey } from '../../infra/constructs/log-key.ts';
import { loggedStage } from '../../infra/constructs/logged-stage.ts';
import { actionsOf, type Statement, synthesize, TemplateQueries } from './template-queries.ts';

let template: Template;
let q: TemplateQueries;
let logKeyId: string;

beforeAll(() => {
  template = synthesize({ tenants: ['ballerup', 'egedal'] });
  q = new TemplateQueries(template);
  logKeyId = q.idOf('AWS::KMS::Key', 'LogKey');
});

/** Every `Ref` and `Fn::GetAtt` target in a value, pseudo parameters (`AWS::…`) left out. */
function referencesIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencesIn);
  if (value === null || typeof value !== 'object') return [];
  const v = value as Record<string, unknown>;
  const own =
    typeof v.Ref === 'string' ? [v.Ref] : Array.isArray(v['Fn::GetAtt']) ? [String(v['Fn::GetAtt'][0])] : [];
  return [...own.filter((id) => !id.startsWith('AWS::')), ...Object.values(v).flatMap(referencesIn)];
}

const principalsOf = (s: Statement) => [s.Principal].flat();

describe('log key', () => {
  it('encrypts every log group of the stack, each with a retention, all with the one log key', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    // Six functions' groups and the two APIs' access logs.
    expect(groups).toHaveLength(8);
    for (const group of groups) {
      expect(group.Properties.RetentionInDays).toBe(180);
      // A reference to the key's ARN: CloudFormation creates the key, its policy included, first.
      expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [logKeyId, 'Arn'] });
      expect(group.DeletionPolicy).toBe('Retain');
    }
  });

  it('is rotated yearly and retained, and depends on no other resource of the stack', () => {
    const key = template.findResources('AWS::KMS::Key')[logKeyId];
    expect(key?.Properties).toMatchObject({ EnableKeyRotation: true, RotationPeriodInDays: 365 });
    expect(key?.DeletionPolicy).toBe('Retain');
    expect(key?.Properties.Description).toMatch(/log groups/);
    // What the log groups reference cannot reference them back: no circular dependency.
    expect(referencesIn(key)).toEqual([]);
    expect(key?.DependsOn).toBeUndefined();
  });

  it('lets only CloudWatch Logs of the region use it, for log groups of this account and region', () => {
    const policy = q.keyPolicy(logKeyId);
    for (const s of policy) {
      expect(principalsOf(s)).not.toContain('*');
      expect(principalsOf(s)).not.toContainEqual({ AWS: '*' });
      expect(s.Effect).toBe('Allow');
    }
    const others = policy.filter((s) => !(s.Principal as { AWS?: unknown }).AWS);
    expect(others).toHaveLength(1);
    const [logs] = others as [Statement];
    expect(logs.Principal).toEqual({ Service: 'logs.eu-north-1.amazonaws.com' });
    expect(actionsOf(logs).sort()).toEqual([
      'kms:Decrypt*',
      'kms:Describe*',
      'kms:Encrypt*',
      'kms:GenerateDataKey*',
      'kms:ReEncrypt*',
    ]);
    expect(logs.Condition).toEqual({
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': {
          'Fn::Join': [
            '',
            // The partition is a literal in an EU region (cdk.json: enablePartitionLiterals).
            ['arn:aws:logs:eu-north-1:', { Ref: 'AWS::AccountId' }, ':log-group:*'],
          ],
        },
      },
    });
    // The rest is the account's administration of the key (the default key policy), nothing else.
    const admin = policy.filter((s) => s !== logs);
    expect(admin).toHaveLength(1);
    expect(JSON.stringify(admin[0]?.Principal)).toContain(':root');
  });

  it('is granted to no function: CloudWatch Logs encrypts, the functions only write', () => {
    const onLogKey = q.statements().filter((s) => JSON.stringify(s.Resource).includes(logKeyId));
    expect(onLogKey).toEqual([]);
  });

  it('is one key per stack, wherever a log group asks for it', () => {
    const stack = new Stack(new App(), 'Bare', { env: { region: 'eu-west-1', account: '123456789012' } });
    const api = new HttpApi(stack, 'Api', { createDefaultStage: false });
    loggedStage(new Construct(stack, 'One'), api, { rateLimit: 1, burstLimit: 1 });
    expect(LogKey.of(new Construct(stack, 'Two'))).toBe(LogKey.of(stack));
    const bare = Template.fromStack(stack);
    bare.resourceCountIs('AWS::KMS::Key', 1);
    const keyId = new TemplateQueries(bare).idOf('AWS::KMS::Key', 'LogKey');
    bare.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    const statement = new TemplateQueries(bare)
      .keyPolicy(keyId)
      .find((s) => s.Sid === 'CloudWatchLogsOfThisAccountAndRegion');
    expect(statement?.Principal).toEqual({ Service: 'logs.eu-west-1.amazonaws.com' });
    expect(JSON.stringify(statement?.Condition)).toContain(':logs:eu-west-1:123456789012:log-group:*');
  });
});
