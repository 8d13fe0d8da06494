import { parseArgs } from 'node:util';
import { DevIssuer, MAX_LOGIN_SECONDS, ONE_TIME_CODE_SECONDS } from '../auth/dev-issuer.ts';
import { groupsOfLiveGrants } from '../auth/dev-login.ts';
import { openEmbeddedRuntime } from '../runtime/embedded.ts';

export const LOGIN_USAGE = `usage: ticket-proxy login --user SUBJECT [--name NAME] [--group GROUP]… [--no-mfa] [--ttl SECONDS]
       ticket-proxy login --user SUBJECT --code`;

/**
 * Mints a login (a JWT) from the local development issuer and prints it, for the local server's
 * staff API: `curl -H "Authorization: Bearer $(npx ticket-proxy login --user alice)" …`. Its groups
 * are those of the user's live grants unless given; `--no-mfa` mints one without a second factor,
 * to see the refusal. `--code` prints the one-time code the console's local login page asks for
 * instead, as an authenticator app would show it.
 */
export async function loginCommand(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      user: { type: 'string' },
      name: { type: 'string' },
      group: { type: 'string', multiple: true },
      'no-mfa': { type: 'boolean', default: false },
      code: { type: 'boolean', default: false },
      ttl: { type: 'string', default: '3600' },
    },
  });
  const user = values.user?.trim() ?? '';
  if (!user || user.length > 256 || /\p{Cc}/u.test(user)) {
    console.error(
      `ticket-proxy: --user SUBJECT is required: one person's id, up to 256 characters\n\n${LOGIN_USAGE}`,
    );
    return 2;
  }
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_LOGIN_SECONDS) {
    console.error(`ticket-proxy: --ttl must be 1 to ${MAX_LOGIN_SECONDS} seconds\n\n${LOGIN_USAGE}`);
    return 2;
  }
  const runtime = await openEmbeddedRuntime();
  try {
    const now = new Date();
    const issuer = await DevIssuer.open(runtime.dataDir);
    if (values.code) {
      process.stdout.write(`${issuer.oneTimeCode(user, now)}\n`);
      console.error(
        `(for ${user}: valid for ${ONE_TIME_CODE_SECONDS / 60} to ${(2 * ONE_TIME_CODE_SECONDS) / 60} minutes)`,
      );
      return 0;
    }
    const groups = values.group ?? (await groupsOfLiveGrants(runtime.access, user, now));
    const jwt = await issuer.mint({
      subject: user,
      ...(values.name !== undefined && { name: values.name }),
      groups,
      mfa: !values['no-mfa'],
      ttlSeconds: ttl,
    });
    process.stdout.write(`${jwt}\n`);
    return 0;
  } finally {
    await runtime.close();
  }
}
