import { TokenKind } from '../pseudonymize/token.ts';
import { allMatches, type Detector, type Span } from './span.ts';

/**
 * Credentials pasted into tickets. They become SECRET tokens, which are never stored: nobody, not
 * even an authorized person, can get a password back from the proxy. A JWT counts too: MitID,
 * NemLog-in and OIDC tokens carry CPR numbers and names in their payload.
 *
 * Each pattern is a forward match whose group 1, when present, is the secret: variable-length
 * lookbehinds are tried at every position of the text and were the detector's main cost.
 */

/**
 * A word that labels a credential: a keyword alone, or inside a setting's name (`DB_PASSWORD`,
 * `aws_secret_access_key`, `ClientSecret`), or a Danish compound (`adgangskode`, `startkoden`).
 * Found from the keyword outwards: a pattern that tried every word for a keyword inside was slow.
 */
const KEYWORD =
  /pass(?:word|wd|wort|code)?|pwd|pw|pin|secret|token|api[_-]?key|apikey|key|salt|community|sig|kode(?:ord)?|nøgle/giu;
const LABEL_CHAR = /[\p{L}\p{N}_.-]/u;
const DANISH_KODE =
  /^(?:adgangs|start|engangs|pin|sikkerheds|aktiverings|login|bruger|nøgle|wifi-|wi-fi-|netværks|dør|alarm|api-|db-|laps-|pfx-)?$/i;
const KEY_PREFIX = /(?:api|access|account|auth|private|secret|encryption|license|licens|product|shared)$/i;
const INFLECTION = /^(?:en|et|n|ord|ordet|s|ene)?$/i;

function isLabel(
  text: string,
  start: number,
  keywordStart: number,
  keywordEnd: number,
  end: number,
): boolean {
  const keyword = text.slice(keywordStart, keywordEnd).toLowerCase();
  const prefix = text.slice(start, keywordStart);
  const suffix = text.slice(keywordEnd, end);
  const camel = (before: string, after: string) => /\p{Ll}$/u.test(before) && /^\p{Lu}/u.test(after);
  const prefixOk =
    prefix === '' ||
    /[_.-]$/.test(prefix) ||
    camel(prefix, text.slice(keywordStart)) ||
    (keyword.startsWith('kode') && DANISH_KODE.test(prefix)) ||
    (keyword === 'key' && KEY_PREFIX.test(prefix));
  const suffixOk =
    INFLECTION.test(suffix) || /^[_.-]/.test(suffix) || camel(text.slice(0, keywordEnd), suffix);
  return prefixOk && suffixOk;
}

/** After `:` or `=`, whatever follows is the secret. */
const ASSIGNED =
  /["']?(?:[ \t]*(?:til [^:(\n]{1,30}|\([^)\n]{0,40}\))){0,2}[ \t]*[:=][ \t]*["']?(?:\{\{)?([^\s"',;{}]{4,})/y;
