import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { isRole, ROLES } from '../lib/access/grant.ts';
import type { GrantChange } from '../lib/access/grant-admin.ts';
import { checkGrantInput } from '../lib/access/grant-admin.ts';
import { AuditAction, type AuditRecord } from '../lib/audit/audit-log.ts';
import { seqOfId } from '../lib/audit/audit-table.ts';
import { CITIZEN_IDENTIFIERS, type CitizenQuery, checkCitizenQuery } from '../lib/audit/citizen-tokens.ts';
import { recordsCsv, reviewCsv, seenCsv } from '../lib/audit/dpo-reports.ts';
import { type Principal, principalFromClaims } from '../lib/auth/principal.ts';
import { ConsoleSite } from '../lib/console/console-site.ts';
import { MAX_TOKENS_PER_REQUEST } from '../lib/reidentify/reidentify-tokens.ts';
import { awsStaffRuntime } from '../lib/runtime/aws-staff.ts';
import type { StaffRuntime } from '../lib/runtime/runtime.ts';
import { isConsoleRoute, isStaffRoute, type StaffRoute } from '../lib/staff/staff-routes.ts';
import {
  type RecordsPage,
  type Refusal,
  type StaffService,
  staffServiceFor,
} from '../lib/staff/staff-service.ts';
import { TENANT_PATTERN } from '../lib/ticket/ticket-limits.ts';
import {
  bodyOf,
  errorResponse,
  errorToResponse,
  type HttpHandler,
  headersOf,
  notJson,
} from './support/http.ts';
import { withRequestIds } from './support/logging.ts';

/** Text pasted from Jira, with room to spare; nothing staff send is bigger. */
export const MAX_STAFF_BODY_BYTES = 256 * 1024;

/** Values are in these responses: no cache anywhere may keep them. */
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...NO_STORE },
  body: JSON.stringify(body),
});

const csv = (name: string, text: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode: 200,
  headers: {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${name}.csv"`,
    ...NO_STORE,
  },
  body: text,
});

/** Why a request was refused, as the HTTP status that says it. */
const REFUSAL_STATUS: Record<string, number> = {
  PURPOSE_MISSING: 400,
  PURPOSE_HAS_PERSONAL_DATA: 400,
  TOO_MANY_TOKENS: 400,
  BAD_EXPIRY: 400,
};

function refused(result: Refusal): APIGatewayProxyStructuredResultV2 {
  return json(REFUSAL_STATUS[result.refused] ?? 403, {
    error: { code: result.refused, message: refusalMessage(result.refused) },
    auditId: result.record.id,
  });
}

const refusalMessages: Record<string, string> = {
  USER_BLOCKED: 'you are blocked after repeated refused requests; an administrator can unblock you',
  NO_MFA: 'log in with a second factor (MFA)',
  NO_GRANT: 'you hold no grant for this',
  GRANT_EXPIRED: 'your grant has expired; an administrator must re-attest it',
  NO_GROUP: 'your identity provider does not put you in the group for this role and tenant',
  PURPOSE_MISSING: 'state the purpose in at least a sentence (10 characters, 2 words)',
  PURPOSE_HAS_PERSONAL_DATA:
    'the purpose holds a CPR number, e-mail address or phone number, which the audit log must not keep: refer to the case by its ticket or issue',
  TOO_MANY_TOKENS: `at most ${MAX_TOKENS_PER_REQUEST} tokens per request`,
  OWN_ACCESS: 'no one changes their own access: ask another administrator',
  BAD_EXPIRY: 'a grant runs from 1 day to 12 months',
};
const refusalMessage = (code: string) => refusalMessages[code] ?? 'refused';

const tenantSchema = z.string().regex(TENANT_PATTERN, 'must be 1-64 characters of a-z, 0-9 and -');
const tokenList = z.array(z.string().max(64)).min(1).max(500);

