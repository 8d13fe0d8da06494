import type { AuthorizeParams } from '../auth/dev-login.ts';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The login page's own headers: no scripts at all, its form posts only to this server. */
export const LOGIN_PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  // Not no-referrer: the browser would then send `Origin: null`, and the server checks the origin.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

const HIDDEN: [keyof AuthorizeParams, string][] = [
  ['responseType', 'response_type'],
  ['clientId', 'client_id'],
  ['redirectUri', 'redirect_uri'],
  ['state', 'state'],
  ['codeChallenge', 'code_challenge'],
  ['codeChallengeMethod', 'code_challenge_method'],
];

/**
 * The development issuer's login page, in Danish with English beside it: a user id and the
 * one-time code from `npx ticket-proxy login --user … --code`. Plain HTML, no script.
 */
export function loginPage(params: AuthorizeParams, problem?: string, user = ''): string {
  const hidden = HIDDEN.map(
    ([key, name]) => `<input type="hidden" name="${name}" value="${escapeHtml(params[key])}">`,
  ).join('\n        ');
  return `<!doctype html>
<html lang="da">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Log ind (lokal udvikling) – ticket-proxy</title>
    <link rel="stylesheet" href="/console/console.css">
  </head>
  <body>
    <header class="top"><div class="brand"><span class="logo" aria-hidden="true">◆</span><span>ticket-proxy</span><span class="mode">lokal udsteder</span></div></header>
    <main class="login">
      <h1>Log ind <span class="muted" lang="en">(Log in)</span></h1>
      <p>Lokal udviklingsudsteder: kun på denne maskine. <span lang="en">Local development issuer, on this machine only.</span></p>
      ${problem ? `<div class="notice error" role="alert"><p>${escapeHtml(problem)}</p></div>` : ''}
      <form class="card" method="post" action="/dev-login/authorize" autocomplete="off">
        ${hidden}
        <div class="field">
          <label for="user">Bruger-id <span lang="en">(user id)</span></label>
          <input id="user" name="user" required maxlength="256" value="${escapeHtml(user)}" autofocus>
        </div>
        <div class="field">
          <label for="otp">Engangskode <span lang="en">(one-time code)</span></label>
          <input id="otp" name="otp" required inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" aria-describedby="otp-hint">
          <span class="hint" id="otp-hint">Fra <span lang="en">(from)</span> npx ticket-proxy login --user &lt;id&gt; --code</span>
        </div>
        <div class="actions"><button type="submit">Log ind</button></div>
      </form>
    </main>
  </body>
</html>`;
}

/** A request the console would never make: said plainly, with no form to go on with. */
export function loginErrorPage(description: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Login request refused – ticket-proxy</title><link rel="stylesheet" href="/console/console.css"></head>
<body><main class="login"><h1>Login request refused</h1><div class="notice error"><p>${escapeHtml(description)}</p></div><p><a href="/console">Back to the console</a></p></main></body></html>`;
}
