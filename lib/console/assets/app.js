// ticket-proxy staff console: plain ES modules, no build step, no third-party code.
// Re-identified values live only in the page's DOM while its view is shown: never in storage, the
// URL or history. Session storage holds the login (an ID token) and, during a login, its PKCE state.
import { applyTranslations, language, setLanguage, t } from './i18n.js';

const SESSION_KEY = 'ticket-proxy.session';
const LOGIN_KEY = 'ticket-proxy.login';

const state = { config: undefined, session: undefined, me: undefined };

// ---------------------------------------------------------------- DOM helpers

/** Builds an element; text is always set as text, never parsed as HTML. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false || value === null) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'text') el.textContent = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

let fieldCount = 0;
/** A labelled input, textarea or select: every control has a visible label. */
function field(label, control, hint) {
  fieldCount += 1;
  const id = control.id || `f${fieldCount}`;
  control.id = id;
  const hintEl = hint ? h('span', { class: 'hint', id: `${id}-hint`, text: hint }) : undefined;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id, text: label }), control, hintEl);
}

function table(caption, headers, rows) {
  return h(
    'div',
    { class: 'scroll' },
    h(
      'table',
      {},
      h('caption', { text: caption }),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((head) => h('th', { scope: 'col', text: head })),
        ),
      ),
      h(
        'tbody',
        {},
        rows.length === 0
          ? h('tr', {}, h('td', { colspan: headers.length, text: t('table.empty') }))
          : rows.map((cells) =>
              h(
                'tr',
                {},
                cells.map((cell) => h('td', {}, cell)),
              ),
            ),
      ),
    ),
  );
}

const tag = (kind, text) => h('span', { class: `tag ${kind}`, text });
const code = (text) => h('code', { text });
const time = (iso) => (iso ? new Date(iso).toLocaleString(language() === 'da' ? 'da-DK' : 'en-GB') : '–');

function notice(kind, ...lines) {
  return h(
    'div',
    { class: `notice ${kind}` },
    lines.map((line) => h('p', {}, line)),
  );
}

function announce(message, kind = 'ok') {
  const status = document.getElementById('status');
  status.replaceChildren(message ? notice(kind, message) : '');
}

/** An API refusal, said in the person's language, with the audit record that registers it. */
function refusal(response) {
  const codeText = response.data?.error?.code ?? `HTTP ${response.status}`;
  const known = t(`refusal.${codeText}`, {}, '');
  const message = known || response.data?.error?.message || t('error.unknown');
  return notice(
    'error',
    h('strong', { text: `${t('refused')}: ` }),
    message,
    response.data?.auditId ? h('span', {}, `${t('auditRecord')}: `, code(response.data.auditId)) : undefined,
  );
}

// ---------------------------------------------------------------- login (OAuth 2.0 code + PKCE)

const base64url = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const randomText = (size) => base64url(crypto.getRandomValues(new Uint8Array(size)));
const redirectUri = () => `${location.origin}/console`;

async function logIn() {
  const verifier = randomText(32);
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const loginState = randomText(16);
  sessionStorage.setItem(LOGIN_KEY, JSON.stringify({ verifier, state: loginState, view: location.hash }));
  const url = new URL(state.config.authorizeUrl, location.origin);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: state.config.clientId,
    redirect_uri: redirectUri(),
    scope: state.config.scope,
    state: loginState,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    lang: language(),
    ...(state.config.acrValues ? { acr_values: state.config.acrValues } : {}),
  }).toString();
  location.assign(url.toString());
}

