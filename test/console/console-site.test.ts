import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEV_CLIENT_ID } from '../../lib/auth/dev-login.ts';
import { CONSOLE_ASSETS, type ConsoleResponse, ConsoleSite } from '../../lib/console/console-site.ts';
import { ConfigError, ErrorCode } from '../../lib/errors.ts';
import { useTempDirs } from '../support/temp-dir.ts';

const tempDir = useTempDirs();

/** As the local server configures it (lib/local/main.ts). */
const LOCAL = {
  mode: 'local',
  authorizeUrl: '/dev-login/authorize',
  tokenUrl: '/dev-login/token',
  clientId: DEV_CLIENT_ID,
} as const;

/** As the stack configures it for Cognito's managed login. */
const AWS = {
  mode: 'aws',
  authorizeUrl: 'https://login.auth.eu-north-1.amazoncognito.com/oauth2/authorize',
  tokenUrl: 'https://login.auth.eu-north-1.amazoncognito.com/oauth2/token',
  logoutUrl: 'https://login.auth.eu-north-1.amazoncognito.com/logout',
  clientId: '1example23456789abcdefghij',
  scope: 'openid profile',
  acrValues: 'mfa',
} as const;

/** The Content-Security-Policy as a map from directive to its sources. */
function csp(response: ConsoleResponse): Map<string, string> {
  const header = response.headers['content-security-policy'] ?? '';
  return new Map(
    header.split(';').map((d) => {
      const [name = '', ...sources] = d.trim().split(/\s+/);
      return [name, sources.join(' ')] as const;
    }),
  );
}

describe('ConsoleSite.load', () => {
  it.each([
    [
      'an http:// authorize URL',
      { ...AWS, authorizeUrl: 'http://login.example.com/oauth2/authorize' },
      'authorizeUrl',
    ],
    ['an http:// token URL', { ...AWS, tokenUrl: 'http://login.example.com/oauth2/token' }, 'tokenUrl'],
    ['a javascript: logout URL', { ...AWS, logoutUrl: 'javascript:alert(1)' }, 'logoutUrl'],
    ['a relative token path', { ...LOCAL, tokenUrl: 'dev-login/token' }, 'tokenUrl'],
    ['a path with a query', { ...LOCAL, authorizeUrl: '/dev-login/authorize?x=1' }, 'authorizeUrl'],
    ['no clientId', { mode: 'local', authorizeUrl: '/a', tokenUrl: '/t' }, 'clientId'],
    ['an empty clientId', { ...LOCAL, clientId: '' }, 'clientId'],
    ['an unknown mode', { ...LOCAL, mode: 'prod' }, 'mode'],
    ['an unknown key', { ...LOCAL, clientSecret: 'x' }, 'clientSecret'],
    ['no configuration', null, 'expected object'],
  ])('refuses %s with a ConfigError naming it', async (_, config, named) => {
    const error = await ConsoleSite.load(config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: ErrorCode.CONFIG_INVALID, message: expect.stringContaining(named) });
  });

  // `//host/path` is no path on this server but a protocol-relative URL to another host.
  it.each([
    ['authorizeUrl', '//intranet/authorize'],
    ['logoutUrl', '//intranet/logout'],
  ])('refuses %s %j, a protocol-relative URL to another host', async (field, value) => {
    await expect(ConsoleSite.load({ ...LOCAL, [field]: value })).rejects.toThrow(ConfigError);
  });

  it('refuses a directory that does not exist', async () => {
    const missing = join(await tempDir(), 'no-such-dir');
    await expect(ConsoleSite.load(LOCAL, missing)).rejects.toThrow(ConfigError);
    await expect(ConsoleSite.load(LOCAL, missing)).rejects.toThrow(/no-such-dir/);
  });

  it('refuses a directory without index.html', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'app.js'), 'export {};');
    await writeFile(join(dir, 'index.htm'), '<!doctype html>');
    await expect(ConsoleSite.load(LOCAL, dir)).rejects.toThrow(ConfigError);
    await expect(ConsoleSite.load(LOCAL, dir)).rejects.toThrow(/index\.html/);
  });
});

