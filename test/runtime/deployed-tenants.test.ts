import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/errors.ts';
import { awsRuntime } from '../../lib/runtime/aws.ts';
import { awsStaffRuntime } from '../../lib/runtime/aws-staff.ts';
import { deployedTenantsJson } from '../../lib/runtime/deployed-tenants.ts';
import { FakeSecretsManager } from '../support/fake-secrets-manager.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();

/** A bundle's directory with a tenants.json, as the stack writes it. */
async function bundleWith(content: string): Promise<string> {
  const dir = await tempDir();
  await writeFile(join(dir, 'tenants.json'), content);
  return dir;
}

const FUNCTION = { VAULT_TABLE_NAME: 'ticket-proxy-vault', KEY_ID: 'key', AWS_REGION: 'eu-north-1' };
const STAFF = {
  ...FUNCTION,
  AUDIT_TABLE_NAME: 'ticket-proxy-audit',
  ACCESS_TABLE_NAME: 'ticket-proxy-access',
};

describe('deployedTenantsJson', () => {
  it('reads the file the variable names, relative to the bundle’s directory', async () => {
    const dir = await bundleWith('{"egedal":{},"ballerup":{}}');
    const deployed = deployedTenantsJson({ LAMBDA_TASK_ROOT: dir, TENANTS_CONFIG_FILE: 'tenants.json' });
    expect(deployed).toEqual({
      json: '{"egedal":{},"ballerup":{}}',
      source: `TENANTS_CONFIG_FILE (${join(dir, 'tenants.json')})`,
    });
    // An absolute path is taken as it is.
    expect(deployedTenantsJson({ TENANTS_CONFIG_FILE: join(dir, 'tenants.json') })?.json).toBe(
      deployed?.json,
    );
  });

  it('is none when the variable is unset: a function that serves no tenant', () => {
    expect(deployedTenantsJson({})).toBeUndefined();
    expect(deployedTenantsJson({ TENANTS_CONFIG_FILE: '' })).toBeUndefined();
  });

  it('refuses a file it cannot read, naming the variable and the path', async () => {
    const dir = await tempDir();
    const env = { LAMBDA_TASK_ROOT: dir, TENANTS_CONFIG_FILE: 'tenants.json' };
    expect(() => deployedTenantsJson(env)).toThrow(ConfigError);
    expect(() => deployedTenantsJson(env)).toThrow(
      `TENANTS_CONFIG_FILE names ${join(dir, 'tenants.json')}, which cannot be read`,
    );
  });
});

describe('the runtimes in AWS', () => {
  it('serve the tenants of the bundle’s file with their configuration, and no other tenant', async () => {
    const dir = await bundleWith('{"egedal":{"jira":{"projectKey":"EGE"}},"ballerup":{}}');
    const runtime = awsRuntime({ ...FUNCTION, LAMBDA_TASK_ROOT: dir, TENANTS_CONFIG_FILE: 'tenants.json' });
    expect(runtime.tenants.configFor('egedal')?.jira.projectKey).toBe('EGE');
    expect(runtime.tenants.configFor('ballerup')).toBeDefined();
    expect(runtime.tenants.configFor('gladsaxe')).toBeUndefined();
    expect(await runtime.knownTenants()).toEqual(['egedal', 'ballerup']);
    // Without the variable a function knows no tenant, and reads no webhook secret for one.
    const none = awsRuntime({ ...FUNCTION, WEBHOOK_SECRET_PREFIX: 'ticket-proxy/webhook/' });
    expect(await none.knownTenants()).toEqual([]);
    expect(await none.webhookSecrets.secretsFor('egedal')).toEqual([]);
  });

  it('read a tenant’s generated webhook secret by its name, and a secret its configuration names instead', async () => {
    const own = 'arn:aws:secretsmanager:eu-north-1:123456789012:secret:egedal-jsm-AbCdEf';
    const dir = await bundleWith(
      JSON.stringify({ egedal: { webhookSecret: { secretArn: own } }, ballerup: {} }),
    );
    const secrets = new FakeSecretsManager();
    await secrets.start();
    try {
      secrets.secrets.set(own, 'o'.repeat(48));
      secrets.secrets.set('ticket-proxy/webhook/egedal', 'g'.repeat(48));
      secrets.secrets.set('ticket-proxy/webhook/ballerup', 'b'.repeat(48));
      Object.assign(process.env, {
        AWS_REGION: 'eu-north-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
      });
      const runtime = awsRuntime({
        ...FUNCTION,
        LAMBDA_TASK_ROOT: dir,
        TENANTS_CONFIG_FILE: 'tenants.json',
        WEBHOOK_SECRET_PREFIX: 'ticket-proxy/webhook/',
      });
      expect(await runtime.webhookSecrets.secretsFor('egedal')).toEqual(['o'.repeat(48)]);
      expect(await runtime.webhookSecrets.secretsFor('ballerup')).toEqual(['b'.repeat(48)]);
      expect(await runtime.webhookSecrets.secretsFor('gladsaxe')).toEqual([]);
    } finally {
      await secrets.stop();
    }
  });

  it('refuse a file with a bad setting at start-up, naming the file and the setting', async () => {
    const dir = await bundleWith('{"egedal":{"jira":{"projectKey":"ege"}}}');
    const env = { ...FUNCTION, LAMBDA_TASK_ROOT: dir, TENANTS_CONFIG_FILE: 'tenants.json' };
    expect(() => awsRuntime(env)).toThrow(/TENANTS_CONFIG_FILE \(.*tenants\.json\)/);
    expect(() => awsRuntime(env)).toThrow(/egedal\.jira\.projectKey/);
  });

  it('give the staff API the tenants’ names, sorted, and refuse a file that is not JSON', async () => {
    const dir = await bundleWith('{"egedal":{},"ballerup":{}}');
    const staff = awsStaffRuntime({ ...STAFF, LAMBDA_TASK_ROOT: dir, TENANTS_CONFIG_FILE: 'tenants.json' });
    expect(await staff.knownTenants()).toEqual(['ballerup', 'egedal']);
    const broken = await bundleWith('{"egedal":');
    expect(() =>
      awsStaffRuntime({ ...STAFF, LAMBDA_TASK_ROOT: broken, TENANTS_CONFIG_FILE: 'tenants.json' }),
    ).toThrow(/TENANTS_CONFIG_FILE \(.*tenants\.json\) is not valid JSON/);
  });
});
