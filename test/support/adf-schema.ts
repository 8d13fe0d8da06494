import schema from '@atlaskit/adf-schema/dist/json-schema/v1/full.json' with { type: 'json' };
import { Ajv } from 'ajv';

/**
 * Atlassian's published ADF schema. It declares draft-04, which Ajv 8 only knows through a plugin;
 * the keywords it uses (no boolean exclusiveMinimum, no `id` keyword) mean the same in draft-07, Ajv's default,
 * so the declaration is dropped. `strict: false`: the schema uses tuple `items` without `minItems`.
 */
const { $schema: _draft04, ...draft07 } = schema;
const validate = new Ajv({ strict: false }).compile(draft07);

/** Throws, listing Ajv's complaints, unless `doc` is valid ADF. */
export function assertValidAdf(doc: unknown): void {
  if (validate(doc)) return;
  const errors = (validate.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message}`);
  throw new Error(`invalid ADF:\n${errors.join('\n')}`);
}