/** After `er`, `is`, `til` or a space, only what looks like a password: letters with a digit or symbol. */
const STATED =
  /[ \t]+(?:(?:til|for)[ \t]+\S+[ \t]+)?(?:(?:er|is|was|var|sat til|er sat til|er nu)[ \t]+)?["']?(?:\{\{)?((?=[^\s"',;]*[\d!#$%&*@^~+])(?=[^\s"',;]*\p{L})[^\s"',;{}]{5,}(?<!\?))/uy;
/** A PIN or code of digits only: `min kode er 281094`. */
const STATED_DIGITS = /[ \t]+(?:(?:er|is|til|er nu)[ \t]+)?:?[ \t]*(\d{4,8})(?![\d.,/-])/y;
/** Not secrets but what stands in for one: `********`, `${DB_PASSWORD}`, `@Microsoft.KeyVault(…)`. */
const PLACEHOLDER =
  /^(?:[*x•.]+|[$%]\{.*|\{\{.*|<.*>?|@Microsoft\.KeyVault.*|\$.*|https?:\/\/.*|~?\.?\/.*|[A-Z][a-z]+-[A-Z][A-Za-z]+|true|false|null|none|required|optional|.*\s.*)$/i;
const TOKEN_LIKE = /^[A-Z]{2,10}_[A-Z2-7]{10,16}$/;

/** Values that a label announces: `adgangskode: Sommer2026!`, `DB_PASSWORD=…`, `pw Lh-Kald2026`. */
function* announced(text: string): Iterable<[number, number]> {
  let after = 0;
  for (const k of allMatches(KEYWORD, text)) {
    if (k.index < after) continue;
    let start = k.index;
    while (start > 0 && LABEL_CHAR.test(text[start - 1] ?? '')) start--;
    let end = k.index + k[0].length;
    while (end < text.length && LABEL_CHAR.test(text[end] ?? '')) end++;
    if (
      TOKEN_LIKE.test(text.slice(start, end)) ||
      !isLabel(text, start, k.index, k.index + k[0].length, end)
    ) {
      continue;
    }
    const digits = /^(?:kode|pin)/i.test(k[0]) ? [STATED_DIGITS] : [];
    for (const pattern of [ASSIGNED, STATED, ...digits]) {
      pattern.lastIndex = end;
      const m = pattern.exec(text);
      const value = m?.[1];
      if (!m || value === undefined || PLACEHOLDER.test(value)) continue;
      const valueEnd = pattern.lastIndex;
      yield [valueEnd - value.length, valueEnd];
      after = valueEnd;
      break;
    }
  }
}

/** Credentials that say what they are. Group `v` is the secret, else the whole match. One scan for all. */
const FORMATS = [
  // JWTs, and what follows Bearer or Basic.
  String.raw`\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]*`,
  String.raw`\b(?:[Bb]earer|[Bb]asic|BEARER|BASIC)\s+(?<v>[\w~+/.-]{16,}=*)`,
  // curl -u user:password, ConvertTo-SecureString "…", define('DB_PASSWORD', '…')
  String.raw`(?<!\S)-u[ \t]+["']?[^\s:"']+:(?<v>[^\s"']{3,})`,
  String.raw`ConvertTo-SecureString[ \t]+["'](?<v>[^"']{3,})["']`,
  String.raw`\bdefine\(\s*'[A-Z_]*(?:KEY|SALT|PASSWORD)[A-Z_]*'\s*,\s*'(?<v>[^']{4,})'`,
  // Key formats: AWS, GitHub, Slack, Atlassian, Google, Stripe, SendGrid, PEM private keys.
  String.raw`\bAKIA[0-9A-Z]{16}\b`,
  String.raw`\bgh[pousr]_[A-Za-z0-9]{36,}\b`,
  String.raw`\bxox[abprs]-[A-Za-z0-9-]{10,}`,
  String.raw`\bATATT[A-Za-z0-9_=-]{20,}`,
  String.raw`\bAIza[0-9A-Za-z_-]{35}\b`,
  String.raw`\b[spr]k_(?:live|test)_[0-9A-Za-z]{10,}\b`,
  String.raw`\bSG\.[\w-]{16,}\.[\w-]{16,}`,
  String.raw`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----`,
  // BitLocker recovery keys: eight groups of six digits.
  String.raw`\b\d{6}(?:-\d{6}){7}\b`,
  // The password in a connection URL: postgres://user:hemmelig@host/db
  String.raw`:\/\/[^\s:/@]*:(?<v>[^\s@/]{3,})@`,
];
let group = 0;
const FORMAT = new RegExp(
  FORMATS.map((f) => `(?:${f.replace(/\(\?<v>/g, () => `(?<v${group++}>`)})`).join('|'),
  'g',
);

export const secretDetector: Detector = {
  name: 'secret',
  *detect(text: string): Iterable<Span> {
    for (const [start, end] of announced(text)) {
      yield { kind: TokenKind.SECRET, start, end, confidence: 0.95 };
    }
    for (const match of allMatches(FORMAT, text)) {
      const secret = Object.values(match.groups ?? {}).find((v) => v !== undefined) ?? match[0];
      if (PLACEHOLDER.test(secret)) continue;
      // The secret ends where the match does, but for a closing quote or the `@` of a connection URL.
      const end = match.index + match[0].lastIndexOf(secret) + secret.length;
      yield { kind: TokenKind.SECRET, start: end - secret.length, end, confidence: 0.95 };
    }
  },
};
