import type { z } from 'zod';
import { ConfigError } from '../errors.ts';

/**
 * A setting given as JSON (an environment variable, a file, a CDK context value), validated.
 * @throws ConfigError naming the source and every wrong setting by its path, e.g.
 *   `TICKET_PROXY_TENANTS is not a valid tenant configuration: ballerup.jira.projectKey: …`.
 */
export function parseJsonSetting<Schema extends z.ZodType>(
  json: string,
  source: string,
  schema: Schema,
  what: string,
  describe: (issue: z.core.$ZodIssue) => string = (issue) => issue.message,
): z.output<Schema> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ConfigError(`${source} is not valid JSON`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${describe(i)}`);
    throw new ConfigError(`${source} is not ${what}: ${problems.join('; ')}`);
  }
  return parsed.data;
}
