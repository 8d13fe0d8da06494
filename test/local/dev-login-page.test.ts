import { describe, expect, it } from 'vitest';
import type { AuthorizeParams } from '../../lib/auth/dev-login.ts';
import { LOGIN_PAGE_HEADERS, loginErrorPage, loginPage } from '../../lib/local/dev-login-page.ts';

const ATTACK = `"><script>alert('x')</script><img src=x onerror=alert(1)>&amp;`;
/** What ATTACK must read as in the HTML: every special character as a character reference. */
const ATTACK_ESCAPED =
  '&#34;&#62;&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;&#60;img src=x onerror=alert(1)&#62;&#38;amp;';

const PARAMS: AuthorizeParams = {
  responseType: 'code',
  clientId: 'ticket-proxy-local',
  redirectUri: 'http://127.0.0.1:8787/console',
  state: 'state-0123456789abcdef',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  codeChallengeMethod: 'S256',
};

const WIRE_NAMES: Record<keyof AuthorizeParams, string> = {
  responseType: 'response_type',
  clientId: 'client_id',
  redirectUri: 'redirect_uri',
  state: 'state',
  codeChallenge: 'code_challenge',
  codeChallengeMethod: 'code_challenge_method',
};

/** Undoes the page's escaping, as a browser reads an attribute value. */
const decodeReferences = (text: string) =>
  text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

/** The hidden inputs' values by name, as the browser would post them. */
function hiddenInputs(html: string): Record<string, string> {
  return Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([a-z_]+)" value="([^"]*)">/g)].map((m) => [
      m[1] ?? '',
      decodeReferences(m[2] ?? ''),
    ]),
  );
}

describe('loginPage', () => {
  it('carries every authorization parameter in a hidden input, under its OAuth name', () => {
    const html = loginPage(PARAMS);
    expect(hiddenInputs(html)).toEqual(
      Object.fromEntries(Object.entries(PARAMS).map(([k, v]) => [WIRE_NAMES[k as keyof AuthorizeParams], v])),
    );
  });

  it('posts to the login endpoint on this server, with no script of its own', () => {
    const html = loginPage(PARAMS);
    expect(html).toMatch(/<form [^>]*method="post" action="\/dev-login\/authorize"/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });

  it('labels the user and one-time code inputs', () => {
    const html = loginPage(PARAMS);
    for (const [id, name, label] of [
      ['user', 'user', /Bruger-id/],
      ['otp', 'otp', /Engangskode/],
    ] as const) {
      const labelMatch = new RegExp(`<label for="${id}">([^\\n]*)</label>`).exec(html);
      expect(labelMatch?.[1], id).toMatch(label);
      expect(html).toMatch(new RegExp(`<input id="${id}" name="${name}"`));
    }
    expect(html).toMatch(/<input id="otp" [^>]*autocomplete="one-time-code"/);
    expect(html).toMatch(/<input id="user" [^>]*required/);
  });

  it('requires the one-time code, and offers no login without it', () => {
    const html = loginPage(PARAMS);
    expect(html).toMatch(/<input id="otp" [^>]*required/);
    expect(html).toMatch(/<input id="otp" [^>]*pattern="\[0-9\]\{6\}"/);
    expect(html).toContain('npx ticket-proxy login --user &lt;id&gt; --code');
    expect(html).not.toMatch(/without a (one-time )?code|uden kode/i);
    expect(html).not.toMatch(/without a second factor|uden anden faktor/i);
  });

  it.each(Object.keys(WIRE_NAMES) as (keyof AuthorizeParams)[])('escapes %s', (key) => {
    const html = loginPage({ ...PARAMS, [key]: ATTACK });
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain(`name="${WIRE_NAMES[key]}" value="${ATTACK_ESCAPED}"`);
    expect(hiddenInputs(html)[WIRE_NAMES[key]]).toBe(ATTACK);
  });

  it('escapes the user it shows again, and the problem', () => {
    const html = loginPage(PARAMS, `wrong code ${ATTACK}`, ATTACK);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain(`<input id="user" name="user" required maxlength="256" value="${ATTACK_ESCAPED}"`);
    expect(html).toContain(
      `<div class="notice error" role="alert"><p>wrong code ${ATTACK_ESCAPED}</p></div>`,
    );
  });

  it('shows a problem only when there is one, and keeps the user typed', () => {
    expect(loginPage(PARAMS)).not.toContain('role="alert"');
    expect(loginPage(PARAMS)).toContain('name="user" required maxlength="256" value=""');
    const html = loginPage(PARAMS, 'the one-time code is wrong, used or too old', 'alice');
    expect(html).toContain('role="alert"><p>the one-time code is wrong, used or too old</p>');
    expect(html).toContain('value="alice"');
  });
});

describe('loginErrorPage', () => {
  it('says what was refused, escaped, with no form to go on with', () => {
    const html = loginErrorPage(`redirect_uri must be this server’s /console ${ATTACK}`);
    expect(html).toContain(`<p>redirect_uri must be this server’s /console ${ATTACK_ESCAPED}</p>`);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<form');
    // Back to the console's page, /console itself (not /console/, which only redirects there).
    expect(html).toContain('<a href="/console">');
    expect(html).not.toContain('href="/console/"');
  });
});

describe('LOGIN_PAGE_HEADERS', () => {
  it('allow no script, post only to this server, and are not framed, sniffed, cached or referred elsewhere', () => {
    const policy = LOGIN_PAGE_HEADERS['content-security-policy'];
    expect(policy).toContain("default-src 'none'");
    expect(policy).not.toContain('script-src');
    expect(policy).toContain("form-action 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(LOGIN_PAGE_HEADERS).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'x-content-type-options': 'nosniff',
      // No referrer to other sites; but not no-referrer, with which the browser posts the form with
      // `Origin: null`, and the server refuses a post that is not from its own origin.
      'referrer-policy': 'same-origin',
      'cache-control': 'no-store',
    });
  });
});
