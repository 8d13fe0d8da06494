import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import axe from 'axe-core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevIssuer } from '../../lib/auth/dev-issuer.ts';
import type { OutboxIssue } from '../../lib/tracker/outbox-tracker.ts';
import { type RunningServer, run, startServer } from '../support/processes.ts';
import { useTempDirs } from '../support/temp-dir.ts';

/**
 * The staff console in headless Chromium (Debian's, installed by .ci/run), against `npm start`'s
 * server: logging in through the development issuer, re-identifying, the audit view, refusals,
 * the access review, and axe-core's accessibility rules on every page. Without Chromium the suite
 * is skipped, unless TICKET_PROXY_REQUIRE_BROWSER is set (as CI sets it), when it fails.
 * TICKET_PROXY_SCREENSHOTS=<dir> also saves a screenshot of each page (`npm run screenshots`).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && process.env.TICKET_PROXY_REQUIRE_BROWSER) {
  throw new Error(
    `Chromium is required for the console tests and is not at ${CHROMIUM} (apt-get install chromium)`,
  );
}
const SCREENSHOTS = process.env.TICKET_PROXY_SCREENSHOTS;

const tempDir = useTempDirs();
let server: RunningServer;
let dataDir: string;
let browser: Browser;
let issuer: DevIssuer;
let tenant: string;
/** The sample ticket's CPR number and the token it became in Jira. */
const CPR_VALUE = '010190-1234';
let cprToken: string;

const cli = async (args: string) => {
  const result = await run(`node lib/cli/main.ts ${args}`, { env: { TICKET_PROXY_DATA_DIR: dataDir } });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim();
};

const jsonLines = <T>(text: string): T[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);

