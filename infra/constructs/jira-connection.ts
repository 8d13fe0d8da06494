import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { type CfnSecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * The logical id the secret had when it lived in the ingest construct. Kept, because the secret has a
 * fixed name and is retained: under a new id CloudFormation would try to create a second
 * `ticket-proxy/jira` next to the existing one, and fail.
 */
const DEPLOYED_LOGICAL_ID = 'IngestJiraSecret530BAC1C';

/** The Jira Cloud connection (`ticket-proxy/jira`), filled in by an operator after the first deployment. */
export class JiraConnection extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      secretName: 'ticket-proxy/jira',
      description: 'Jira Cloud connection: fill in baseUrl, email, projectKey and apiToken after deployment',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ baseUrl: '', email: '', projectKey: '' }),
        generateStringKey: 'apiToken',
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    (this.secret.node.defaultChild as CfnSecret).overrideLogicalId(DEPLOYED_LOGICAL_ID);
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Jira API tokens are issued by Atlassian and cannot be rotated by a rotation Lambda.',
    });
  }

  grantRead(grantee: IGrantable): void {
    this.secret.grantRead(grantee);
  }
}