describe('ConsoleSite with its own files (CONSOLE_ASSETS)', () => {
  let local: ConsoleSite;
  let aws: ConsoleSite;
  beforeAll(async () => {
    local = await ConsoleSite.load(LOCAL);
    aws = await ConsoleSite.load(AWS);
  });

  it('redirects /console/ to /console permanently (308)', () => {
    for (const site of [local, aws]) {
      expect(site.get('/console/')).toEqual({ statusCode: 308, headers: { location: '/console' }, body: '' });
    }
  });

  it('serves index.html at /console, as HTML', async () => {
    const page = local.get('/console');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toBe(await readFile(join(CONSOLE_ASSETS, 'index.html'), 'utf8'));
    expect(local.get('/console/index.html').body).toBe(page.body);
  });

  it('links the page’s files by their path under /console/, all of them served', () => {
    // The page is /console, not /console/: a relative `app.js` would be /app.js.
    const page = local.get('/console').body;
    const links = [...page.matchAll(/\s(?:src|href)="([^"#][^"]*)"/g)].map((m) => m[1] ?? '');
    expect(links.sort()).toEqual(['/console/app.js', '/console/console.css', '/console/favicon.svg']);
    for (const link of links) expect(local.get(link).statusCode, link).toBe(200);
  });

  it.each([
    ['app.js', 'text/javascript; charset=utf-8'],
    ['i18n.js', 'text/javascript; charset=utf-8'],
    ['console.css', 'text/css; charset=utf-8'],
    ['favicon.svg', 'image/svg+xml'],
  ])('serves %s as %s', async (name, type) => {
    const file = local.get(`/console/${name}`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe(type);
    expect(file.body).toBe(await readFile(join(CONSOLE_ASSETS, name), 'utf8'));
  });

  it('allows this origin’s scripts, styles and images only, and no framing', () => {
    for (const site of [local, aws]) {
      const policy = csp(site.get('/console'));
      expect(policy.get('default-src')).toBe("'none'");
      expect(policy.get('script-src')).toBe("'self'");
      expect(policy.get('style-src')).toBe("'self'");
      // No data: URLs either: the page shows no image of its own making.
      expect(policy.get('img-src')).toBe("'self'");
      expect(policy.get('frame-ancestors')).toBe("'none'");
      expect(policy.get('base-uri')).toBe("'none'");
      expect(policy.get('form-action')).toBe("'self'");
      for (const path of ['/console', '/console/app.js', '/console/config.json', '/console/nothing.js']) {
        const header = site.get(path).headers['content-security-policy'];
        expect(header, path).not.toMatch(/unsafe-(inline|eval)/);
        expect(header, path).not.toContain('data:');
      }
    }
  });

  it('lets the page call the identity provider’s token endpoint, and only that other origin', () => {
    expect(csp(aws.get('/console')).get('connect-src')).toBe(
      "'self' https://login.auth.eu-north-1.amazoncognito.com",
    );
    expect(csp(local.get('/console')).get('connect-src')).toBe("'self'");
  });

  it('sends nosniff and no referrer; HSTS only in AWS (the local server is plain HTTP)', () => {
    for (const path of [
      '/console',
      '/console/index.html',
      '/console/app.js',
      '/console/i18n.js',
      '/console/console.css',
      '/console/favicon.svg',
      '/console/config.json',
    ]) {
      for (const site of [local, aws]) {
        expect(site.get(path).headers, path).toMatchObject({
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
          'cross-origin-opener-policy': 'same-origin',
          'cross-origin-resource-policy': 'same-origin',
        });
      }
      expect(aws.get(path).headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(local.get(path).headers).not.toHaveProperty('strict-transport-security');
    }
  });

  it.each(['/console', '/console/index.html', '/console/config.json'])(
    'lets no cache keep %s, which shows values or settings (no-store)',
    (path) => {
      for (const site of [local, aws]) {
        expect(site.get(path)).toMatchObject({ statusCode: 200, headers: { 'cache-control': 'no-store' } });
      }
    },
  );

  it.each(['/console/app.js', '/console/i18n.js', '/console/console.css', '/console/favicon.svg'])(
    'lets caches keep %s, which holds no data, for five minutes',
    (path) => {
      for (const site of [local, aws]) {
        expect(site.get(path)).toMatchObject({
          statusCode: 200,
          headers: { 'cache-control': 'public, max-age=300' },
        });
      }
    },
  );

  it('serves the validated configuration at /console/config.json, with the default scope', () => {
    const config = local.get('/console/config.json');
    expect(config.statusCode).toBe(200);
    expect(config.headers['content-type']).toBe('application/json');
    expect(JSON.parse(config.body)).toEqual({ ...LOCAL, scope: 'openid email profile' });
    expect(JSON.parse(aws.get('/console/config.json').body)).toEqual(AWS);
  });

  it.each([
    '/console/../package.json',
    '/console/..%2fpackage.json',
    '/console/%2e%2e/package.json',
    '/console/%2e%2e/x',
    '/console/assets/app.js',
    '/console//index.html',
    '/console/./index.html',
    '/console/app.js/',
    '/console/APP.JS',
    '/console/app.js?x=1',
    '/console/console-site.ts',
    '/console/nothing.js',
    '/console//',
    '/console/index.html/',
    '/consoleindex.html',
    '/console.html',
    '/index.html',
    '/',
    '',
  ])('answers %j with 404, with the security headers', (path) => {
    const response = local.get(path);
    expect(response.statusCode).toBe(404);
    expect(response.body).toBe('not found');
    expect(response.headers).toMatchObject({
      'content-type': 'text/plain; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    // Not cached like a file: a 404 kept for five minutes would hide a file deployed after it.
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
  });
});

describe('ConsoleSite with another directory', () => {
  let site: ConsoleSite;
  beforeAll(async () => {
    const root = await tempDir();
    const dir = join(root, 'site');
    await mkdir(join(dir, 'assets'), { recursive: true });
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>test console</title>');
    await writeFile(join(dir, 'main.js'), 'console.log("main");');
    await writeFile(join(dir, 'assets', 'nested.js'), 'console.log("nested");');
    await writeFile(join(dir, 'notes.txt'), 'not for the web');
    await writeFile(join(dir, 'README.md'), '# not for the web');
    await writeFile(join(dir, '.env'), 'SECRET=not-for-the-web');
    await writeFile(join(dir, 'build.map'), '{}');
    await writeFile(join(dir, 'server.ts'), 'export {};');
    await writeFile(join(dir, 'config.json'), '{"clientId":"from-a-file"}');
    await writeFile(join(root, 'secret.html'), '<p>outside the console</p>');
    await writeFile(join(root, 'secret.js'), 'outside the console');
    site = await ConsoleSite.load(LOCAL, dir);
  });

  it('serves its index.html and scripts', () => {
    expect(site.get('/console')).toMatchObject({
      statusCode: 200,
      body: '<!doctype html><title>test console</title>',
    });
    expect(site.get('/console/main.js')).toMatchObject({
      statusCode: 200,
      headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300' },
      body: 'console.log("main");',
    });
  });

  it.each(['notes.txt', 'README.md', '.env', 'build.map', 'server.ts', 'assets/nested.js', 'assets'])(
    'does not serve %s (not a console file type, or not at the top)',
    (name) => {
      expect(site.get(`/console/${name}`).statusCode).toBe(404);
    },
  );

  it.each([
    '/console/../secret.html',
    '/console/../secret.js',
    '/console/%2e%2e/secret.html',
    '/console/..%2fsecret.js',
    '/console/..\\secret.js',
  ])('serves nothing outside its directory: %j', (path) => {
    const response = site.get(path);
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain('outside the console');
  });

  it('serves its configuration at config.json, not a file of that name', () => {
    expect(JSON.parse(site.get('/console/config.json').body)).toEqual({
      ...LOCAL,
      scope: 'openid email profile',
    });
  });
});
