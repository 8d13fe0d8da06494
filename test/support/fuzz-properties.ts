import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { adfToText } from '../../lib/document/adf-text.ts';
import { ErrorCode, TicketProxyError, TokenCollisionError } from '../../lib/errors.ts';
import { open, seal } from '../../lib/keys/aes-gcm.ts';
import { contextBytes, type KeyRing } from '../../lib/keys/key-ring.ts';
import { TenantKeys } from '../../lib/keys/tenant-keys.ts';
import { Pseudonymizer } from '../../lib/pseudonymize/pseudonymizer.ts';
import { Retention } from '../../lib/retention/retention-policy.ts';
import {
  type SanitizeDeps,
  sanitizeTicket,
  type TicketDocument,
} from '../../lib/sanitize/sanitize-ticket.ts';
import { adapterConfigSchema, configuredServicedesk } from '../../lib/servicedesk/adapters.ts';
import { parseJiraEvent } from '../../lib/sync/jira-event.ts';
import { parseTicket, validateTicket } from '../../lib/ticket/generic-ticket.ts';
import type { TicketRecord, TokenVault, VaultEntry } from '../../lib/vault/token-vault.ts';
import { CANARY_CPR_FORMS, FIRST_NAMES, SURNAMES } from './canary-tickets.ts';
import { randomCpr, seededRandom } from './cpr.ts';
import { samplePayloads, topdeskMapping } from './payloads.ts';

// Properties for the sanitizer fuzz (`npm run fuzz`, test/integration/fuzz.test.ts): random tickets
// and rich-text documents with CPR numbers planted in every supported written form, through the
// real sanitizer (detection, ADF and wiki redaction, pseudonymization with real keys) over an
// in-memory vault, and hostile structures through every parser the webhooks use.

/** What the errors thrown were, by code: every one must be a classified TicketProxyError. */
export type ErrorCounts = Map<string, number>;

const CODES = new Set<string>(Object.values(ErrorCode));
export const isClassified = (error: unknown): error is TicketProxyError =>
  error instanceof TicketProxyError && CODES.has(error.code);

/** Runs `work`; an error is counted by its code, and rethrown (failing the property) unless classified. */
async function classified<T>(errors: ErrorCounts, work: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (!isClassified(error)) throw error;
    errors.set(error.code, (errors.get(error.code) ?? 0) + 1);
    return undefined;
  }
}

// The vault's port in memory, with the fingerprint check that detects collisions; a key ring with a
// master key in memory. Everything else is the production code.
class MemoryVault {
  readonly #tokens = new Map<string, string>();
  readonly #tickets = new Map<string, TicketRecord>();
  readonly #keys = new Map<string, Uint8Array>();

  async recordTokens(ticket: TicketRecord, entries: readonly VaultEntry[]): Promise<void> {
    for (const e of entries) {
      const id = `${e.tenant}\u0000${e.token}`;
      const fingerprint = Buffer.from(e.fingerprint).toString('base64');
      const stored = this.#tokens.get(id);
      if (stored !== undefined && stored !== fingerprint) {
        throw new TokenCollisionError(e.tenant, e.token, e.fingerprint);
      }
      this.#tokens.set(id, fingerprint);
    }
    const key = `${ticket.tenant}\u0000${ticket.ticketId}`;
    if (!this.#tickets.has(key)) {
      this.#tickets.set(key, { ...ticket, firstSeen: ticket.seenAt ?? new Date(), issueKey: undefined });
    }
  }

  async getTicket(tenant: string, ticketId: string) {
    return this.#tickets.get(`${tenant}\u0000${ticketId}`);
  }

  async getTenantKey(tenant: string, purpose: string) {
    return this.#keys.get(`${tenant}\u0000${purpose}`);
  }