describe.skipIf(!haveBrowser)('staff console in Chromium', () => {
  beforeAll(async () => {
    dataDir = await tempDir();
    server = await startServer({ TICKET_PROXY_DATA_DIR: dataDir });
    issuer = await DevIssuer.open(dataDir);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    await cli(`send --url ${server.url}`);
    const issue = await delivered();
    tenant = issue.source.tenant;
    cprToken = /CPR_[A-Za-z0-9]+/.exec(issue.summary)?.[0] ?? '';
    expect(cprToken).not.toBe('');
    await cli(`grants add --actor setup --user alice --tenant ${tenant} --role reidentifier`);
    await cli(`grants add --actor setup --user dora --tenant ${tenant} --role dpo`);
    await cli(`grants add --actor setup --user dagny --tenant ${tenant} --role dpo`);
    await cli(`grants add --actor setup --user adam --tenant ${tenant} --role admin`);
    await cli(`grants add --actor setup --user bent --tenant ${tenant} --role reidentifier`);
    if (SCREENSHOTS) await mkdir(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (server) expect(await server.stop()).toBe(0);
  });

  async function delivered(): Promise<OutboxIssue> {
    for (let i = 0; i < 100; i++) {
      const [issue] = (await (await fetch(`${server.url}/outbox`)).json()) as OutboxIssue[];
      if (issue) return issue;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the sample ticket never reached the outbox');
  }

  /** A browser context of its own (no storage shared), in the given language. */
  async function newPage(language = 'da'): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: language === 'da' ? 'da-DK' : 'en-GB',
    });
    await context.addInitScript((lang) => localStorage.setItem('ticket-proxy.language', lang), language);
    const page = await context.newPage();
    page.on('dialog', (dialog) => dialog.accept());
    return page;
  }

  /** Logged in through the console's own login flow, with the user's one-time code. */
  async function logIn(user: string, { language = 'da' } = {}): Promise<Page> {
    const page = await newPage(language);
    await page.goto(`${server.url}/console`);
    await page.getByRole('button', { name: language === 'da' ? 'Log ind' : 'Log in' }).click();
    await page.waitForURL(/\/dev-login\/authorize/);
    await page.getByLabel(/Bruger-id/).fill(user);
    // The code as `npx ticket-proxy login --user … --code` prints it (alice's comes from the CLI itself).
    const code = user === 'alice' ? await cli('login --user alice --code') : issuer.oneTimeCode(user);
    await page.getByLabel(/Engangskode/).fill(code);
    await page.getByRole('button', { name: 'Log ind' }).click();
    await page.waitForURL(/\/console(#.*)?$/);
    await page.getByRole('heading', { level: 1 }).waitFor();
    return page;
  }

  /** The audit records of one user, as `audit list --json` prints them. */
  const recordsOf = async (user: string) =>
    jsonLines<{ id: string; action: string; outcome: string; reason?: string }>(
      await cli(`audit list --json --actor ${user}`),
    );

  async function checkAccessibility(page: Page, name: string): Promise<void> {
    await page.evaluate(axe.source);
    // WCAG 2.1 A and AA (labels, contrast, names, landmarks) and axe's best practices.
    const result: axe.AxeResults = await page.evaluate(
      `axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] })`,
    );
    const violations = result.violations.map(
      (v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
    expect(violations, name).toEqual([]);
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  it('is in Danish by default, with English a choice away, and serves strict security headers', async () => {
    const response = await fetch(`${server.url}/console`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('cache-control')).toBe('no-store');

    const page = await (await browser.newContext()).newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(`${server.url}/console`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Log ind');
    expect(await page.locator('html').getAttribute('lang')).toBe('da');
    await checkAccessibility(page, 'login');
    await page.getByLabel('Sprog').selectOption('en');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Log in');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it('re-identifies a token for a stated purpose, shows the audit record, and keeps no value after leaving', async () => {
    const page = await logIn('alice');
    await checkAccessibility(page, 'overview');
    await page.getByRole('link', { name: 'Genidentificér' }).click();
    await page.getByLabel('Tekst eller token fra Jira').fill(`Borgeren ${cprToken} ringede igen.`);
    await page.getByLabel('Formål', { exact: true }).fill('Borgeren ringede om sin sag og skal have svar');
    await page.getByLabel('Jira-sag (valgfri)').fill('DEV-42');
    await page.getByRole('button', { name: 'Genidentificér' }).click();
    const restored = page.locator('pre.restored');
    await expect.poll(() => restored.textContent()).toBe(`Borgeren ${CPR_VALUE} ringede igen.`);
    const auditId = await page.locator('.notice.ok code').textContent();
    expect(auditId).toMatch(/^AUD-/);
    await checkAccessibility(page, 'reidentify');

    // The value is only in the page while the view shows it: not in storage, the URL or the title.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    expect(stored).not.toContain(CPR_VALUE);
    expect(stored).not.toContain('0101901234');
    expect(page.url()).not.toContain('0101');
    await page.getByRole('link', { name: 'Oversigt' }).click();
    await page.getByRole('heading', { name: 'Oversigt' }).waitFor();
    expect(await page.content()).not.toContain(CPR_VALUE);
    await page.goBack();
    await page.getByRole('heading', { name: 'Genidentificér' }).waitFor();
    expect(await page.content()).not.toContain(CPR_VALUE);
    // Leaving the page itself, and coming back to it.
    await page.getByLabel('Tekst eller token fra Jira').fill(cprToken);
    await page.getByLabel('Formål', { exact: true }).fill('Borgeren ringede om sin sag og skal have svar');
    await page.getByRole('button', { name: 'Genidentificér' }).click();
    await page.locator('pre.restored').waitFor();
    await page.goto(`${server.url}/health`);
    await page.goBack();
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.content()).not.toContain(CPR_VALUE);
    await page.context().close();

    // The data protection officer finds the record in the audit view, by the token and the user.
    const dpo = await logIn('dora');
    await dpo.getByRole('link', { name: 'Audit' }).click();
    await expect.poll(() => dpo.locator('#chain').textContent()).toMatch(/Auditloggen er intakt: \d+ poster/);
    await dpo.getByLabel('Bruger').fill('alice');
    await dpo.getByLabel('Token').fill(cprToken);
    await dpo.getByRole('button', { name: 'Søg' }).click();
    const row = dpo.locator('#records tbody tr', { hasText: auditId ?? '' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Borgeren ringede om sin sag og skal have svar');
    expect(await row.textContent()).toContain('DEV-42');
    expect(await dpo.content()).not.toContain(CPR_VALUE);

    // "Who has seen this citizen's data?" by CPR number: alice's re-identification.
    await dpo.getByLabel('CPR-nummer').fill(CPR_VALUE);
    await dpo
      .getByLabel('Formål', { exact: true })
      .fill('Borgeren har bedt om indsigt i hvem der har set data');
    await dpo.getByRole('button', { name: 'Slå op' }).click();
    const seen = dpo.locator('#seen tbody tr', { hasText: auditId ?? '' });
    await seen.waitFor();
    expect(await seen.textContent()).toContain('alice');
    expect(await dpo.getByLabel('CPR-nummer').inputValue()).toBe('');
    await checkAccessibility(dpo, 'audit');

    const [download] = await Promise.all([
      dpo.waitForEvent('download'),
      dpo.getByRole('button', { name: 'Hent som CSV' }).first().click(),
    ]);
    expect(download.suggestedFilename()).toBe('audit-records.csv');
    await dpo.context().close();
  });

  it('pages a long audit search, and its CSV holds every page once', async () => {
    // Another DPO than dora: a one-time code is good once, and dora's of the test before may still run.
    const dpo = await logIn('dagny');
    // Pages of two records, so that the few records here span pages (the API's own page is 1,000).
    await dpo.route('**/audit/records?**', (route) => {
      const url = new URL(route.request().url());
      url.searchParams.set('limit', '2');
      return route.continue({ url: url.toString() });
    });
    await dpo.getByRole('link', { name: 'Audit' }).click();
    // Each search is a read of the log, and recorded: three of them make at least three records.
    for (let i = 0; i < 3; i++) {
      await dpo.getByRole('button', { name: 'Søg' }).click();
      await dpo.locator('#records tbody tr').first().waitFor();
    }
    const rows = dpo.locator('#records tbody tr');
    expect(await rows.count()).toBe(2);
    await dpo.getByRole('button', { name: 'Hent flere' }).click();
    await expect.poll(() => rows.count()).toBeGreaterThan(2);
    const shown = await rows.allTextContents();
    expect(new Set(shown).size).toBe(shown.length);

    const [download] = await Promise.all([
      dpo.waitForEvent('download'),
      dpo.getByRole('button', { name: 'Hent som CSV' }).first().click(),
    ]);
    const csv = await readFile(await download.path(), 'utf8');
    expect(csv.startsWith('\uFEFFrecord,')).toBe(true);
    expect(csv.match(/^\uFEFF?record,/gm)).toHaveLength(1);
    const ids = csv.match(/^AUD-\d{12}/gm) ?? [];
    expect(ids.length).toBeGreaterThan(3);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort());
    await dpo.context().close();
  });

  it('refuses a user without a grant, says why, and the refusal is recorded', async () => {
    const page = await logIn('mallory');
    expect(await page.getByRole('link', { name: 'Audit' }).isVisible()).toBe(false);
    await page.getByRole('link', { name: 'Genidentificér' }).click();
    await page.getByLabel('Tekst eller token fra Jira').fill(cprToken);
    await page.getByLabel('Formål', { exact: true }).fill('Jeg vil gerne se hvem borgeren er');
    await page.getByRole('button', { name: 'Genidentificér' }).click();
    const refusal = page.locator('#result .notice.error');
    await expect.poll(() => refusal.textContent()).toContain('Du har ingen bevilling til dette.');
    const auditId = await refusal.locator('code').textContent();
    expect(auditId).toMatch(/^AUD-/);
    expect(await page.content()).not.toContain(CPR_VALUE);
    await page.context().close();

    const records = await recordsOf('mallory');
    expect(records.find((r) => r.id === auditId)?.reason).toBe('NO_GRANT');
  });

  it('refuses a login without a second factor', async () => {
    // The local login page hands out no such login; the CLI does, to show the refusal.
    const jwt = await cli('login --user bent --no-mfa');
    const page = await newPage();
    await page
      .context()
      .addInitScript(
        (idToken) =>
          sessionStorage.setItem(
            'ticket-proxy.session',
            JSON.stringify({ idToken, expiresAt: Date.now() + 3_600_000 }),
          ),
        jwt,
      );
    await page.goto(`${server.url}/console`);
    await page.getByRole('heading', { name: 'Oversigt' }).waitFor();
    expect(await page.locator('main .notice.error').first().textContent()).toContain('anden faktor');
    await page.getByRole('link', { name: 'Genidentificér' }).click();
    await page.getByLabel('Tekst eller token fra Jira').fill(cprToken);
    await page.getByLabel('Formål', { exact: true }).fill('Borgeren ringede om sin sag og skal have svar');
    await page.getByRole('button', { name: 'Genidentificér' }).click();
    await expect.poll(() => page.locator('#result .notice.error').textContent()).toContain('MFA');
    await page.context().close();
    expect((await recordsOf('bent')).map((r) => r.reason)).toEqual(['NO_MFA']);
  });

  it('sends nothing that would be refused unless asked: pages, reloads and language make no refusal', async () => {
    // erik re-identifies only: the audit and access pages are not his, even typed in and reloaded.
    await cli(`grants add --actor setup --user erik --tenant ${tenant} --role reidentifier`);
    const page = await logIn('erik');
    expect(await page.getByRole('link', { name: 'Audit' }).isVisible()).toBe(false);
    for (const view of ['#/audit', '#/access', '#/audit']) {
      await page.goto(`${server.url}/console${view}`);
      await page.getByRole('heading', { name: 'Oversigt' }).waitFor();
      await page.reload();
      await page.getByRole('heading', { name: 'Oversigt' }).waitFor();
    }
    await page.getByLabel('Sprog').selectOption('en');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    // What the API would refuse is said in the page, not sent: text without a token, a short purpose.
    await page.getByRole('link', { name: 'Re-identify' }).click();
    await page.getByLabel('Text or token from Jira').fill('Borgeren ringede igen');
    await page.getByLabel('Purpose', { exact: true }).fill('Borgeren ringede om sin sag og skal have svar');
    await page.getByRole('button', { name: 'Re-identify' }).click();
    await expect.poll(() => page.locator('#result .notice.error').textContent()).toContain('holds no token');
    await page.getByLabel('Text or token from Jira').fill(cprToken);
    await page.getByLabel('Purpose', { exact: true }).fill('tjek');
    await page.getByRole('button', { name: 'Re-identify' }).click();
    await expect
      .poll(() => page.locator('#result .notice.error').textContent())
      .toContain('at least a sentence');
    await page.context().close();
    expect(await recordsOf('erik')).toEqual([]);
  });

  it('lets an administrator re-attest and revoke a grant with one click, and unblock, each audited', async () => {
    const page = await logIn('adam', { language: 'en' });
    await page.getByRole('link', { name: 'Access' }).click();
    const bent = page.locator('#review tbody tr', { hasText: 'bent' });
    await bent.waitFor();
    await page.getByRole('button', { name: `Re-attest: bent · ${tenant} · re-identifier` }).click();
    await expect
      .poll(() => page.locator('#status').textContent())
      .toMatch(/Changed and recorded\. Audit record: AUD-/);
    await checkAccessibility(page, 'access');
    await page.getByRole('button', { name: `Revoke: bent · ${tenant} · re-identifier` }).click();
    await expect.poll(() => page.locator('#review tbody tr', { hasText: 'bent' }).count()).toBe(0);

    // carl is blocked after five refused requests; the administrator unblocks him.
    const carl = await issuer.mint({ subject: 'carl', groups: [], mfa: true });
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${server.url}/reidentify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${carl}`, 'content-type': 'application/json' },
        body: JSON.stringify({ tokens: [cprToken], purpose: 'Jeg vil gerne se hvem borgeren er' }),
      });
      expect(response.status).toBe(403);
    }
    await page.reload();
    await page.getByRole('button', { name: 'Unblock: carl' }).click();
    await expect.poll(() => page.locator('#blocks tbody tr', { hasText: 'carl' }).count()).toBe(0);

    const changes = await recordsOf('adam');
    expect(changes.map((r) => r.action).filter((action) => action !== 'audit.read')).toEqual([
      'grant.reattest',
      'grant.revoke',
      'user.unblock',
    ]);
    await page.context().close();
  });

  it('works with the keyboard alone', async () => {
    // A one-time code logs in once: alice used hers, frida re-identifies too.
    await cli(`grants add --actor setup --user frida --tenant ${tenant} --role reidentifier`);
    const page = await logIn('frida');
    await page.goto(`${server.url}/console#/reidentify`);
    await page.getByRole('heading', { name: 'Genidentificér' }).waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.type(cprToken);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Borgeren ringede om sin sag og skal have svar');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('pre.restored').textContent()).toBe(CPR_VALUE);
    await page.context().close();
  });

  it('shows the outbox in local mode: what developers would see in Jira', async () => {
    const page = await logIn('gorm');
    await page.getByRole('link', { name: 'Udbakke' }).click();
    const ticket = page.locator('article.ticket').first();
    await ticket.waitFor();
    const text = (await ticket.textContent()) ?? '';
    expect(text).toContain(cprToken);
    expect(text).not.toContain(CPR_VALUE);
    await checkAccessibility(page, 'outbox');
    await page.context().close();
  });
});
