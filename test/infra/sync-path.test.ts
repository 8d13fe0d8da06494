import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { JiraConnection } from '../../infra/constructs/jira-connection.ts';
import { JiraWriter } from '../../infra/constructs/jira-writer.ts';
import { OperatorAlarms } from '../../infra/constructs/operator-alarms.ts';
import { SyncQueue } from '../../infra/constructs/sync-queue.ts';
import { VaultStore } from '../../infra/constructs/vault-store.ts';
import { deploymentTenants } from '../../infra/deployment-tenants.ts';
import { actionsOf, logicalIdOf, resourcesOf, synthesize, TemplateQueries } from './template-queries.ts';

let template: Template;
let q: TemplateQueries;

beforeAll(() => {
  template = synthesize({ tenants: ['ballerup', 'egedal'] });
  q = new TemplateQueries(template);
});

const queueIds = () => ({
  queue: q.idOf('AWS::SQS::Queue', 'SyncQueue'),
  deadLetters: q.idOf('AWS::SQS::Queue', 'SyncDeadLetters'),
});
const queue = (id: string) => template.findResources('AWS::SQS::Queue')[id]?.Properties;
const isKeyOfStack = (ref: unknown) =>
  Object.keys(template.findResources('AWS::KMS::Key')).includes(logicalIdOf(ref) ?? '');

describe('the sync queue', () => {
  it('is FIFO, deduplicated by the sender, and hands a job to the dead-letter queue after five attempts', () => {
    const { queue: id, deadLetters } = queueIds();
    expect(queue(id)).toMatchObject({
      FifoQueue: true,
      ContentBasedDeduplication: false,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLetters, 'Arn'] }, maxReceiveCount: 5 },
    });
    expect(queue(deadLetters)).toMatchObject({ FifoQueue: true, MessageRetentionPeriod: 14 * 24 * 3600 });
  });

  it('encrypts both queues with a customer-managed key of the stack, and refuses plain HTTP', () => {
    const { queue: id, deadLetters } = queueIds();
    for (const which of [id, deadLetters]) {
      expect(isKeyOfStack(queue(which)?.KmsMasterKeyId)).toBe(true);
      const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy')).filter((p) =>
        (p.Properties.Queues as { Ref: string }[]).some((r) => r.Ref === which),
      );
      expect(policies.flatMap((p) => p.Properties.PolicyDocument.Statement)).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
    const masterKey = q.idOf('AWS::KMS::Key', 'VaultMasterKey');
    expect(logicalIdOf(queue(id)?.KmsMasterKeyId)).not.toBe(masterKey);
  });

  it('hides a received job for at least six times the writer’s timeout', () => {
    const timeout = q.function('jira-writer').Properties.Timeout as number;
    expect(queue(queueIds().queue)?.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
  });

  it('raises an alarm on the first dead letter, to a topic encrypted with a customer-managed key', () => {
    const topic = q.idOf('AWS::SNS::Topic', 'AlarmsTopic');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueIds().deadLetters, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: topic }],
    });
    expect(isKeyOfStack(template.findResources('AWS::SNS::Topic')[topic]?.Properties.KmsMasterKeyId)).toBe(
      true,
    );
  });

  it('lets CloudWatch use the alarm topic and its key', () => {
    const topicPolicy = Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0];
    expect(topicPolicy?.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
      }),
    );
    expect(q.keyPolicy(q.idOf('AWS::KMS::Key', 'AlarmsKey'))).toContainEqual(
      expect.objectContaining({ Principal: { Service: 'cloudwatch.amazonaws.com' } }),
    );
  });

  it('subscribes the alarm e-mail address only when one is given', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    synthesize({ alarmEmail: 'drift@example.dk' }).hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'drift@example.dk',
    });
    expect(() => synthesize({ alarmEmail: 'not an address' })).toThrow(/alarmEmail "not an address"/);
  });

  it('lets the servicedesk webhook send, and nothing else', () => {
    const statements = q.statementsOf('servicedesk-webhook');
    const onQueue = statements.filter((s) => resourcesOf(s).some((r) => logicalIdOf(r) === queueIds().queue));
    expect(onQueue.flatMap(actionsOf)).toEqual(['sqs:SendMessage']);
    const queueKey = logicalIdOf(queue(queueIds().queue)?.KmsMasterKeyId);
    expect(statements.filter((s) => resourcesOf(s).some((r) => logicalIdOf(r) === queueKey))).toEqual([
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Condition: { StringEquals: { 'kms:ViaService': 'sqs.eu-north-1.amazonaws.com' } },
      }),
    ]);
    expect(q.variables('servicedesk-webhook').QUEUE_URL).toEqual({ Ref: queueIds().queue });
  });
});

