import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.ts';

/**
 * The configuration of the tenants a deployed function serves, as JSON, and where it was read:
 * `TENANTS_CONFIG_FILE`, which the stack checked at synthesis and wrote into the function's bundle
 * (Lambda's environment holds 4 KB, about 25 tenants), relative to the bundle's directory. None when
 * unset: the function serves no tenant.
 * @throws ConfigError naming the variable when the file cannot be read
 */
export function deployedTenantsJson(env: NodeJS.ProcessEnv): { json: string; source: string } | undefined {
  const file = env.TENANTS_CONFIG_FILE;
  if (!file) return undefined;
  const path = resolve(env.LAMBDA_TASK_ROOT ?? '.', file);
  try {
    return { json: readFileSync(path, 'utf8'), source: `TENANTS_CONFIG_FILE (${path})` };
  } catch {
    throw new ConfigError(`TENANTS_CONFIG_FILE names ${path}, which cannot be read`);
  }
}