  async putTenantKeyIfAbsent(tenant: string, purpose: string, wrapped: Uint8Array) {
    const id = `${tenant}\u0000${purpose}`;
    if (!this.#keys.has(id)) this.#keys.set(id, wrapped);
    return this.#keys.get(id) as Uint8Array;
  }
}

function memoryKeyRing(): KeyRing {
  const master = randomBytes(32);
  return {
    generateDataKey: async (context) => {
      const plaintext = randomBytes(32);
      return { plaintext, wrapped: seal(master, plaintext, contextBytes(context)) };
    },
    decryptDataKey: async (wrapped, context) => open(master, wrapped, contextBytes(context)),
  };
}

/** The sanitizer's dependencies: the real pseudonymizer, keys and retention over an in-memory vault. */
export function fuzzDeps(): SanitizeDeps {
  const vault = new MemoryVault() as unknown as TokenVault;
  const keys = new TenantKeys(memoryKeyRing(), vault);
  return { pseudonymizer: new Pseudonymizer({ keys, vault }), retention: new Retention(), vault };
}

// --- Planted CPR numbers -------------------------------------------------------------------------

/** A CPR number's written form and its ten digits. */
export interface WrittenCpr {
  digits: string;
  written: string;
  form: string;
}

/** Every written form the README lists as found, and invisible characters inside one. */
export const FUZZ_CPR_FORMS: Record<string, (c: string) => string> = {
  ...CANARY_CPR_FORMS,
  plusPairs: (c) => `${c.slice(0, 2)}+${c.slice(2, 4)}+${c.slice(4, 6)}+${c.slice(6)}`,
  softHyphen: (c) => `${c.slice(0, 4)}\u00ad${c.slice(4, 6)}-${c.slice(6)}`,
  zeroWidth: (c) => `${c.slice(0, 6)}\u200b${c.slice(6)}`,
  fullWidthPlain: (c) => c.replace(/\d/g, (d) => String.fromCodePoint(0xff10 + +d)),
};
const FORM_NAMES = Object.keys(FUZZ_CPR_FORMS);

export const writtenCpr: fc.Arbitrary<WrittenCpr> = fc
  .tuple(fc.integer(), fc.boolean(), fc.constantFrom(...FORM_NAMES))
  .map(([seed, substitute, form]) => {
    const digits = randomCpr(seededRandom(seed), { substitute });
    return { digits, form, written: (FUZZ_CPR_FORMS[form] as (c: string) => string)(digits) };
  });

/** What a reader (and the detectors) see: NFKC, no invisible format characters. */
const readable = (s: string) => s.normalize('NFKC').replace(/\p{Cf}/gu, '');
/**
 * Text around a planted number must not continue it with a digit (as read): ten digits inside a
 * longer run are not a CPR number, by design (README, "What is detected").
 */
const edgeIsNoDigit = (at: 'start' | 'end') => (s: string) => {
  const r = readable(s);
  return !/\d/.test(at === 'start' ? (r[0] ?? '') : (r.at(-1) ?? ''));
};
const CONTEXTS = [
  'cpr:',
  'CPR-nr.',
  '?cpr=',
  '"cpr":"',
  'CPR_',
  'Borgeren ',
  '| ',
  'X_',
  '\t',
  'ID ',
  'tlf. 20 30 40 50 ',
  'født ',
  '(',
  'personnummer: ',
  'https://nexus.example.dk/borger/',
];
const around = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
  { weight: 2, arbitrary: fc.constantFrom(...CONTEXTS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);

/** Random text, and in it zero to three CPR numbers in random written forms and places. */
export interface PlantedText {
  text: string;
  cprs: WrittenCpr[];
}
export const plantedText: fc.Arbitrary<PlantedText> = fc
  .array(
    fc.oneof(
      fc
        .tuple(around.filter(edgeIsNoDigit('end')), writtenCpr, around.filter(edgeIsNoDigit('start')))
        .map(
          ([before, cpr, after]): PlantedText => ({ text: `${before}${cpr.written}${after}`, cprs: [cpr] }),
        ),
      fc.string({ unit: 'grapheme', maxLength: 30 }).map((text): PlantedText => ({ text, cprs: [] })),
    ),
    { maxLength: 3 },
  )
  .map((pieces) => {
    // Pieces are joined by a space, so one piece's digits never run into the next one's.
    const text = pieces.map((p) => p.text).join(' ');
    const ok = pieces.every((p, i) => i === 0 || edgeIsNoDigit('start')(p.text));
    return ok
      ? { text, cprs: pieces.flatMap((p) => p.cprs) }
      : { text: pieces[0]?.text ?? '', cprs: pieces[0]?.cprs ?? [] };
  });

// --- ADF and wiki --------------------------------------------------------------------------------

export interface FuzzDocument<T> {
  doc: T;
  cprs: WrittenCpr[];
}

const MARKS = [
  { type: 'strong' },
  { type: 'em' },
  { type: 'code' },
  { type: 'link', attrs: { href: 'https://example.dk/sag' } },
  { type: 'future-mark' },
];
/** Known node types, some where they may not be, and some no schema knows. */
const BLOCK_TYPES = [
  'paragraph',
  'heading',
  'blockquote',
  'bulletList',
  'listItem',
  'panel',
  'expand',
  'table',
  'tableRow',
  'tableCell',
  'codeBlock',
  'mediaSingle',
  'media',
  'extension',
  'taskList',
  'taskItem',
  'layoutSection',
  'future',
];

/**
 * A random ADF tree: known and unknown node types, marks and attributes, text with planted CPR
 * numbers, some split over two text nodes with different marks, others in link targets, card
 * URLs, status texts, mentions and media alt texts.
 */
export function adfDocument(options: FuzzOptions = {}): fc.Arbitrary<FuzzDocument<unknown>> {
  type Part = { nodes: unknown[]; cprs: WrittenCpr[] };
  const textNode: fc.Arbitrary<Part> = fc
    .tuple(plantedText, fc.subarray(MARKS, { maxLength: 2 }))
    .map(([t, marks]) => ({
      // Spaces around: adjacent text nodes read as one text, and their digits must not run together.
      nodes: [{ type: 'text', text: ` ${t.text} `, ...(marks.length && { marks }) }],
      cprs: t.cprs,
    }));
  const split: fc.Arbitrary<Part> = fc
    .tuple(writtenCpr, fc.nat(), fc.subarray(MARKS, { maxLength: 1 }), fc.subarray(MARKS, { maxLength: 1 }))
    .map(([cpr, at, a, b]) => {
      const cut = 1 + (at % (cpr.written.length - 1));
      return {
        nodes: [
          { type: 'text', text: `sag ${cpr.written.slice(0, cut)}`, ...(a.length && { marks: a }) },
          { type: 'text', text: `${cpr.written.slice(cut)} fra`, ...(b.length && { marks: b }) },
        ],
        cprs: [cpr],
      };
    });
  const attrNode: fc.Arbitrary<Part> = fc
    .tuple(
      writtenCpr,
      fc.constantFrom(
        'link',
        'inlineCard',
        'status',
        'mention',
        'mediaInline',
        'emoji',
        ...(options.structuralAttributes !== false ? (['date', 'localId'] as const) : []),
      ),
    )
    .map(([cpr, kind]) => {
      const url = `https://nexus.example.dk/borger?cpr=${cpr.written}&view=plan`;
      const node =
        kind === 'link'
          ? {
              type: 'text',
              text: 'se sagen',
              marks: [{ type: 'link', attrs: { href: url, title: `CPR ${cpr.written}` } }],
            }
          : kind === 'inlineCard'
            ? { type: 'inlineCard', attrs: { url } }
            : kind === 'status'
              ? { type: 'status', attrs: { text: `Venter ${cpr.written}`, color: 'blue', localId: 'a1' } }
              : kind === 'mention'
                ? { type: 'mention', attrs: { id: '712020:x', text: `@${cpr.written}` } }
                : kind === 'mediaInline'
                  ? {
                      type: 'mediaInline',
                      attrs: { id: 'f1', collection: 'c', alt: `scan ${cpr.written}.pdf` },
                    }
                  : kind === 'emoji'
                    ? { type: 'emoji', attrs: { shortName: `:${cpr.written}:`, text: cpr.written } }
                    : kind === 'date'
                      ? { type: 'date', attrs: { timestamp: cpr.written } }
                      : { type: 'status', attrs: { text: 'ok', color: 'blue', localId: cpr.written } };
      return { nodes: [node], cprs: [cpr] };
    });
  const inline = fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: textNode },
        split,
        attrNode,
        fc.constant<Part>({ nodes: [{ type: 'hardBreak' }], cprs: [] }),
      ),
      {
        maxLength: 4,
      },
    )
    .map((parts) => ({ nodes: parts.flatMap((p) => p.nodes), cprs: parts.flatMap((p) => p.cprs) }));
  type Built = { node: unknown; cprs: WrittenCpr[] };
  const tree: fc.Memo<Built> = fc.memo((n) => {
    const leaf = fc.tuple(fc.constantFrom('paragraph', 'heading', 'codeBlock', 'paragraph'), inline).map(
      ([type, content]): Built => ({
        node: { type, ...(type === 'heading' && { attrs: { level: 2 } }), content: content.nodes },
        cprs: content.cprs,
      }),
    );
    const card = writtenCpr.map(
      (cpr): Built => ({
        node: {
          type: 'blockCard',
          attrs: {
            url: `https://x.example/?cpr=${cpr.written}`,
            data: { name: `CPR ${cpr.written}`, meta: [{ cpr: cpr.written }] },
          },
        },
        cprs: [cpr],
      }),
    );
    if (n <= 1) return fc.oneof({ weight: 4, arbitrary: leaf }, card);
    const container = fc.tuple(fc.constantFrom(...BLOCK_TYPES), fc.array(tree(n - 1), { maxLength: 3 })).map(
      ([type, children]): Built => ({
        node: { type, content: children.map((c) => c.node) },
        cprs: children.flatMap((c) => c.cprs),
      }),
    );
    return fc.oneof({ weight: 3, arbitrary: leaf }, card, { weight: 2, arbitrary: container });
  });
  return fc.array(tree(4), { maxLength: 4 }).map((blocks) => ({
    doc: { type: 'doc', version: 1, content: blocks.map((b) => b.node) },
    cprs: blocks.flatMap((b) => b.cprs),
  }));
}