describe('the Jira writer', () => {
  it('consumes the queue in batches of ten with partial batch responses', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueIds().queue, 'Arn'] },
      FunctionName: { Ref: q.functionId('jira-writer') },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('runs at most five at a time, and polls with no more than that', () => {
    expect(q.function('jira-writer').Properties.ReservedConcurrentExecutions).toBe(5);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it('alarms on failed invocations', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: q.functionId('jira-writer') } }],
      AlarmActions: [{ Ref: q.idOf('AWS::SNS::Topic', 'AlarmsTopic') }],
    });
  });

  it('reads and marks ticket records and links issues, and touches no token', () => {
    const vaultTable = q.idOf('AWS::DynamoDB::Table', 'VaultTable');
    const onVault = q
      .statementsOf('jira-writer')
      .filter((s) => resourcesOf(s).some((r) => logicalIdOf(r) === vaultTable))
      .map((s) => ({
        actions: actionsOf(s),
        items: s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'],
      }));
    expect(onVault).toEqual([
      { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], items: ['TICKET#*'] },
      { actions: ['dynamodb:PutItem'], items: ['ISSUE#*'] },
    ]);
  });

  it('refuses a queue whose redeliveries end before the writer’s wait after an unconfirmed create', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'S');
    const alarms = new OperatorAlarms(stack, 'Alarms');
    expect(
      () =>
        new SyncQueue(stack, 'Sync', { consumerTimeout: Duration.seconds(30), alarms, maxReceiveCount: 5 }),
    ).toThrow(/5 receives, 180 s apart\) end before the Jira writer's 15-minute wait/);
    expect(
      () =>
        new SyncQueue(stack, 'Sync2', { consumerTimeout: Duration.seconds(30), alarms, maxReceiveCount: 7 }),
    ).not.toThrow();
  });

  it('refuses a queue that would hand out jobs still being written', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'S');
    const alarms = new OperatorAlarms(stack, 'Alarms');
    const queue = new SyncQueue(stack, 'Sync', { consumerTimeout: Duration.minutes(1), alarms });
    expect(
      () =>
        new JiraWriter(stack, 'Writer', {
          queue,
          vault: new VaultStore(stack, 'Vault'),
          jira: new JiraConnection(stack, 'Jira'),
          tenants: deploymentTenants([], undefined, 'eu-north-1'),
          alarms,
          timeout: Duration.minutes(3),
        }),
    ).toThrow(/visibility timeout \(360 s\) must be at least six times the Jira writer's timeout \(180 s\)/);
  });
});

describe('the Jira webhook', () => {
  it('serves POST /webhooks/jira with a generated secret that Jira signs with', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /webhooks/jira' });
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: { Name: 'ticket-proxy/jira-webhook', GenerateSecretString: Match.objectLike({}) },
      DeletionPolicy: 'Retain',
    });
    const secret = q.idOf('AWS::SecretsManager::Secret', 'JiraWebhookSecret');
    expect(q.variables('jira-webhook').JIRA_WEBHOOK_SECRET_ARN).toEqual({ Ref: secret });
  });

  it('reads tokens and issue links, writes issue links, and appends to the audit log', () => {
    const vaultTable = q.idOf('AWS::DynamoDB::Table', 'VaultTable');
    const auditTable = q.idOf('AWS::DynamoDB::Table', 'AuditTable');
    const statements = q.statementsOf('jira-webhook');
    const onVault = statements
      .filter((s) => resourcesOf(s).some((r) => logicalIdOf(r) === vaultTable))
      .map((s) => ({
        actions: actionsOf(s),
        items: s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'],
      }));
    expect(onVault).toEqual(
      expect.arrayContaining([
        { actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], items: ['ISSUE#*'] },
        { actions: ['dynamodb:Query'], items: ['TOKEN#*'] },
      ]),
    );
    expect(onVault).toHaveLength(2);
    expect(
      statements.filter((s) => resourcesOf(s).some((r) => logicalIdOf(r) === auditTable)).flatMap(actionsOf),
    ).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
    expect(q.variables('jira-webhook').AUDIT_TABLE_NAME).toEqual({ Ref: auditTable });
  });

  it('lets nobody update or delete audit records', () => {
    const auditTable = q.idOf('AWS::DynamoDB::Table', 'AuditTable');
    const onAudit = q
      .statements()
      .filter((s) => resourcesOf(s).some((r) => logicalIdOf(r) === auditTable))
      .flatMap(actionsOf);
    expect(onAudit.length).toBeGreaterThan(0);
    for (const action of ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']) {
      expect(onAudit).not.toContain(action);
    }
  });
});

describe('outputs', () => {
  it('name the webhook URLs, the secrets to fill in and the dead-letter queue', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'WebhookBaseUrl',
        'WebhookUrl',
        'WebhookSecretNames',
        'JiraSecretName',
        'JiraWebhookUrl',
        'JiraWebhookSecretName',
        'DeadLetterQueueArn',
        'AlarmTopicArn',
      ]),
    );
    expect(outputs.DeadLetterQueueArn?.Value).toEqual({ 'Fn::GetAtt': [queueIds().deadLetters, 'Arn'] });
    expect(outputs.WebhookSecretNames?.Value).toBe(
      'ticket-proxy/webhook/ballerup, ticket-proxy/webhook/egedal',
    );
    expect(JSON.stringify(outputs.JiraWebhookUrl?.Value)).toContain('/webhooks/jira');
  });
});