const reidentifyBody = z
  .object({
    tokens: tokenList.optional(),
    text: z.string().max(MAX_STAFF_BODY_BYTES).optional(),
    purpose: z.string().max(2000).optional(),
    tenant: tenantSchema.optional(),
    issueKey: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]{0,19}-\d{1,9}$/, 'must be a Jira issue key such as DEV-123')
      .optional(),
  })
  .strict()
  .refine((b) => (b.tokens === undefined) !== (b.text === undefined), 'send either tokens or text');

const lookupBody = z
  .object({
    ...Object.fromEntries(
      CITIZEN_IDENTIFIERS.map((id) => [id, z.union([z.string(), z.array(z.string()).max(20)]).optional()]),
    ),
    tenant: tenantSchema.optional(),
    purpose: z.string().max(2000).optional(),
  })
  .strict();

const grantBody = z
  .object({
    user: z.string(),
    tenant: z.string(),
    role: z.string(),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    months: z.number().int().optional(),
  })
  .strict();

/**
 * The staff API: re-identification, the audit log's reports, grants and blocks, for people who log
 * in with MFA. In AWS the HTTP API's JWT authorizer has verified the token before this runs; locally
 * the local server does the same with the development issuer. Responses are never cached; logs name
 * routes, outcomes and audit record ids, never tokens' values or what a citizen was looked up by.
 */
export function createStaffApiHandler(
  runtime: () => StaffRuntime | Promise<StaffRuntime>,
  logger: Logger = new Logger({ serviceName: 'staff-api' }),
  source = 'api',
  /** The console's files, for CONSOLE_ROUTES (the local server serves them itself). */
  consoleSite?: () => Promise<ConsoleSite>,
): HttpHandler {
  let service: StaffService | undefined;

  return withRequestIds(logger, async (event) => {
    const route = event.routeKey;
    if (isConsoleRoute(route) && consoleSite) {
      try {
        return (await consoleSite()).get(event.rawPath);
      } catch (caught) {
        return errorToResponse(caught, logger, { route });
      }
    }
    if (!isStaffRoute(route)) return errorResponse(404, 'NOT_FOUND', 'no such route');
    const principal = principalFromClaims(claimsOf(event));
    if (!principal)
      return errorResponse(401, 'NOT_AUTHENTICATED', 'log in: a verified token with a subject is required');
    const body = bodyOf(event);
    if (body.byteLength > MAX_STAFF_BODY_BYTES)
      return errorResponse(413, 'TOO_LARGE', `body is larger than ${MAX_STAFF_BODY_BYTES} bytes`);
    if (event.requestContext.http.method === 'POST') {
      const unsupported = notJson(headersOf(event)['content-type']);
      if (unsupported) return unsupported;
    }
    try {
      service ??= staffServiceFor(await runtime());
      const staff = service;
      const response = await handle(route, principal, event, body, staff, source);
      logger.info('staff request', { route, status: response.statusCode });
      return response;
    } catch (caught) {
      if (caught instanceof BadRequest) return errorResponse(400, 'BAD_REQUEST', caught.message);
      return errorToResponse(caught, logger, { route });
    }
  });
}

class BadRequest extends Error {}

function parse<T extends z.ZodType>(schema: T, body: Buffer): z.output<T> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    throw new BadRequest('body is not valid JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    // Paths and rules only: the values sent might be personal data.
    throw new BadRequest(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  }
  return parsed.data;
}

function query(event: APIGatewayProxyEventV2) {
  return new URLSearchParams(event.rawQueryString ?? '');
}

function time(value: string | null, name: string): Date | undefined {
  if (value === null || value === '') return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new BadRequest(`${name} must be an ISO date and time`);
  return date;
}

/** Records per answer unless `limit` asks for fewer: about 1 MB of JSON, well inside Lambda's 6 MB. */
const RECORDS_PAGE_LIMIT = 1000;

function limit(q: URLSearchParams): number {
  const value = q.get('limit');
  if (value === null || value === '') return RECORDS_PAGE_LIMIT;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > RECORDS_PAGE_LIMIT)
    throw new BadRequest(`limit must be a whole number from 1 to ${RECORDS_PAGE_LIMIT}`);
  return n;
}