/** Jira wiki markup with CPR numbers whole inside its constructs: links, tables, code, quotes, emphasis. */
export function wikiMarkup(): fc.Arbitrary<FuzzDocument<string> & { text: string }> {
  const construct = fc
    .tuple(
      writtenCpr,
      fc.constantFrom(
        (v: string) => `[sagen|https://nexus.example.dk/?cpr=${v}]`,
        (v: string) => `||navn||cpr||\n|X|${v}|`,
        (v: string) => `{code}\nlookup(${v})\n{code}`,
        (v: string) => `{noformat}${v}{noformat}`,
        (v: string) => `bq. Borgeren ${v} ringede`,
        (v: string) => `*${v}*`,
        (v: string) => `h2. Sag ${v}`,
        (v: string) => `!scan-${v}.png|alt=${v}!`,
        (v: string) => `[~${v}]`,
        (v: string) => `{color:red}${v}{color}`,
      ),
    )
    .map(([cpr, write]) => ({ text: write(cpr.written), cprs: [cpr] }));
  return fc.array(fc.oneof(construct, plantedText), { maxLength: 4 }).map((parts) => {
    const text = parts.map((p) => p.text).join('\n');
    return { doc: text, text, cprs: parts.flatMap((p) => p.cprs) };
  });
}

// --- Tickets -------------------------------------------------------------------------------------

