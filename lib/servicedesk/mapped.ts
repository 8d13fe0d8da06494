import { JMESPathError, JMESPathTypeError, search } from '@aws-lambda-powertools/jmespath';
import { z } from 'zod';
import { ConfigError, InvalidTicketError } from '../errors.ts';
import { validateTicket } from '../ticket/generic-ticket.ts';
import { SHARED_SECRET_HEADER, verifySharedSecret } from '../webhook/shared-secret.ts';
import { SIGNATURE_HEADER, type SignatureCheck, verifyWebhookSignature } from '../webhook/signature.ts';
import { decodeJsonBody, toIsoTimestamp } from './generic.ts';
import type { ServicedeskAdapter, WebhookRequest } from './servicedesk-adapter.ts';

/** Powertools' type for searchable data: any decoded JSON is one. */
type Json = Parameters<typeof search>[1];

/**
 * A JMESPath expression, compiled when the configuration is read: one that does not parse, or calls
 * a function that does not exist or with the wrong number of arguments, is a configuration error
 * naming its mapping key, before any webhook arrives. Type errors depend on the data and are
 * reported per webhook instead.
 */
const expression = z
  .string()
  .min(1, 'must not be empty')
  .max(2048)
  .superRefine((value, ctx) => {
    const problem = expressionProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

function expressionProblem(value: string): string | undefined {
  if (value === '') return undefined;
  try {
    // Parsing happens on first use (and is cached); evaluating against {} reaches the function
    // calls that do not sit under a projection, which is where unknown functions and arities show.
    search(value, {});
  } catch (error) {
    if (!(error instanceof JMESPathTypeError)) {
      return error instanceof JMESPathError
        ? `not a valid JMESPath expression (${describeError(error)})`
        : 'not a valid JMESPath expression';
    }
  }
  // Calls under a projection over nothing are never reached above: their names are checked here.
  const unknown = functionNames(value).find((name) => !BUILT_IN_FUNCTIONS.has(name));
  return unknown === undefined
    ? undefined
    : `not a valid JMESPath expression (unknown function ${unknown}())`;
}

/** The JMESPath specification's functions, the only ones `search` is given here. */
const BUILT_IN_FUNCTIONS = new Set([
  'abs',
  'avg',
  'ceil',
  'contains',
  'ends_with',
  'floor',
  'join',
  'keys',
  'length',
  'map',
  'max',
  'max_by',
  'merge',
  'min',
  'min_by',
  'not_null',
  'reverse',
  'sort',
  'sort_by',
  'starts_with',
  'sum',
  'to_array',
  'to_number',
  'to_string',
  'type',
  'values',
]);

/** Names called in an expression: identifiers before `(`, outside quoted names and literals. */
function functionNames(value: string): string[] {
  const unquoted = value.replace(/'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`|"(?:[^"\\]|\\.)*"/g, ' ');
  return [...unquoted.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)].map((m) => m[1] as string);
}

/** Powertools appends the whole expression to its messages; the path already says which one. */
const describeError = (error: Error) =>
  error.message
    .replace(/ in expression: [\s\S]*$/, '')
    .replace(/^(?:Invalid|Bad) jmespath expression: /i, '');

/**
 * Where each part of the generic ticket is found in the servicedesk's payload, as JMESPath
 * expressions evaluated with `@aws-lambda-powertools/jmespath`. Comment expressions are evaluated on
 * each element of `comments.list`; every other expression on the whole payload.
 */
export const mappingSchema = z.strictObject({
  id: expression,
  summary: expression,
  description: expression,
  reporterName: expression.optional(),
  reporterEmail: expression.optional(),
  status: expression.optional(),
  priority: expression.optional(),
  created: expression.optional(),
  updated: expression.optional(),
  closedAt: expression.optional(),
  /** Must give an array of strings. */
  labels: expression.optional(),
  comments: z
    .strictObject({
      list: expression,
      id: expression,
      body: expression,
      authorName: expression.optional(),
      authorEmail: expression.optional(),
      created: expression.optional(),
      /** Must give a boolean: true for an internal note. */
      internal: expression.optional(),
    })
    .optional(),
  /** Ticket field name → expression; each must give a string, number, boolean or null. */
  fields: z.record(z.string().min(1).max(128), expression).optional(),
});

export const mappedConfigSchema = z.strictObject({
  mapping: mappingSchema,
  /**
   * How the sender proves itself: the `X-Ticket-Proxy-Secret` header, or the proxy's own signature
   * (`X-Ticket-Proxy-Signature`, CONTRACTS.md §4), which also refuses replays.
   * @default 'shared-secret'
   */
  auth: z.enum(['shared-secret', 'signature']).default('shared-secret'),
});

export type MappedConfig = z.output<typeof mappedConfigSchema>;
export type Mapping = MappedConfig['mapping'];

/**
 * Reads a mapped adapter's configuration, compiling every expression.
 * @throws ConfigError naming each offending mapping key.
 */
export function parseMappedConfig(value: unknown): MappedConfig {
  const result = mappedConfigSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`);
  throw new ConfigError(`mapped servicedesk configuration is invalid: ${problems.join('; ')}`);
}

/**
 * Checks the sender the way `auth` asks: the proxy's signature, or the shared-secret header.
 * Never throws.
 */
export function verifyMappedRequest(
  request: WebhookRequest,
  secrets: readonly string[],
  auth: MappedConfig['auth'],
): SignatureCheck {
  return auth === 'signature'
    ? verifyWebhookSignature(request.headers[SIGNATURE_HEADER], secrets, request.body, request.nowSeconds)
    : verifySharedSecret(request.headers[SHARED_SECRET_HEADER], secrets);
}

/**
 * For servicedesks without a fixed webhook format (TOPdesk, ServiceNow): the ticket is read from
 * the payload with the tenant's {@link Mapping}, then validated strictly as a generic ticket. Only
 * what an expression selects is read; the rest of the payload is never copied.
 *
 * Ids that are numbers become strings; timestamps with an offset without a colon
 * (`+0200`, as TOPdesk writes them) get one. A `null` (nothing found) leaves an optional part out;
 * a missing description is "".
 *
 * `verify` has no configuration to go by, so it takes the proxy's signature when the request has
 * one and the shared-secret header otherwise; `toTicket` then refuses an unsigned request when the
 * configuration says `auth: 'signature'`. Callers that have the configuration at hand can use
 * {@link verifyMappedRequest} instead.
 */
export const mappedAdapter: ServicedeskAdapter<MappedConfig> = {
  name: 'mapped',
  verify: (request, secrets) =>
    verifyMappedRequest(
      request,
      secrets,
      request.headers[SIGNATURE_HEADER] !== undefined ? 'signature' : 'shared-secret',
    ),
  toTicket: (request, config) => {
    if ((config.auth ?? 'shared-secret') === 'signature' && request.headers[SIGNATURE_HEADER] === undefined) {
      throw new InvalidTicketError([
        { path: '', message: 'this servicedesk must sign its webhooks (X-Ticket-Proxy-Signature)' },
      ]);
    }
    const payload = decodeJsonBody(request.body);
    return { ticket: validateTicket(mapTicket(request.tenant, payload, config.mapping)) };
  },
};

/** The generic ticket the mapping reads from a payload, not yet validated. */
export function mapTicket(tenant: string, payload: unknown, mapping: Mapping): Record<string, unknown> {
  const read = (key: string, expr: string | undefined, data: unknown = payload, path = key) =>
    expr === undefined ? undefined : evaluate(`mapping.${key}`, expr, data, path);

  const reporter = withoutEmpty({
    name: read('reporterName', mapping.reporterName, payload, 'reporter.name'),
    email: read('reporterEmail', mapping.reporterEmail, payload, 'reporter.email'),
  });
  const fields =
    mapping.fields &&
    Object.fromEntries(
      Object.entries(mapping.fields).map(([name, expr]) => [
        name,
        evaluate(`mapping.fields.${name}`, expr, payload, `fields.${name}`) ?? null,
      ]),
    );

  // Never empty: it has the tenant.
  return withoutEmpty({
    tenant,
    id: asId(read('id', mapping.id)),
    summary: read('summary', mapping.summary),
    description: read('description', mapping.description) ?? '',
    reporter,
    status: read('status', mapping.status),
    priority: read('priority', mapping.priority),
    created: asTimestamp(read('created', mapping.created)),
    updated: asTimestamp(read('updated', mapping.updated)),
    closedAt: asTimestamp(read('closedAt', mapping.closedAt)),
    labels: read('labels', mapping.labels),
    comments: mapping.comments && mapComments(payload, mapping.comments),
    fields: fields && Object.keys(fields).length > 0 ? fields : undefined,
  }) as Record<string, unknown>;
}

function mapComments(payload: unknown, mapping: NonNullable<Mapping['comments']>): unknown {
  const list = evaluate('mapping.comments.list', mapping.list, payload, 'comments');
  if (list === null || list === undefined) return undefined;
  if (!Array.isArray(list)) {
    throw new InvalidTicketError([
      { path: 'comments', message: 'mapping.comments.list must give an array on this payload' },
    ]);
  }
  return list.map((item: unknown, i) => {
    const read = (key: keyof typeof mapping, field: string) => {
      const expr = mapping[key];
      return expr === undefined
        ? undefined
        : evaluate(`mapping.comments.${key}`, expr, item, `comments.${i}.${field}`);
    };
    return withoutEmpty({
      id: asId(read('id', 'id')),
      body: read('body', 'body'),
      author: withoutEmpty({
        name: read('authorName', 'author.name'),
        email: read('authorEmail', 'author.email'),
      }),
      created: asTimestamp(read('created', 'created')),
      internal: read('internal', 'internal'),
    });
  });
}

/**
 * Evaluates one expression. A type error (a function given the wrong kind of value) depends on the
 * payload and is the payload's fault: an invalid ticket, named by the ticket path it was computing
 * and the mapping key, never by the value (Powertools' error holds it; it is not passed on).
 * Any other JMESPath error is the configuration's.
 */
function evaluate(key: string, expr: string, data: unknown, path: string): unknown {
  try {
    return search(expr, data as Json);
  } catch (error) {
    if (error instanceof JMESPathTypeError) {
      throw new InvalidTicketError([
        { path, message: `${key} does not fit this payload: ${describeError(error)}` },
      ]);
    }
    if (error instanceof JMESPathError) throw new ConfigError(`${key}: ${describeError(error)}`);
    throw error;
  }
}

function asId(value: unknown): unknown {
  return typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
}

function asTimestamp(value: unknown): unknown {
  return typeof value === 'string' ? toIsoTimestamp(value) : value;
}

/** Drops parts that are null or undefined, and objects left with nothing. */
function withoutEmpty(record: Record<string, unknown>): Record<string, unknown> | undefined {
  const kept = Object.entries(record).filter(([, value]) => value !== null && value !== undefined);
  return kept.length === 0 ? undefined : Object.fromEntries(kept);
}