/** Back from the identity provider: trade the code for the ID token, and take the code out of the URL. */
async function finishLogIn() {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return;
  const pending = JSON.parse(sessionStorage.getItem(LOGIN_KEY) ?? 'null');
  sessionStorage.removeItem(LOGIN_KEY);
  history.replaceState(null, '', `/console${pending?.view ?? ''}`);
  // Nothing from the URL is shown: a crafted link could put any text there.
  if (!pending || pending.state !== params.get('state')) throw new Error(t('login.stateMismatch'));
  if (params.has('error')) throw new Error(t('login.refusedByProvider'));
  const response = await fetch(state.config.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: state.config.clientId,
      code: params.get('code'),
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  });
  const tokens = await response.json().catch(() => ({}));
  if (!response.ok || typeof tokens.id_token !== 'string') {
    throw new Error(`${t('login.codeRefused')} (${String(tokens.error ?? response.status)})`);
  }
  saveSession(tokens.id_token);
}

function claimsOf(jwt) {
  const part = jwt.split('.')[1] ?? '';
  const binary = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
}

function saveSession(idToken) {
  const claims = claimsOf(idToken);
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({ idToken, expiresAt: claims.exp * 1000 }));
}

function loadSession() {
  const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
  if (!session || session.expiresAt <= Date.now()) {
    sessionStorage.removeItem(SESSION_KEY);
    return undefined;
  }
  return session;
}

/** Ends the session in this tab: the login and every value shown go. */
function endSession(message) {
  clearValues();
  sessionStorage.removeItem(SESSION_KEY);
  state.session = undefined;
  state.me = undefined;
  showLoggedOut(message);
}

function logOut() {
  endSession(t('login.loggedOut'));
  if (state.config.logoutUrl) {
    const url = new URL(state.config.logoutUrl, location.origin);
    url.search = new URLSearchParams({
      client_id: state.config.clientId,
      logout_uri: redirectUri(),
    }).toString();
    location.assign(url.toString());
  }
}

// ---------------------------------------------------------------- API

/** A request with the login; a 401 ends the session. */
async function send(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${state.session.idToken}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
    cache: 'no-store',
  });
  if (response.status === 401) {
    endSession(t('login.expired'));
    throw new Error('logged out');
  }
  return response;
}

/** Calls the staff API: the status and the answer, JSON or text. */
async function api(method, path, body) {
  const response = await send(method, path, body);
  const type = response.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await response.json() : await response.text();
  return { ok: response.ok, status: response.status, data };
}

/**
 * Downloads a CSV report: fetched with the login, page by page where the answer names the next
 * (`x-next-record`), handed to the browser as one file, not kept.
 */