/** `after`: the id of the last record of the page before (the `next` it gave). */
function after(q: URLSearchParams): { afterSeq?: number } {
  const value = q.get('after');
  if (value === null || value === '') return {};
  const seq = seqOfId(value);
  if (Number.isNaN(seq)) throw new BadRequest('after must be an audit record id (AUD- and 12 digits)');
  return { afterSeq: seq };
}

/**
 * A page of records as JSON (`next` names the last record when more follow), or as CSV, where the
 * `x-next-record` header says the same.
 */
function recordsPage(name: string, page: RecordsPage, asCsv: boolean): APIGatewayProxyStructuredResultV2 {
  const next = page.more ? page.records.at(-1)?.id : undefined;
  if (asCsv) {
    const answer = csv(name, recordsCsv(page.records));
    return next ? { ...answer, headers: { ...answer.headers, 'x-next-record': next } } : answer;
  }
  return json(200, { records: page.records, ...(next && { next }), auditId: page.record.id });
}

function optionalTenant(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (!TENANT_PATTERN.test(value)) throw new BadRequest('tenant must be 1-64 characters of a-z, 0-9 and -');
  return value;
}

async function handle(
  route: StaffRoute,
  principal: Principal,
  event: APIGatewayProxyEventV2,
  body: Buffer,
  staff: StaffService,
  source: string,
): Promise<APIGatewayProxyStructuredResultV2> {
  const q = query(event);
  const asCsv = q.get('format') === 'csv';
  switch (route) {
    case 'GET /me': {
      const me = await staff.me(principal);
      return json(200, {
        subject: me.principal.subject,
        name: me.principal.name,
        mfa: me.principal.mfa,
        grants: me.grants,
        // The roles the console offers: any other request would be refused, and counted.
        usable: me.usable.map((g) => ({ tenant: g.tenant, role: g.role })),
        blocked: me.blocked !== undefined,
      });
    }
    case 'POST /reidentify': {
      const request = parse(reidentifyBody, body);
      const result = await staff.reidentify(principal, { ...request, source });
      if (result.outcome === 'refused') return refused({ refused: result.reason, record: result.record });
      return json(200, {
        outcome: result.outcome,
        ...(result.reason && { reason: result.reason }),
        results: result.results,
        ...(result.text !== undefined && { text: result.text }),
        auditId: result.record.id,
      });
    }
    case 'GET /audit/records': {
      const action = q.get('action') ?? undefined;
      if (action !== undefined && !(Object.values(AuditAction) as string[]).includes(action))
        throw new BadRequest('action is not an audit action');
      const outcome = q.get('outcome') ?? undefined;
      if (outcome !== undefined && outcome !== 'granted' && outcome !== 'denied')
        throw new BadRequest('outcome must be granted or denied');
      const result = await staff.records(
        principal,
        {
          ...(q.get('actor') && { actor: q.get('actor') as string }),
          ...(optionalTenant(q.get('tenant')) && { tenant: q.get('tenant') as string }),
          ...(q.get('token') && { token: q.get('token') as string }),
          ...(action && { action: action as AuditAction }),
          ...(outcome && { outcome: outcome as AuditRecord['outcome'] }),
          since: time(q.get('since'), 'since'),
          until: time(q.get('until'), 'until'),
          ...after(q),
        },
        source,
        limit(q),
      );
      if ('refused' in result) return refused(result);
      return recordsPage('audit-records', result, asCsv);
    }
    case 'GET /audit/verify': {
      const result = await staff.verify(principal, source);
      if ('refused' in result) return refused(result);
      return json(200, result.verdict);
    }
    case 'POST /audit/who-has-seen': {
      const { tenant, purpose, ...identifiers } = parse(lookupBody, body);
      const citizen: CitizenQuery = Object.fromEntries(
        Object.entries(identifiers).flatMap(([id, v]) =>
          v === undefined ? [] : [[id, typeof v === 'string' ? [v] : v]],
        ),
      );
      const problem = checkCitizenQuery(citizen);
      if (problem) throw new BadRequest(problem);
      const result = await staff.whoHasSeen({ principal, source }, citizen, { tenant, purpose });
      if ('refused' in result) return refused(result);
      return asCsv
        ? csv('who-has-seen', seenCsv(result.rows))
        : // Rows only: the tokens computed for each value given would confirm guesses of CPR numbers.
          json(200, { identifiers: result.tokens.length, rows: result.rows, auditId: result.record.id });
    }
    case 'GET /audit/activity': {
      const user = q.get('user');
      if (!user) throw new BadRequest('user is required: the subject id whose activity to list');
      const result = await staff.activity(principal, user, source, { ...after(q), limit: limit(q) });
      if ('refused' in result) return refused(result);
      return recordsPage('user-activity', result, asCsv);
    }
    case 'GET /audit/access-review': {
      const result = await staff.accessReview(principal, source, optionalTenant(q.get('tenant')));
      if ('refused' in result) return refused(result);
      return asCsv
        ? csv('access-review', reviewCsv(result.rows))
        : json(200, { grants: result.rows, auditId: result.record.id });
    }
    case 'GET /grants': {
      const result = await staff.accessReview(principal, source, optionalTenant(q.get('tenant')));
      if ('refused' in result) return refused(result);
      return json(200, { grants: result.rows, auditId: result.record.id });
    }
    case 'POST /grants':
    case 'POST /grants/revoke':
    case 'POST /grants/reattest': {
      const input = parse(grantBody, body);
      const problem = checkGrantInput(input);
      if (problem || !isRole(input.role))
        throw new BadRequest(problem ?? `role must be one of ${ROLES.join(', ')}`);
      const grant = { user: input.user, tenant: input.tenant, role: input.role };
      const authority = { principal, source };
      const change =
        route === 'POST /grants'
          ? await staff.grants.add(authority, {
              ...grant,
              ...(input.expiresAt && { expiresAt: new Date(input.expiresAt) }),
            })
          : route === 'POST /grants/revoke'
            ? await staff.grants.revoke(authority, grant)
            : await staff.grants.reattest(authority, {
                ...grant,
                ...(input.months !== undefined && { months: input.months }),
              });
      return changed(change);
    }
    case 'GET /blocks': {
      const result = await staff.blocks(principal, source);
      if ('refused' in result) return refused(result);
      return json(200, { blocks: result.blocks });
    }
    case 'POST /blocks/unblock': {
      const { user } = parse(z.object({ user: z.string().min(1).max(256) }).strict(), body);
      return changed(await staff.grants.unblock({ principal, source }, user));
    }
  }
}

function changed(change: GrantChange): APIGatewayProxyStructuredResultV2 {
  if (change.outcome === 'not-found') return errorResponse(404, 'NOT_FOUND', 'no such grant or block');
  if (change.outcome === 'refused') {
    return change.record
      ? refused({ refused: change.reason, record: change.record })
      : errorResponse(403, change.reason, refusalMessage(change.reason));
  }
  return json(200, { ...(change.grant && { grant: change.grant }), auditId: change.record.id });
}

/** The claims the JWT authorizer verified (or the local server did). */
function claimsOf(event: APIGatewayProxyEventV2): Record<string, unknown> | undefined {
  const context = event.requestContext as APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: Record<string, unknown> } };
  };
  return context.authorizer?.jwt?.claims;
}

let aws: StaffRuntime | undefined;
let site: Promise<ConsoleSite> | undefined;
export const handler: HttpHandler = createStaffApiHandler(
  () => {
    aws ??= awsStaffRuntime();
    return aws;
  },
  undefined,
  'api',
  () => {
    site ??= ConsoleSite.load(JSON.parse(process.env.CONSOLE_CONFIG ?? 'null')).catch((error: unknown) => {
      site = undefined;
      throw error;
    });
    return site;
  },
);
