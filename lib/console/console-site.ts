import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';

/**
 * Where the console logs in, as the page reads it from `/console/config.json`: the development
 * issuer on the local server, or Cognito's managed login in AWS. The same authorization-code flow
 * with PKCE either way.
 */
/** An https URL, or a path on this origin (the local server's own login); `//host` is another host. */
const endpoint = z
  .string()
  .refine(
    (value) =>
      /^\/(?!\/)[\w/-]*$/.test(value) || (URL.canParse(value) && new URL(value).protocol === 'https:'),
    'must be an https:// URL or a path on this server',
  );

export const consoleConfigSchema = z
  .object({
    /** `local` also shows the outbox: what developers would see in Jira. */
    mode: z.enum(['local', 'aws']),
    authorizeUrl: endpoint,
    tokenUrl: endpoint,
    /** Where to end the identity provider's session (Cognito's `/logout`). */
    logoutUrl: endpoint.optional(),
    clientId: z.string().min(1),
    scope: z.string().default('openid email profile'),
    /** Asks the identity provider to state the second factor in `amr` (Cognito: `acr_values`). */
    acrValues: z.string().optional(),
  })
  .strict();
export type ConsoleConfig = z.output<typeof consoleConfigSchema>;

export interface ConsoleResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** The console's files, next to this module (and next to the bundle in the Lambda package). */
export const CONSOLE_ASSETS = fileURLToPath(new URL('./assets/', import.meta.url));

/** The page itself and its settings; every other file is the same for everyone and holds no data. */
const UNCACHED = new Set(['index.html', 'config.json']);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/**
 * The staff console: static files, served by the staff API in AWS (regional, no CloudFront: nothing
 * global) and by the local server, with security headers that allow this origin's scripts and
 * styles only, and calls to this origin and the identity provider's token endpoint only.
 */
export class ConsoleSite {
  readonly #files: ReadonlyMap<string, { type: string; body: string }>;
  readonly #headers: Record<string, string>;

  private constructor(files: Map<string, { type: string; body: string }>, config: ConsoleConfig) {
    this.#files = files;
    const tokenOrigin = config.tokenUrl.startsWith('/') ? '' : ` ${new URL(config.tokenUrl).origin}`;
    const csp = [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self'",
      `connect-src 'self'${tokenOrigin}`,
      "form-action 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; ');
    this.#headers = {
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
      ...(config.mode === 'aws' && { 'strict-transport-security': 'max-age=31536000; includeSubDomains' }),
    };
    files.set('config.json', { type: TYPES['.json'] as string, body: JSON.stringify(config) });
  }

  /** @throws ConfigError when the configuration is wrong or the files are missing */
  static async load(config: unknown, dir: string = CONSOLE_ASSETS): Promise<ConsoleSite> {
    const parsed = consoleConfigSchema.safeParse(config);
    if (!parsed.success) {
      throw new ConfigError(
        `the console configuration is wrong: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    const files = new Map<string, { type: string; body: string }>();
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      throw new ConfigError(`the console's files are not at ${dir}`);
    }
    for (const name of names) {
      const type = TYPES[extname(name)];
      if (type) files.set(name, { type, body: await readFile(join(dir, name), 'utf8') });
    }
    if (!files.has('index.html')) throw new ConfigError(`the console's index.html is not in ${dir}`);
    return new ConsoleSite(files, parsed.data);
  }

  /**
   * Answers `GET <path>` for a path under `/console`. The page is `/console` itself, which API
   * Gateway routes exactly (`/console/` with an empty `{proxy+}` it may not); its files are below.
   */
  get(path: string): ConsoleResponse {
    if (path === '/console/') return { statusCode: 308, headers: { location: '/console' }, body: '' };
    const name = path === '/console' ? 'index.html' : path.startsWith('/console/') ? path.slice(9) : '';
    const file = this.#files.get(name);
    if (!file) {
      return {
        statusCode: 404,
        headers: {
          ...this.#headers,
          'content-type': 'text/plain; charset=utf-8',
          'cache-control': 'no-store',
        },
        body: 'not found',
      };
    }
    return {
      statusCode: 200,
      headers: {
        ...this.#headers,
        'content-type': file.type,
        // The page shows re-identified values: no cache and no back-forward cache may keep it. The
        // script and styles hold no data, and are fetched once in a while rather than at every view.
        'cache-control': UNCACHED.has(name) ? 'no-store' : 'public, max-age=300',
      },
      body: file.body,
    };
  }
}
