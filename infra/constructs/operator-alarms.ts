import { Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface OperatorAlarmsProps {
  /**
   * Subscribes this address to the alarms (AWS sends a confirmation e-mail first).
   * @default no subscription: subscribe to the topic yourself
   */
  alarmEmail?: string;
}

/**
 * Where the stack's alarms go: an SNS topic, TLS only, encrypted with a key of its own that lets
 * CloudWatch publish and nothing else in.
 */
export class OperatorAlarms extends Construct {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: OperatorAlarmsProps = {}) {
    super(scope, id);
    if (props.alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.alarmEmail)) {
      throw new Error(`alarmEmail ${JSON.stringify(props.alarmEmail)} is not an e-mail address`);
    }
    const { account, region, partition } = Stack.of(this);
    const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    this.key = new Key(this, 'Key', {
      description: 'ticket-proxy: encrypts the operator alarm topic',
      enableKeyRotation: true,
    });
    // AWS-managed SNS keys do not let CloudWatch encrypt, which is why the topic has a key of its own.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new Topic(this, 'Topic', {
      displayName: 'ticket-proxy alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    // The topic policy that enforceSSL creates replaces the default one: CloudWatch must be let in by name.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AlarmsOfThisAccountPublish',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
        },
      }),
    );
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
  }

  /**
   * An alarm when the metric's sum over five minutes reaches one (no data is no alarm), sent to the
   * topic: for counts where any occurrence needs a person to look.
   */
  alarmOnAny(scope: Construct, id: string, metric: IMetric, description: string): Alarm {
    const alarm = new Alarm(scope, id, {
      alarmDescription: `ticket-proxy: ${description}`,
      metric,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.notifyOn(alarm);
    return alarm;
  }

  /** Sends the alarm's state changes to ALARM, and back to OK, to the topic. */
  notifyOn(alarm: Alarm): void {
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }
}
