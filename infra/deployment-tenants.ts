import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type SecretRef, secretRefSchema, Tenants } from '../lib/config/tenant-config.ts';
import { TENANT_PATTERN } from '../lib/ticket/generic-ticket.ts';

/** The tenants one stack serves, as its functions get them. */
export interface DeploymentTenants {
  /** Every tenant: the `tenants` list and the names in the configuration file. */
  readonly names: readonly string[];
  /** Each tenant's configuration as written, `{}` (the defaults) for a tenant the file does not name. */
  readonly configJson: string;
  /**
   * What a function serving the tenants gets: {@link configJson} as a file in its bundle, and the
   * variable naming it. Lambda caps a function's environment at 4 KB, about 25 tenants' worth.
   */
  readonly files: Readonly<Record<string, string>>;
  readonly environment: Readonly<Record<string, string>>;
  /** Tenants whose servicedesk signs with a secret the stack generates: those without `webhookSecret`. */
  readonly generatedWebhookSecrets: readonly string[];
  /** Secrets the servicedesk webhook function reads (`webhookSecret`), by complete ARN. */
  readonly webhookSecretArns: readonly string[];
  /** Secrets the Jira webhook function reads to post replies (`writeBack`), by complete ARN. */
  readonly writeBackSecretArns: readonly string[];
}

/**
 * Statements reading the secrets a tenant configuration names, in parts: CDK moves statements that
 * outgrow a role's inline policy (10,240 characters) into managed policies of at most 6,144 each,
 * but never splits a statement, and a hundred tenants' ARNs take 9,000 and more.
 */
export function secretReadStatements(arns: readonly string[]): PolicyStatement[] {
  const parts: string[][] = [];
  let length = 0;
  for (const arn of arns) {
    // Each ARN is quoted and separated in the policy's JSON.
    const size = arn.length + 3;
    const last = parts.at(-1);
    if (last && length + size <= ARN_CHARACTERS_PER_STATEMENT) {
      last.push(arn);
      length += size;
    } else {
      parts.push([arn]);
      length = size;
    }
  }
  return parts.map(
    (resources) => new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources }),
  );
}

/** A statement's share of a managed policy's 6,144 characters, leaving room for one more statement. */
const ARN_CHARACTERS_PER_STATEMENT = 2_800;

/** The tenants' configuration in a function's bundle: `/var/task/tenants.json` in Lambda. */
const TENANTS_FILE = 'tenants.json';

/** `arn:…:secret:NAME-AbCdEf`: IAM grants on a secret need the six characters Secrets Manager appends. */
const COMPLETE_SECRET_ARN = /:secret:.+-[A-Za-z0-9]{6}$/;

/**
 * The tenants from the `tenants` list and, if given, the tenant configuration file
 * (`-c tenantConfig=path/to/tenants.json`), checked the way the functions will read them.
 * @throws Error naming the file and each bad setting by its path, e.g. `ballerup.jira.projectKey`.
 */
export function deploymentTenants(
  tenants: readonly string[],
  configFile: string | undefined,
  region: string,
): DeploymentTenants {
  const invalid = tenants.filter((t) => !TENANT_PATTERN.test(t));
  if (invalid.length > 0) {
    throw new Error(`Invalid tenant name(s) ${invalid.join(', ')}: use 1-64 characters of a-z, 0-9 and -`);
  }
  const written = configFile === undefined ? {} : readConfigFile(configFile);
  const names = [...new Set([...tenants, ...Object.keys(written)])];
  const config = Object.fromEntries(names.map((name) => [name, written[name] ?? {}]));
  const configJson = JSON.stringify(config);

  const webhookSecretArns: string[] = [];
  const writeBackSecretArns: string[] = [];
  for (const [name, tenant] of Object.entries(written)) {
    const writeBack = (tenant as { writeBack?: { type: string } }).writeBack;
    if (writeBack?.type === 'local') {
      throw new Error(
        `Tenant configuration file ${configFile}: ${name}.writeBack: type "local" keeps replies in the local server's data directory and does nothing in AWS. Use "signed-webhook" or "jsm", or leave writeBack out.`,
      );
    }
    for (const { path, ref } of secretRefsIn(tenant, [name])) {
      const setting = path.join('.');
      if (!('secretArn' in ref)) {
        throw new Error(
          `Tenant configuration file ${configFile}: ${setting} refers to the environment variable ${ref.env} ({"env": …}), which only the local server can read. In AWS, store the secret in Secrets Manager in ${region} and write {"secretArn": "arn:aws:secretsmanager:${region}:ACCOUNT:secret:NAME-AbCdEf"}.`,
        );
      }
      checkSecretArn(ref.secretArn, `Tenant configuration file ${configFile}: ${setting}`, region);
      const [, setting1] = path;
      if (setting1 === 'writeBack') writeBackSecretArns.push(ref.secretArn);
      else if (setting1 === 'webhookSecret') webhookSecretArns.push(ref.secretArn);
      else {
        // A new kind of secret reference: which function reads it must be decided here, not guessed.
        throw new Error(
          `Tenant configuration file ${configFile}: ${setting} is a secret this stack does not grant to any function yet.`,
        );
      }
    }
  }
  const ownWebhookSecret = (name: string) => (written[name] as { webhookSecret?: unknown })?.webhookSecret;
  return {
    names,
    configJson,
    generatedWebhookSecrets: names.filter((name) => ownWebhookSecret(name) === undefined),
    files: { [TENANTS_FILE]: configJson },
    environment: { TENANTS_CONFIG_FILE: TENANTS_FILE },
    webhookSecretArns: [...new Set(webhookSecretArns)],
    writeBackSecretArns: [...new Set(writeBackSecretArns)],
  };
}

/** The file's tenants, validated with the schema the functions use; as written, without defaults. */
function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(resolve(file), 'utf8');
  } catch (error) {
    throw new Error(
      `Cannot read the tenant configuration file ${file} (-c tenantConfig=…): ${(error as Error).message}`,
    );
  }
  // Validated as the functions will read it; what the stack passes on is the file as written.
  Tenants.fromJson(text, `Tenant configuration file ${file}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Every secret reference in a configuration, with the path of the setting that holds it. */
function secretRefsIn(value: unknown, path: string[]): { path: string[]; ref: SecretRef }[] {
  const ref = secretRefSchema.safeParse(value);
  if (ref.success) return [{ path, ref: ref.data }];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => secretRefsIn(inner, [...path, key]));
}

function checkSecretArn(arn: string, where: string, region: string): void {
  const arnRegion = arn.split(':')[3];
  if (arnRegion !== region) {
    throw new Error(
      `${where}: the secret is in ${arnRegion}, but the functions read secrets from their own region, ${region}. Replicate or move the secret to ${region}.`,
    );
  }
  if (!COMPLETE_SECRET_ARN.test(arn)) {
    throw new Error(
      `${where}: use the secret's complete ARN, ending in the six characters Secrets Manager appends to its name (…:secret:NAME-AbCdEf), so the stack can grant reading exactly that secret.`,
    );
  }
}