const personName = fc
  .tuple(fc.constantFrom(...FIRST_NAMES), fc.constantFrom(...SURNAMES))
  .map(([first, last]) => `${first} ${last}`);
const safeId = fc.stringMatching(/^[A-Za-z][A-Za-z._:#/-]{0,12}$/);

export interface FuzzTicket {
  ticket: Record<string, unknown>;
  documents: TicketDocument[];
  cprs: WrittenCpr[];
}

export interface FuzzOptions {
  /**
   * Plant CPR numbers in structural ADF attributes too (a date's `timestamp`, a `localId`), where a
   * dotted CPR number once passed unredacted (test/integration/fuzz.test.ts). @default true
   */
  structuralAttributes?: boolean;
}

/** A generic ticket with CPR numbers in its text fields, attachments and custom fields, an ADF document and often a wiki one. */
export const fuzzTicketWith = (options: FuzzOptions = {}): fc.Arbitrary<FuzzTicket> =>
  fc
    .record({
      summary: plantedText,
      description: plantedText,
      reporter: fc.option(personName, { nil: undefined }),
      comments: fc.array(
        fc.record({
          id: safeId,
          author: fc.option(personName, { nil: undefined }),
          body: plantedText,
          internal: fc.boolean(),
        }),
        {
          maxLength: 3,
        },
      ),
      attachment: fc.option(
        fc.record({
          text: plantedText,
          mimeType: fc.constantFrom('text/plain', 'text/csv; charset=utf-8', 'application/json', undefined),
        }),
        { nil: undefined },
      ),
      label: fc.option(plantedText, { nil: undefined }),
      field: fc.option(plantedText, { nil: undefined }),
      // A CPR number typed into a numeric field (the leading zero lost).
      numeric: fc.option(writtenCpr, { nil: undefined }),
      // Every ticket has an ADF document (as a Jira Service Management description would be).
      adf: adfDocument(options),
      wiki: fc.option(wikiMarkup(), { nil: undefined }),
    })
    .map((r): FuzzTicket => {
      const cprs = [
        ...r.summary.cprs,
        ...r.description.cprs,
        ...r.comments.flatMap((c) => c.body.cprs),
        ...(r.attachment?.text.cprs ?? []),
        ...(r.label?.cprs ?? []),
        ...(r.field?.cprs ?? []),
        ...(r.numeric ? [r.numeric] : []),
        ...r.adf.cprs,
        ...(r.wiki?.cprs ?? []),
      ];
      const ticket = {
        tenant: 'ballerup',
        id: 'SD-FUZZ',
        summary: r.summary.text || 'x',
        description: r.description.text,
        ...(r.reporter && { reporter: { name: r.reporter } }),
        ...(r.comments.length > 0 && {
          comments: r.comments.map((c) => ({
            id: c.id,
            body: c.body.text,
            internal: c.internal,
            ...(c.author && { author: { name: c.author } }),
          })),
        }),
        ...(r.attachment && {
          attachments: [
            {
              id: 'a1',
              filename: 'log.txt',
              ...(r.attachment.mimeType && { mimeType: r.attachment.mimeType }),
              contentBase64: Buffer.from(r.attachment.text.text).toString('base64'),
            },
          ],
        }),
        ...(r.label && { labels: [r.label.text] }),
        fields: {
          ...(r.field && { note: r.field.text }),
          ...(r.numeric && { cprnummer: Number(r.numeric.digits) }),
        },
      };
      const documents: TicketDocument[] = [
        { format: 'adf' as const, content: r.adf.doc },
        ...(r.wiki ? [{ format: 'wiki' as const, content: r.wiki.text }] : []),
      ];
      return { ticket, documents, cprs };
    });
export const fuzzTicket = fuzzTicketWith();

// --- Checks ---------------------------------------------------------------------------------------

/** Every string in a value (keys too), each on its own, so no two join into a number. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number') out.push(String(value));
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      strings(v, out);
    }
  }
  return out;
}

const DIGIT_RUN = /\d(?:[\s.\-\u2010-\u2015+/]{0,3}\d)*/g;

/**
 * The planted CPR numbers the output still holds, in any written form: every run of digits and
 * separators (after NFKC, invisible characters removed) is searched for each number's ten digits.
 */
export function survivingCprs(output: readonly string[], cprs: readonly WrittenCpr[]): WrittenCpr[] {
  if (cprs.length === 0) return [];
  const windows = new Set<string>();
  for (const s of output) {
    for (const [run] of readable(s).matchAll(DIGIT_RUN)) {
      const digits = run.replace(/\D/g, '');
      for (let k = 0; k + 10 <= digits.length; k++) windows.add(digits.slice(k, k + 10));
    }
  }
  return cprs.filter((c) => windows.has(c.digits));
}

/** What a sanitized ticket shows: its strings, attachment contents decoded, each ADF document's text. */
function shown(ticket: unknown, documents: readonly unknown[]): string[] {
  const out = strings(ticket);
  for (const a of (ticket as { attachments?: { contentBase64?: string }[] }).attachments ?? []) {
    if (a.contentBase64) out.push(Buffer.from(a.contentBase64, 'base64').toString('utf8'));
  }
  for (const d of documents) {
    strings(d, out);
    if (typeof d === 'object' && d !== null) {
      try {
        // Text split over nodes reads as one here: `01` bold and `0190-1234` plain is one number.
        out.push(adfToText(d as never));
      } catch {
        // Not ADF (wiki text is a string, already in).
      }
    }
  }
  return out;
}

/** One sanitizer run: either a classified refusal, or an output holding none of the planted numbers. */
export async function sanitizeHoldsNoCpr(
  deps: SanitizeDeps,
  input: FuzzTicket,
  errors: ErrorCounts,
): Promise<void> {
  const result = await classified(errors, async () => {
    const ticket = validateTicket(input.ticket);
    return sanitizeTicket(ticket, deps, input.documents);
  });
  if (!result) return;
  const left = survivingCprs(shown(result.ticket, result.documents), input.cprs);
  if (left.length > 0) {
    throw new Error(
      `planted CPR number(s) survived sanitizing, written as: ${[...new Set(left.map((c) => c.form))].join(', ')}`,
    );
  }
}

// --- Hostile structures ----------------------------------------------------------------------------

const SERVICEDESKS = {
  generic: configuredServicedesk({ type: 'generic' }),
  jsm: configuredServicedesk(
    adapterConfigSchema.parse({ type: 'jsm', includeCustomFields: { customfield_10010: 'kommune' } }),
  ),
  zendesk: configuredServicedesk({ type: 'zendesk' }),
  mapped: configuredServicedesk(adapterConfigSchema.parse({ type: 'mapped', ...(topdeskMapping as object) })),
};
const SAMPLES = Object.values(samplePayloads);
const SAMPLE_SERVICEDESK = ['jsm', 'jsm', 'zendesk', 'mapped'] as const;

/** A copy of `value` with the node at `path` (indexes taken modulo each level's size) replaced. */
function replaceAt(value: unknown, path: readonly number[], replacement: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const [step, ...rest] = path as [number, ...number[]];
  if (Array.isArray(value)) {
    if (value.length === 0) return replacement;
    const i = step % value.length;
    return value.map((v, j) => (j === i ? replaceAt(v, rest, replacement) : v));
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[step % keys.length] as string;
  return { ...value, [key]: replaceAt((value as Record<string, unknown>)[key], rest, replacement) };
}

/** Any JSON, including keys that matter to JavaScript (`__proto__`, `constructor`, `toString`). */
const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(
    fc.constantFrom('__proto__', 'constructor', 'toString', 'type', 'content', 'text', 'id', 'body'),
    fc.jsonValue({ maxDepth: 2 }),
  ),
  fc.nat({ max: 300 }).map((depth) => JSON.parse(`${'['.repeat(depth)}1${']'.repeat(depth)}`)),
);

export type HostileInput =
  | { kind: 'mutated sample'; servicedesk: keyof typeof SERVICEDESKS; body: Buffer; cprs: WrittenCpr[] }
  | { kind: 'random body'; servicedesk: keyof typeof SERVICEDESKS; body: Buffer; cprs: WrittenCpr[] }
  | { kind: 'jira webhook'; body: Buffer; cprs: WrittenCpr[] }
  | { kind: 'adf'; doc: unknown; cprs: WrittenCpr[] };

export const hostileInput: fc.Arbitrary<HostileInput> = fc.oneof(
  // A real servicedesk payload with one part replaced by anything: deep in a document, an id, a list…
  fc
    .tuple(fc.nat({ max: SAMPLES.length - 1 }), fc.array(fc.nat(), { maxLength: 8 }), hostileJson)
    .map(([i, path, replacement]): HostileInput => {
      const sample = SAMPLES[i] as (typeof SAMPLES)[number];
      const body = Buffer.from(JSON.stringify(replaceAt(sample.json, path, replacement)));
      const cprs = sample.planted.cpr.map((written) => ({
        digits: written.replace(/\D/g, ''),
        written,
        form: 'sample',
      }));
      return { kind: 'mutated sample', servicedesk: SAMPLE_SERVICEDESK[i] ?? 'jsm', body, cprs };
    }),
  fc
    .tuple(
      fc.constantFrom(...(Object.keys(SERVICEDESKS) as (keyof typeof SERVICEDESKS)[])),
      fc.oneof(
        hostileJson.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
        fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
      ),
    )
    .map(([servicedesk, body]): HostileInput => ({ kind: 'random body', servicedesk, body, cprs: [] })),
  fc.tuple(hostileJson, fc.array(fc.nat(), { maxLength: 4 })).map(([replacement, path]): HostileInput => {
    const event = {
      timestamp: Date.now(),
      webhookEvent: 'comment_created',
      issue: { key: 'DEV-1' },
      comment: { id: '1', author: { accountId: 'a' }, body: { type: 'doc', version: 1, content: [] } },
      changelog: { id: '2', items: [{ field: 'status', toString: 'Løst' }] },
    };
    return {
      kind: 'jira webhook',
      body: Buffer.from(JSON.stringify(replaceAt(event, path, replacement)) ?? 'null'),
      cprs: [],
    };
  }),
  fc.tuple(adfDocument(), fc.array(fc.nat(), { maxLength: 6 }), hostileJson).map(
    ([{ doc, cprs }, path, replacement]): HostileInput => ({
      kind: 'adf',
      doc: replaceAt(doc, path, replacement),
      cprs,
    }),
  ),
);

/**
 * One hostile input through the parser that meets it (an adapter's toTicket, Jira's event parser,
 * the ADF redaction), and what an adapter accepts on through the sanitizer: only classified errors,
 * and none of the sample's CPR numbers in what comes out.
 */
export async function hostileIsClassified(
  deps: SanitizeDeps,
  input: HostileInput,
  errors: ErrorCounts,
): Promise<void> {
  if (input.kind === 'jira webhook') {
    await classified(errors, () => parseJiraEvent(input.body));
    return;
  }
  if (input.kind === 'adf') {
    const ticket = { tenant: 'ballerup', id: 'SD-ADF', summary: 'x', description: '' };
    return sanitizeHoldsNoCpr(
      deps,
      { ticket, documents: [{ format: 'adf', content: input.doc }], cprs: input.cprs },
      errors,
    );
  }
  const servicedesk = SERVICEDESKS[input.servicedesk];
  const inbound = await classified(errors, () =>
    servicedesk.toTicket({ tenant: 'ballerup', headers: {}, body: input.body, nowSeconds: 0 }),
  );
  if (!inbound) return;
  const documents: TicketDocument[] = [
    ...(inbound.adf?.description ? [{ format: 'adf' as const, content: inbound.adf.description }] : []),
    ...Object.values(inbound.adf?.comments ?? {}).map((content) => ({ format: 'adf' as const, content })),
  ];
  await sanitizeHoldsNoCpr(deps, { ticket: inbound.ticket, documents, cprs: input.cprs }, errors);
}

/** Raw bytes as a generic ticket: parseTicket must refuse or accept, never anything else. */
export const rawTicketBytes = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s)),
);
export const parsesOrRefuses = (bytes: Uint8Array, errors: ErrorCounts) =>
  classified(errors, () => parseTicket(bytes));
