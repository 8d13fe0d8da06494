import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { TicketProxyStack, type TicketProxyStackProps } from '../../infra/ticket-proxy-stack.ts';
import { Retention } from '../../lib/retention/retention-policy.ts';

export type Statement = {
  Sid?: string;
  Effect?: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

export const actionsOf = (s: Statement): string[] => [s.Action].flat();
export const resourcesOf = (s: Statement): unknown[] => [s.Resource].flat();

/** `{ "Fn::GetAtt": [id, "Arn"] }` or `{ Ref: id }` → id; anything else → undefined. */
export function logicalIdOf(value: unknown): string | undefined {
  const v = value as { 'Fn::GetAtt'?: [string, string]; Ref?: string };
  return v?.['Fn::GetAtt']?.[0] ?? v?.Ref;
}

/** The feature flags `cdk synth` reads from cdk.json; they change, for one, how policies are packed. */
export const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

/**
 * A synthesized stack without bundling the functions (the `synth:check` script and the main stack
 * test bundle them), with cdk.json's flags, for tests that look at the template only.
 */
export function synthesize(props: Partial<TicketProxyStackProps> = {}): Template {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(
    new TicketProxyStack(app, 'TicketProxy', {
      region: 'eu-north-1',
      tenants: ['ballerup'],
      retention: Retention.fromJson(undefined, 'test'),
      ...props,
    }),
  );
}

/** Questions about one synthesized template, by function (its Powertools service name). */
export class TemplateQueries {
  readonly template: Template;

  constructor(template: Template) {
    this.template = template;
  }

  /** Every statement of every IAM policy in the stack. */
  statements(): Statement[] {
    return Object.values(this.template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Statement[],
    );
  }

  function(service: string) {
    const fn = Object.values(this.template.findResources('AWS::Lambda::Function')).find(
      (f) => f.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === service,
    );
    if (!fn) throw new Error(`no function for ${service}`);
    return fn;
  }

  functionId(service: string): string {
    const [id] = Object.entries(this.template.findResources('AWS::Lambda::Function')).find(
      ([, f]) => f.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === service,
    ) ?? [''];
    return id;
  }

  variables(service: string): Record<string, unknown> {
    return this.function(service).Properties.Environment.Variables;
  }

  roleId(service: string): string {
    return (this.function(service).Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  }

  /** The IAM statements of a function's role. */
  statementsOf(service: string): Statement[] {
    const role = this.roleId(service);
    return Object.values(this.template.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
  }

  /** The logical id of the only resource of a type whose id starts with `prefix`. */
  idOf(type: string, prefix: string): string {
    const ids = Object.keys(this.template.findResources(type)).filter((id) => id.startsWith(prefix));
    if (ids.length !== 1) throw new Error(`${ids.length} ${type} resources start with ${prefix}`);
    return ids[0] as string;
  }

  /** The key policy statements of a KMS key. */
  keyPolicy(keyId: string): Statement[] {
    return this.template.findResources('AWS::KMS::Key')[keyId]?.Properties.KeyPolicy.Statement ?? [];
  }
}
