import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Retention } from '../lib/retention/retention-policy.ts';
import { TENANT_PATTERN } from '../lib/ticket/generic-ticket.ts';
import { GenericWebhookIngest } from './constructs/generic-webhook-ingest.ts';
import { RetentionSweep } from './constructs/retention-sweep.ts';
import { VaultStore } from './constructs/vault-store.ts';
import { assertEuRegion } from './eu-regions.ts';

export interface TicketProxyStackProps extends StackProps {
  /** The stack's region; must be in the EU. */
  region: string;
  /** Tenants (municipalities) whose servicedesks may send tickets. */
  tenants: readonly string[];
  /** How long each tenant's tickets keep their personal data. */
  retention: Retention;
}

/** ticket-proxy in one EU region: vault and keys (stateful), webhook ingest and retention sweep (stateless). */
export class TicketProxyStack extends Stack {
  readonly vault: VaultStore;
  readonly ingest: GenericWebhookIngest;
  readonly sweep: RetentionSweep;

  constructor(scope: Construct, id: string, props: TicketProxyStackProps) {
    const region = assertEuRegion(props.region);
    const invalid = props.tenants.filter((t) => !TENANT_PATTERN.test(t));
    if (invalid.length > 0) {
      throw new Error(`Invalid tenant name(s) ${invalid.join(', ')}: use 1-64 characters of a-z, 0-9 and -`);
    }
    super(scope, id, { ...props, env: { ...props.env, region } });
    this.vault = new VaultStore(this, 'Vault');
    this.ingest = new GenericWebhookIngest(this, 'Ingest', {
      vault: this.vault,
      tenants: props.tenants,
      retention: props.retention,
    });
    this.sweep = new RetentionSweep(this, 'Retention', { vault: this.vault });
    new CfnOutput(this, 'WebhookUrl', {
      description:
        'POST generic tickets to this URL followed by the tenant, e.g. .../webhooks/generic/ballerup',
      value: `${this.ingest.api.apiEndpoint}/webhooks/generic/`,
    });
    new CfnOutput(this, 'JiraSecretName', {
      description: 'Fill in the Jira connection here after the first deployment',
      value: this.ingest.jiraSecret.secretName,
    });
  }
}