async function downloadCsv(path, name) {
  const pages = [];
  for (let next = path; next !== undefined; ) {
    const response = await send('GET', next);
    if (!response.ok) {
      const data = await response.json().catch(() => undefined);
      document.getElementById('status').replaceChildren(refusal({ status: response.status, data }));
      return;
    }
    // Decoding drops the byte order mark, which is put back once below; later pages lose their header.
    const text = await response.text();
    pages.push(pages.length === 0 ? text : text.slice(text.indexOf('\r\n') + 2));
    const after = response.headers.get('x-next-record');
    next = after ? withParam(path, 'after', after) : undefined;
  }
  const url = URL.createObjectURL(new Blob(['\uFEFF', ...pages], { type: 'text/csv;charset=utf-8' }));
  const link = h('a', { href: url, download: `${name}.csv` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The path with one query parameter set. */
function withParam(path, name, value) {
  const url = new URL(path, location.href);
  url.searchParams.set(name, value);
  return `${url.pathname}${url.search}`;
}

// ---------------------------------------------------------------- roles

// What the person can use now, as the API says (live grant, group, MFA, not blocked): the console
// offers nothing else, since any other request would be refused and counted towards a block.
const usable = () => state.me?.usable ?? [];
const hasRole = (...roles) => usable().some((g) => roles.includes(g.role));
const tenantsWith = (...roles) => [
  ...new Set(
    usable()
      .filter((g) => roles.includes(g.role))
      .map((g) => g.tenant),
  ),
];

/** Which views the person may open: re-identifying is open to all, so a refusal can say why. */
const allowed = () => ({
  reidentify: true,
  read: hasRole('dpo', 'admin'),
  local: state.config.mode === 'local',
});

function showNav() {
  const nav = document.getElementById('nav');
  nav.hidden = false;
  for (const item of nav.querySelectorAll('[data-needs]')) item.hidden = !allowed()[item.dataset.needs];
}

// ---------------------------------------------------------------- views

const VIEWS = {
  '#/': { render: overview },
  '#/reidentify': { render: reidentifyView, needs: 'reidentify' },
  '#/audit': { render: auditView, needs: 'read' },
  '#/access': { render: accessView, needs: 'read' },
  '#/outbox': { render: outboxView, needs: 'local' },
};

/** Leaving a view takes its values with it: its DOM, forms included, is removed. */
function clearValues() {
  document.getElementById('main').replaceChildren();
}

async function route() {
  const view = VIEWS[location.hash];
  // A view the person may not open (a bookmark, a typed address) falls back to the overview.
  const hash = view && (!view.needs || allowed()[view.needs]) ? location.hash : '#/';
  clearValues();
  announce(hash === location.hash || !view ? '' : t('view.notAllowed'), 'warn');
  for (const link of document.querySelectorAll('nav a')) {
    if (link.getAttribute('href') === hash) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  // Each visit renders into an element of its own: a view still waiting for an answer after the
  // person moved on adds to its own, detached element, never to the next view.
  const main = document.getElementById('main');
  const content = document.createElement('div');
  main.replaceChildren(content);
  await VIEWS[hash].render(content);
  const heading = content.querySelector('h1');
  if (heading && content.isConnected) {
    document.title = `${heading.textContent} – ticket-proxy`;
    main.focus();
  }
}

function showLoggedOut(message) {
  document.getElementById('nav').hidden = true;
  document.getElementById('logout').hidden = true;
  document.getElementById('who').textContent = '';
  const main = document.getElementById('main');
  main.replaceChildren(
    h(
      'section',
      { class: 'login' },
      h('h1', { text: t('login.title') }),
      message ? notice('warn', message) : undefined,
      h('p', { text: t('login.text') }),
      state.config.mode === 'local' ? h('p', { class: 'hint', text: t('login.localHint') }) : undefined,
      h('button', { type: 'button', id: 'login', onclick: () => logIn(), text: t('login.button') }),
    ),
  );
  document.title = `${t('login.title')} – ticket-proxy`;
}

async function overview(main) {
  const me = state.me;
  main.append(h('h1', { text: t('overview.title') }));
  if (me.blocked) main.append(notice('error', t('overview.blocked')));
  if (!me.mfa) main.append(notice('error', t('refusal.NO_MFA')));
  main.append(
    h(
      'section',
      { class: 'card' },
      h('p', {}, `${t('overview.user')}: `, code(me.subject), me.name ? ` (${me.name})` : ''),
      h('p', {}, `${t('overview.mfa')}: `, me.mfa ? tag('granted', t('yes')) : tag('denied', t('no'))),
    ),
    table(
      t('overview.grants'),
      [t('col.tenant'), t('col.role'), t('col.expires'), t('col.lastUsed')],
      me.grants.map((g) => [
        g.tenant,
        t(`role.${g.role}`),
        h(
          'span',
          {},
          time(g.expiresAt),
          ' ',
          Date.parse(g.expiresAt) > Date.now() ? '' : tag('expired', t('expired')),
        ),
        time(g.lastUsedAt),
      ]),
    ),
  );
  if (me.grants.length === 0) main.append(notice('warn', t('overview.noGrants')));
}

/** A token as CONTRACTS.md §2 writes them, and the API's rule for a purpose (a sentence). */
const TOKEN = /\b[A-Z]{2,10}_[A-Z2-7]{10,16}\b/;
const isStatedPurpose = (purpose) => {
  const text = purpose.trim();
  return text.length >= 10 && text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length >= 2;
};

async function reidentifyView(main) {
  const text = h('textarea', { name: 'text', required: true, rows: 8, spellcheck: 'false' });
  // The purpose rule is checked on submit, with the API's own words, rather than by minlength.
  const purpose = h('textarea', { name: 'purpose', required: true, rows: 2 });
  const issue = h('input', {
    name: 'issueKey',
    pattern: '[A-Z][A-Z0-9_]{0,19}-[0-9]{1,9}',
    autocomplete: 'off',
  });
  const result = h('div', { id: 'result', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', text: t('reidentify.submit') });
  const form = h(
    'form',
    {
      class: 'card',
      autocomplete: 'off',
      onsubmit: async (event) => {
        event.preventDefault();
        result.replaceChildren();
        // What the API would refuse (and count) is said here, before anything is sent.
        const problem = !TOKEN.test(text.value)
          ? t('reidentify.noToken')
          : !isStatedPurpose(purpose.value)
            ? t('refusal.PURPOSE_MISSING')
            : undefined;
        if (problem) {
          result.replaceChildren(notice('error', problem));
          focusOn(result.querySelector('.notice'));
          return;
        }
        submit.disabled = true;
        try {
          const response = await api('POST', '/reidentify', {
            text: text.value,
            purpose: purpose.value,
            ...(issue.value.trim() && { issueKey: issue.value.trim() }),
          });
          result.replaceChildren(response.ok ? restored(response.data) : refusal(response));
          focusOn(result.querySelector('h2, .notice'));
        } finally {
          submit.disabled = false;
        }
      },
    },
    field(t('reidentify.text'), text, t('reidentify.textHint')),
    field(t('reidentify.purpose'), purpose, t('reidentify.purposeHint')),
    field(t('reidentify.issue'), issue, t('reidentify.issueHint')),
    h(
      'div',
      { class: 'actions' },
      submit,
      h('button', {
        type: 'button',
        class: 'secondary',
        text: t('clear'),
        onclick: () => {
          form.reset();
          result.replaceChildren();
        },
      }),
    ),
  );
  if (!hasRole('reidentifier')) main.append(notice('warn', t('reidentify.noGrant')));
  main.append(
    h('h1', { text: t('reidentify.title') }),
    h('p', { class: 'lead', text: t('reidentify.lead') }),
    form,
    result,
  );
}

function restored(data) {
  const withheld = data.results.filter((r) => r.error);
  return h(
    'section',
    {},
    h('h2', { text: t('reidentify.result') }),
    // A request that gave no value is a refusal, and counts towards a block like one.
    data.outcome === 'granted'
      ? notice(
          'ok',
          h('span', {}, `${t('auditRecord')}: `, code(data.auditId)),
          withheld.length ? t('reidentify.withheld', { count: withheld.length }) : undefined,
        )
      : notice(
          'error',
          h('strong', { text: `${t('refused')}: ` }),
          t(`reason.${data.reason}`, {}, t('reason.NO_VALUE')),
          h('span', {}, `${t('auditRecord')}: `, code(data.auditId)),
        ),
    data.text !== undefined ? h('pre', { class: 'restored', text: data.text }) : undefined,
    table(
      t('reidentify.tokens'),
      [t('col.token'), t('col.kind'), t('col.value')],
      data.results.map((r) => [
        code(r.token),
        r.kind ?? '–',
        r.error ? tag('denied', t(`tokenError.${r.error.code}`, {}, r.error.code)) : r.value,
      ]),
    ),
    h('p', { class: 'hint', text: t('reidentify.forget') }),
  );
}

async function auditView(main) {
  main.append(h('h1', { text: t('audit.title') }));
  const chain = h('div', { id: 'chain' });
  main.append(chain);
  const verdict = await api('GET', '/audit/verify');
  chain.replaceChildren(
    !verdict.ok
      ? refusal(verdict)
      : verdict.data.intact
        ? notice('ok', t('audit.intact', { count: verdict.data.count }))
        : notice(
            'error',
            t('audit.broken', { id: verdict.data.id, reason: verdict.data.reason }),
            verdict.data.message,
          ),
  );

  const inputs = {
    actor: h('input', { name: 'actor', autocomplete: 'off' }),
    tenant: h('input', { name: 'tenant', autocomplete: 'off', pattern: '[a-z0-9-]{1,64}' }),
    token: h('input', { name: 'token', autocomplete: 'off' }),
    since: h('input', { name: 'since', type: 'datetime-local' }),
    until: h('input', { name: 'until', type: 'datetime-local' }),
    outcome: h(
      'select',
      { name: 'outcome' },
      h('option', { value: '', text: t('audit.any') }),
      h('option', { value: 'granted', text: t('outcome.granted') }),
      h('option', { value: 'denied', text: t('outcome.denied') }),
    ),
  };
  const week = new Date(Date.now() - 7 * 24 * 3600 * 1000);
  inputs.since.value = new Date(week.getTime() - week.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  const results = h('div', { id: 'records' });
  const query = () => {
    const params = new URLSearchParams();
    for (const [name, input] of Object.entries(inputs)) {
      const value = input.value.trim();
      if (!value) continue;
      params.set(name, name === 'since' || name === 'until' ? new Date(value).toISOString() : value);
    }
    return params;
  };
  const search = async () => {
    const params = query();
    const records = [];
    // The API answers a page at a time, oldest first: each further page is asked for, and recorded.
    const load = async (after) => {
      if (after) params.set('after', after);
      const response = await api('GET', `/audit/records?${params}`);
      if (!response.ok) return results.replaceChildren(refusal(response));
      records.push(...response.data.records);
      const next = response.data.next;
      results.replaceChildren(
        ...(next
          ? [
              h(
                'p',
                { class: 'muted' },
                t('audit.more', { count: records.length }),
                ' ',
                h('button', {
                  type: 'button',
                  class: 'secondary',
                  text: t('audit.moreButton'),
                  onclick: () => load(next),
                }),
              ),
            ]
          : []),
        recordsTable(records),
      );
    };
    await load();
    focusOn(results.firstElementChild);
  };
  main.append(
    h('h2', { text: t('audit.search') }),
    h(
      'form',
      {
        class: 'card',
        onsubmit: (event) => {
          event.preventDefault();
          search();
        },
      },
      h(
        'div',
        { class: 'fields' },
        field(t('col.user'), inputs.actor),
        field(t('col.tenant'), inputs.tenant),
        field(t('col.token'), inputs.token),
        field(t('audit.since'), inputs.since),
        field(t('audit.until'), inputs.until),
        field(t('col.outcome'), inputs.outcome),
      ),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', text: t('audit.searchButton') }),
        h('button', {
          type: 'button',
          class: 'secondary',
          text: t('csv'),
          onclick: () => {
            const params = query();
            params.set('format', 'csv');
            downloadCsv(`/audit/records?${params}`, 'audit-records');
          },
        }),
      ),
    ),
    results,
  );
  if (hasRole('dpo')) main.append(...whoHasSeenSection());
}

const actionText = (action) => t(`action.${action}`, {}, action);

function recordsTable(records) {
  return table(
    t('audit.records', { count: records.length }),
    [
      t('col.time'),
      t('col.user'),
      t('col.action'),
      t('col.tenant'),
      t('col.tokens'),
      t('col.purpose'),
      t('col.outcome'),
      t('col.record'),
    ],
    records
      .slice()
      .reverse()
      .map((r) => [
        time(r.time),
        code(r.actor),
        h(
          'span',
          {},
          actionText(r.action),
          r.subject ? h('span', { class: 'muted' }, ' → ', code(r.subject)) : undefined,
        ),
        r.tenant || '–',
        r.tokens.length
          ? h(
              'span',
              {},
              r.tokens.map((token) => h('div', {}, code(token))),
            )
          : '–',
        h(
          'span',
          {},
          r.purpose ?? '',
          r.issueKey ? h('div', { class: 'muted', text: r.issueKey }) : undefined,
        ),
        h(
          'span',
          {},
          tag(r.outcome, t(`outcome.${r.outcome}`)),
          r.reason ? h('div', { class: 'muted', text: t(`reason.${r.reason}`, {}, r.reason) }) : undefined,
        ),
        code(r.id),
      ]),
  );
}

function whoHasSeenSection() {
  const inputs = {
    cpr: h('input', { name: 'cpr', autocomplete: 'off', inputmode: 'numeric' }),
    name: h('input', { name: 'name', autocomplete: 'off' }),
    email: h('input', { name: 'email', type: 'email', autocomplete: 'off' }),
    phone: h('input', { name: 'phone', autocomplete: 'off', inputmode: 'tel' }),
  };
  const purpose = h('textarea', { name: 'purpose', required: true, rows: 2 });
  const results = h('div', { id: 'seen' });
  const body = () => ({
    ...Object.fromEntries(
      Object.entries(inputs)
        .map(([name, input]) => [name, input.value.trim()])
        .filter(([, value]) => value),
    ),
    purpose: purpose.value,
  });
  const form = h(
    'form',
    {
      class: 'card',
      autocomplete: 'off',
      onsubmit: async (event) => {
        event.preventDefault();
        // A refused lookup counts towards a block: what the API would refuse is said here.
        const problem = !Object.values(inputs).some((input) => input.value.trim())
          ? t('seen.nothing')
          : !isStatedPurpose(purpose.value)
            ? t('refusal.PURPOSE_MISSING')
            : undefined;
        if (problem) {
          results.replaceChildren(notice('error', problem));
          focusOn(results.firstElementChild);
          return;
        }
        let response;
        try {
          response = await api('POST', '/audit/who-has-seen', body());
        } finally {
          // The identifiers typed in leave the page as soon as they are sent, whatever the answer.
          for (const input of Object.values(inputs)) input.value = '';
        }
        results.replaceChildren(
          response.ok
            ? h(
                'div',
                {},
                notice('ok', h('span', {}, `${t('auditRecord')}: `, code(response.data.auditId))),
                table(
                  t('seen.rows', { count: response.data.rows.length }),
                  [
                    t('col.time'),
                    t('col.user'),
                    t('col.action'),
                    t('col.tenant'),
                    t('seen.seen'),
                    t('col.purpose'),
                    t('col.record'),
                  ],
                  response.data.rows.map((r) => [
                    time(r.time),
                    code(r.actor),
                    actionText(r.action),
                    r.tenant,
                    r.seen ? tag('denied', t('yes')) : tag('granted', t('no')),
                    h(
                      'span',
                      {},
                      r.purpose ?? '',
                      r.issueKey ? h('div', { class: 'muted', text: r.issueKey }) : undefined,
                    ),
                    code(r.recordId),
                  ]),
                ),
              )
            : refusal(response),
        );
        focusOn(results.firstElementChild);
      },
    },
    h('p', { class: 'hint', text: t('seen.hint') }),
    h(
      'div',
      { class: 'fields' },
      field(t('seen.cpr'), inputs.cpr),
      field(t('seen.name'), inputs.name),
      field(t('seen.email'), inputs.email),
      field(t('seen.phone'), inputs.phone),
    ),
    field(t('reidentify.purpose'), purpose, t('reidentify.purposeHint')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('seen.submit') })),
  );
  return [h('h2', { text: t('seen.title') }), form, results];
}

async function accessView(main) {
  const admin = hasRole('admin');
  main.append(h('h1', { text: t('access.title') }), h('p', { class: 'lead', text: t('access.lead') }));
  const review = h('div', { id: 'review' });
  const blocks = h('div', { id: 'blocks' });
  const load = async () => {
    const response = await api('GET', '/audit/access-review');
    review.replaceChildren(response.ok ? reviewTable(response.data.grants, load) : refusal(response));
    if (admin) {
      const blocked = await api('GET', '/blocks');
      blocks.replaceChildren(blocked.ok ? blocksTable(blocked.data.blocks, load) : refusal(blocked));
    }
  };
  main.append(
    h(
      'div',
      { class: 'actions' },
      h('button', {
        type: 'button',
        class: 'secondary',
        text: t('csv'),
        onclick: () => downloadCsv('/audit/access-review?format=csv', 'access-review'),
      }),
    ),
    review,
  );
  if (admin)
    main.append(
      h('h2', { text: t('access.add') }),
      addGrantForm(load),
      h('h2', { text: t('access.blocks') }),
      blocks,
    );
  await load();
}

async function change(path, body, done) {
  const response = await api('POST', path, body);
  if (response.ok) announce(`${t('access.changed')} ${t('auditRecord')}: ${response.data.auditId}`);
  else document.getElementById('status').replaceChildren(refusal(response));
  await done();
  // The table was rebuilt under the button: focus goes to what happened.
  focusOn(document.querySelector('#status .notice'));
}

/** Moves focus to a result or message, which need not be focusable otherwise. */
function focusOn(el) {
  if (!el) return;
  el.setAttribute('tabindex', '-1');
  el.focus();
}

function reviewTable(rows, reload) {
  // Buttons only on grants of tenants the person administers, and never on their own.
  const adminOf = tenantsWith('admin');
  const flags = (r) =>
    h(
      'span',
      {},
      tag(r.status, t(r.status === 'active' ? 'active' : 'expired')),
      r.unused ? [' ', tag('flag', t('access.unused'))] : undefined,
      r.attestationDue ? [' ', tag('flag', t('access.due'))] : undefined,
    );
  return table(
    t('access.grants', { count: rows.length }),
    [
      t('col.user'),
      t('col.tenant'),
      t('col.role'),
      t('col.expires'),
      t('col.lastUsed'),
      t('col.attested'),
      t('col.status'),
      ...(adminOf.length > 0 ? [t('col.actions')] : []),
    ],
    rows.map((r) => {
      const grant = { user: r.user, tenant: r.tenant, role: r.role };
      const what = `${r.user} · ${r.tenant} · ${t(`role.${r.role}`)}`;
      return [
        code(r.user),
        r.tenant,
        t(`role.${r.role}`),
        time(r.expiresAt),
        time(r.lastUsedAt),
        h('span', {}, time(r.attestedAt), h('div', { class: 'muted' }, code(r.attestedBy))),
        flags(r),
        // No one changes their own access (the API refuses it): no buttons on one's own grants.
        ...(adminOf.includes(r.tenant) && r.user !== state.me.subject
          ? [
              h(
                'div',
                { class: 'actions' },
                h('button', {
                  type: 'button',
                  class: 'small',
                  'aria-label': `${t('access.reattest')}: ${what}`,
                  text: t('access.reattest'),
                  onclick: () => change('/grants/reattest', grant, reload),
                }),
                h('button', {
                  type: 'button',
                  class: 'small danger',
                  'aria-label': `${t('access.revoke')}: ${what}`,
                  text: t('access.revoke'),
                  onclick: () => {
                    if (confirm(t('access.confirmRevoke', { what }))) change('/grants/revoke', grant, reload);
                  },
                }),
              ),
            ]
          : adminOf.length > 0
            ? ['']
            : []),
      ];
    }),
  );
}

function addGrantForm(reload) {
  const user = h('input', { name: 'user', required: true, autocomplete: 'off' });
  const tenant = h(
    'select',
    { name: 'tenant' },
    tenantsWith('admin').map((x) => h('option', { value: x, text: x })),
  );
  const role = h(
    'select',
    { name: 'role' },
    ['reidentifier', 'dpo', 'admin'].map((x) => h('option', { value: x, text: t(`role.${x}`) })),
  );
  return h(
    'form',
    {
      class: 'card',
      autocomplete: 'off',
      onsubmit: async (event) => {
        event.preventDefault();
        await change('/grants', { user: user.value.trim(), tenant: tenant.value, role: role.value }, reload);
        event.target.reset();
      },
    },
    h(
      'div',
      { class: 'fields' },
      field(t('col.user'), user, t('access.userHint')),
      field(t('col.tenant'), tenant),
      field(t('col.role'), role),
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('access.addButton') })),
  );
}

function blocksTable(rows, reload) {
  return table(
    t('access.blocked', { count: rows.length }),
    [t('col.user'), t('access.blockedAt'), t('access.denials'), t('col.record'), t('col.actions')],
    rows.map((b) => [
      code(b.user),
      time(b.blockedAt),
      String(b.denials),
      code(b.lastRecordId),
      h('button', {
        type: 'button',
        class: 'small',
        'aria-label': `${t('access.unblock')}: ${b.user}`,
        text: t('access.unblock'),
        onclick: () => change('/blocks/unblock', { user: b.user }, reload),
      }),
    ]),
  );
}

async function outboxView(main) {
  main.append(h('h1', { text: t('outbox.title') }), h('p', { class: 'lead', text: t('outbox.lead') }));
  const response = await fetch('/outbox?view=text', { cache: 'no-store' });
  if (!response.ok) {
    main.append(notice('warn', t('outbox.none')));
    return;
  }
  const issues = await response.json();
  if (issues.length === 0) main.append(notice('warn', t('outbox.empty')));
  for (const issue of issues.slice().reverse()) {
    main.append(
      h(
        'article',
        { class: 'ticket' },
        h('h2', {}, code(issue.issueKey), ' ', issue.summary),
        h(
          'p',
          { class: 'muted' },
          `${t('outbox.source')}: ${issue.source.ticketId} · ${t('col.tenant')}: ${issue.source.tenant} · ${t('outbox.expires')}: ${time(issue.expiresAt)}`,
        ),
        h('pre', { text: issue.description }),
        issue.comments.map((c) =>
          h('div', {}, h('h3', { text: t('outbox.comment') }), h('pre', { text: c.body })),
        ),
        issue.attachments.length
          ? h(
              'p',
              { class: 'muted' },
              `${t('outbox.attachments')}: ${issue.attachments.map((a) => a.filename).join(', ')}`,
            )
          : undefined,
      ),
    );
  }
}

// ---------------------------------------------------------------- start

async function start() {
  const select = document.getElementById('language');
  select.value = language();
  select.addEventListener('change', () => {
    setLanguage(select.value);
    applyTranslations(document);
    if (state.session) route();
    else if (state.config) showLoggedOut();
  });
  applyTranslations(document);
  document.getElementById('logout').addEventListener('click', logOut);
  // Values leave with the page: nothing for the back-forward cache to restore, and a page it does
  // restore shows its view afresh.
  addEventListener('pagehide', clearValues);
  addEventListener('pageshow', (event) => {
    if (event.persisted && state.session) route();
  });
  addEventListener('hashchange', () => {
    if (state.session) route();
  });

  state.config = await (await fetch('/console/config.json', { cache: 'no-store' })).json();
  if (state.config.mode === 'local') document.getElementById('mode').textContent = t('mode.local');
  try {
    await finishLogIn();
  } catch (error) {
    showLoggedOut(`${t('login.failed')}: ${error.message}`);
    return;
  }
  state.session = loadSession();
  if (!state.session) return showLoggedOut();
  const me = await api('GET', '/me');
  if (!me.ok) return showLoggedOut(`${t('login.failed')}: HTTP ${me.status}`);
  state.me = me.data;
  document.getElementById('who').textContent = me.data.name ?? me.data.subject;
  document.getElementById('logout').hidden = false;
  showNav();
  // The login ends when its token does: the page says so instead of failing at the next request.
  setTimeout(() => endSession(t('login.expired')), state.session.expiresAt - Date.now());
  await route();
}

start().catch((error) => {
  document.getElementById('main').replaceChildren(notice('error', `${t('error.unknown')}: ${error.message}`));
});
