import { parseArgs } from 'node:util';
import { isRequestRefusal, ReidentifyError, reidentifyTokens } from '../reidentify/reidentify-tokens.ts';
import { openEmbeddedRuntime } from '../runtime/embedded.ts';
import { reidentifyDepsOf } from '../staff/staff-service.ts';
import { TENANT_PATTERN } from '../ticket/generic-ticket.ts';
import { write } from './output.ts';

export const REIDENTIFY_USAGE =
  'usage: ticket-proxy reidentify --actor USER --purpose TEXT [--tenant T] TOKEN…';

/**
 * `ticket-proxy reidentify` (CONTRACTS.md §3), with the operator's authority: no grant is needed,
 * but the purpose is, and every call is recorded. `TOKEN<TAB>VALUE` on stdout per value, one error
 * line on stderr per token without one. Exit 0 when every token gave a value, 1 when some did not,
 * 2 on usage errors (a missing or too short purpose is recorded as denied first).
 */
export async function reidentifyCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { actor: { type: 'string' }, purpose: { type: 'string' }, tenant: { type: 'string' } },
  });
  const actor = values.actor?.trim() ?? '';
  if (!actor || actor.length > 200 || /\p{Cc}/u.test(actor)) {
    return usage('--actor USER is required: who asks (up to 200 characters, one line)');
  }
  if (values.tenant !== undefined && !TENANT_PATTERN.test(values.tenant)) {
    return usage('--tenant must be 1-64 characters of a-z, 0-9 and -');
  }
  if (positionals.length === 0) return usage('name at least one TOKEN');

  const runtime = await openEmbeddedRuntime();
  try {
    const { results } = await reidentifyTokens(
      {
        actor,
        source: 'cli',
        tokens: positionals,
        purpose: values.purpose,
        ...(values.tenant !== undefined && { tenants: [values.tenant] }),
      },
      reidentifyDepsOf(runtime),
    );
    const refused = results.find((r) => 'error' in r && isRequestRefusal(r.error.code));
    if (refused && 'error' in refused) {
      return usage(`${refused.error.message}; the refusal is recorded in the audit log`);
    }
    const lines: string[] = [];
    let failed = false;
    for (const result of results) {
      if ('value' in result) {
        lines.push(`${result.token}\t${escapeLine(result.value)}`);
        continue;
      }
      failed = true;
      // A string that is not a token is named by its position: it might be personal data.
      const name =
        result.error.code === ReidentifyError.NOT_A_TOKEN
          ? `argument ${positionals.indexOf(result.token) + 1}`
          : result.token;
      console.error(`ticket-proxy: ${name}: ${result.error.code}: ${result.error.message}`);
    }
    if (lines.length > 0) await write(`${lines.join('\n')}\n`);
    return failed ? 1 : 0;
  } finally {
    await runtime.close();
  }
}

function usage(message: string): number {
  console.error(`ticket-proxy: ${message}\n\n${REIDENTIFY_USAGE}`);
  return 2;
}

/** One value per line whatever it holds: backslash, tab and line breaks are escaped as in C. */
const escapeLine = (value: string) =>
  value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] ?? c);
