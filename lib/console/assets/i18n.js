// The console's words: Danish first, English for those who ask. The choice is kept in localStorage
// (a preference, nothing personal); the page starts in Danish.

const da = {
  skip: 'Gå til indhold',
  language: 'Sprog',
  loading: 'Indlæser …',
  logout: 'Log ud',
  'nav.label': 'Hovedmenu',
  'nav.overview': 'Oversigt',
  'nav.reidentify': 'Genidentificér',
  'nav.audit': 'Audit',
  'nav.access': 'Adgang',
  'nav.outbox': 'Udbakke',
  'mode.local': 'lokal',
  yes: 'ja',
  no: 'nej',
  active: 'aktiv',
  expired: 'udløbet',
  clear: 'Ryd',
  csv: 'Hent som CSV',
  refused: 'Afvist',
  auditRecord: 'Auditpost',
  'error.unknown': 'Noget gik galt',
  'table.empty': 'Ingen.',

  'login.title': 'Log ind',
  'login.text':
    'Konsollen er for navngivne medarbejdere med en bevilling. Du logger ind hos identitetsudbyderen med to faktorer; hvert opslag registreres i auditloggen.',
  'login.localHint':
    'Lokalt: log ind med et bruger-id og engangskoden fra  npx ticket-proxy login --user <id> --code',
  'login.button': 'Log ind',
  'login.loggedOut': 'Du er logget ud.',
  'login.expired': 'Dit login er udløbet. Log ind igen.',
  'login.failed': 'Login mislykkedes',
  'login.stateMismatch': 'svaret hørte ikke til dette login (state)',

  'overview.title': 'Oversigt',
  'overview.user': 'Bruger',
  'overview.mfa': 'Logget ind med to faktorer',
  'overview.grants': 'Dine bevillinger',
  'overview.noGrants':
    'Du har ingen bevillinger. En administrator giver dem (npx ticket-proxy grants add eller siden Adgang).',
  'overview.blocked':
    'Du er blokeret efter gentagne afviste forsøg. En administrator kan ophæve blokeringen.',

  'reidentify.title': 'Genidentificér',
  'reidentify.lead':
    'Indsæt tekst fra Jira eller et token. Værdierne vises kun her og forsvinder, når du forlader siden.',
  'reidentify.text': 'Tekst eller token fra Jira',
  'reidentify.textHint': 'For eksempel en kommentar med CPR_…, NAME_… eller EMAIL_…',
  'reidentify.purpose': 'Formål',
  'reidentify.purposeHint':
    'Mindst en sætning om hvorfor. Skriv ikke CPR-numre, e-mails eller telefonnumre her; henvis til sagen.',
  'reidentify.issue': 'Jira-sag (valgfri)',
  'reidentify.issueHint': 'For eksempel DEV-123',
  'reidentify.submit': 'Genidentificér',
  'reidentify.result': 'Resultat',
  'reidentify.tokens': 'Tokens',
  'reidentify.withheld': '{count} token(s) gav ingen værdi.',
  'reidentify.forget': 'Værdierne gemmes ikke i browseren. Tryk Ryd, eller forlad siden, når du er færdig.',
  'reidentify.noGrant':
    'Du har ingen gyldig bevilling som genidentifikator. Et forsøg afvises og registreres; gentagne afvisninger blokerer dig.',

  'audit.title': 'Audit',
  'audit.intact': 'Auditloggen er intakt: {count} poster, kæden er uden brud.',
  'audit.broken': 'Auditloggen er brudt ved {id} ({reason}).',
  'audit.search': 'Søg i auditloggen',
  'audit.searchButton': 'Søg',
  'audit.since': 'Fra',
  'audit.until': 'Til',
  'audit.any': 'Alle',
  'audit.records': 'Poster ({count}), nyeste først',
  'audit.more': 'Perioden har flere poster end de {count} ældste, der vises her.',
  'audit.moreButton': 'Hent flere',
  'outcome.granted': 'givet',
  'outcome.denied': 'afvist',

  'seen.title': 'Hvem har set borgerens data?',
  'seen.hint':
    'Angiv CPR-nummer, navn, e-mail eller telefon. Opslaget er selv en brug af borgerens data og registreres (med tokens, aldrig værdierne).',
  'seen.cpr': 'CPR-nummer',
  'seen.name': 'Navn',
  'seen.email': 'E-mail',
  'seen.phone': 'Telefon',
  'seen.submit': 'Slå op',
  'seen.nothing': 'Angiv mindst ét af CPR-nummer, navn, e-mail eller telefon.',
  'seen.rows': 'Brug af borgerens tokens ({count})',
  'seen.seen': 'Så værdien',

  'access.title': 'Adgang',
  'access.lead':
    'Halvårlig gennemgang: alle bevillinger med udløb og seneste brug. Bevillinger uden brug i 90 dage og forfaldne genbekræftelser er markeret.',
  'access.grants': 'Bevillinger ({count})',
  'access.unused': 'ubrugt 90 dage',
  'access.due': 'genbekræftelse forfalden',
  'access.reattest': 'Genbekræft',
  'access.revoke': 'Tilbagekald',
  'access.confirmRevoke': 'Tilbagekald bevillingen {what}?',
  'access.changed': 'Ændret og registreret.',
  'access.add': 'Giv en bevilling',
  'access.addButton': 'Giv bevilling',
  'access.userHint': 'Personens bruger-id (sub) hos identitetsudbyderen',
  'access.blocks': 'Blokerede brugere',
  'access.blocked': 'Blokerede ({count})',
  'access.blockedAt': 'Blokeret',
  'access.denials': 'Afvisninger',
  'access.unblock': 'Ophæv blokering',

  'outbox.title': 'Udbakke',
  'outbox.lead': 'Det udviklerne ville se i Jira: sagerne, som proxyen har renset dem.',
  'outbox.none': 'Sagerne går til Jira; der er ingen lokal udbakke.',
  'outbox.empty': 'Udbakken er tom. Send en sag med  npx ticket-proxy send',
  'outbox.source': 'Kilde',
  'outbox.expires': 'Slettes',
  'outbox.comment': 'Kommentar',
  'outbox.attachments': 'Vedhæftninger',

  'col.time': 'Tid',
  'col.user': 'Bruger',
  'col.action': 'Handling',
  'col.tenant': 'Lejer',
  'col.token': 'Token',
  'col.tokens': 'Tokens',
  'col.kind': 'Type',
  'col.value': 'Værdi',
  'col.purpose': 'Formål',
  'col.outcome': 'Udfald',
  'col.record': 'Post',
  'col.role': 'Rolle',
  'col.expires': 'Udløber',
  'col.lastUsed': 'Senest brugt',
  'col.attested': 'Genbekræftet',
  'col.status': 'Status',
  'col.actions': 'Handlinger',

  'role.reidentifier': 'genidentifikator',
  'role.dpo': 'databeskyttelsesrådgiver',
  'role.admin': 'administrator',

  'refusal.USER_BLOCKED': 'Du er blokeret efter gentagne afviste forsøg; en administrator kan ophæve det.',
  'refusal.NO_MFA': 'Dit login har ingen anden faktor (MFA). Log ind igen med to faktorer.',
  'refusal.NO_GRANT': 'Du har ingen bevilling til dette.',
  'refusal.GRANT_EXPIRED': 'Din bevilling er udløbet; en administrator skal genbekræfte den.',
  'refusal.NO_GROUP': 'Identitetsudbyderen har ikke sat dig i gruppen for denne rolle og lejer.',
  'refusal.PURPOSE_MISSING': 'Angiv formålet med mindst en sætning (10 tegn, 2 ord).',
  'refusal.PURPOSE_HAS_PERSONAL_DATA':
    'Formålet indeholder et CPR-nummer, en e-mail eller et telefonnummer, som auditloggen ikke må gemme. Henvis til sagen.',
  'refusal.TOO_MANY_TOKENS': 'For mange tokens i én forespørgsel.',
  'refusal.OWN_ACCESS': 'Ingen ændrer sin egen adgang: bed en anden administrator.',
  'refusal.BAD_EXPIRY': 'En bevilling løber fra 1 dag til 12 måneder.',
  'refusal.NOT_FOUND': 'Findes ikke.',

  'tokenError.UNKNOWN_TOKEN': 'ukendt eller udløbet',
  'tokenError.OTHER_TENANT': 'tilhører en anden lejer',
  'tokenError.SECRET_TOKEN': 'hemmeligheder gemmes aldrig',
  'tokenError.NOT_A_TOKEN': 'ikke et token',
  'tokenError.VALUE_UNREADABLE': 'værdien kunne ikke læses',
  'login.refusedByProvider': 'identitetsudbyderen afviste login',
  'login.codeRefused': 'koden fra identitetsudbyderen blev ikke godtaget',
  'reidentify.noToken':
    'Teksten indeholder intet token (som CPR_… eller NAME_…); der er intet at genidentificere.',
  'view.notAllowed': 'Du har ikke adgang til den side.',

  'action.reidentify': 'genidentifikation',
  'action.write-back': 'tilbageskrivning',
  'action.grant.add': 'bevilling givet',
  'action.grant.revoke': 'bevilling tilbagekaldt',
  'action.grant.reattest': 'bevilling genbekræftet',
  'action.user.block': 'bruger blokeret',
  'action.user.unblock': 'blokering ophævet',
  'action.retention.delete': 'slettet (opbevaring)',
  'action.dpo.lookup': 'opslag: hvem har set',
  'action.audit.read': 'auditlog læst',

  'reason.NO_TOKENS': 'teksten indeholdt intet token',
  'reason.NO_VALUE': 'ingen af tokenerne gav en værdi',
  'reason.UNKNOWN_TOKEN': 'ukendt eller udløbet token',
  'reason.OTHER_TENANT': 'en anden lejers token',
  'reason.SECRET_TOKEN': 'hemmeligheder gemmes aldrig',
  'reason.NOT_A_TOKEN': 'ikke et token',
  'reason.USER_BLOCKED': 'bruger blokeret',
  'reason.NO_MFA': 'ingen anden faktor',
  'reason.NO_GRANT': 'ingen bevilling',
  'reason.GRANT_EXPIRED': 'bevilling udløbet',
  'reason.NO_GROUP': 'ikke i gruppen',
  'reason.PURPOSE_MISSING': 'intet formål',
  'reason.PURPOSE_HAS_PERSONAL_DATA': 'personoplysninger i formålet',
  'reason.TOO_MANY_TOKENS': 'for mange tokens',
  'reason.OWN_ACCESS': 'egen adgang',
};

const en = {
  skip: 'Skip to content',
  language: 'Language',
  loading: 'Loading …',
  logout: 'Log out',
  'nav.label': 'Main menu',
  'nav.overview': 'Overview',
  'nav.reidentify': 'Re-identify',
  'nav.audit': 'Audit',
  'nav.access': 'Access',
  'nav.outbox': 'Outbox',
  'mode.local': 'local',
  yes: 'yes',
  no: 'no',
  active: 'active',
  expired: 'expired',
  clear: 'Clear',
  csv: 'Download CSV',
  refused: 'Refused',
  auditRecord: 'Audit record',
  'error.unknown': 'Something went wrong',
  'table.empty': 'None.',

  'login.title': 'Log in',
  'login.text':
    'The console is for named staff with a grant. You log in at the identity provider with two factors; every lookup is recorded in the audit log.',
  'login.localHint':
    'Locally: log in with a user id and the one-time code from  npx ticket-proxy login --user <id> --code',
  'login.button': 'Log in',
  'login.loggedOut': 'You are logged out.',
  'login.expired': 'Your login has expired. Log in again.',
  'login.failed': 'Login failed',
  'login.stateMismatch': 'the answer did not belong to this login (state)',

  'overview.title': 'Overview',
  'overview.user': 'User',
  'overview.mfa': 'Logged in with two factors',
  'overview.grants': 'Your grants',
  'overview.noGrants':
    'You hold no grants. An administrator gives them (npx ticket-proxy grants add, or the Access page).',
  'overview.blocked': 'You are blocked after repeated refused attempts. An administrator can unblock you.',

  'reidentify.title': 'Re-identify',
  'reidentify.lead':
    'Paste text from Jira, or a token. The values are shown here only, and are gone when you leave the page.',
  'reidentify.text': 'Text or token from Jira',
  'reidentify.textHint': 'For example a comment with CPR_…, NAME_… or EMAIL_…',
  'reidentify.purpose': 'Purpose',
  'reidentify.purposeHint':
    'At least a sentence on why. Do not write CPR numbers, e-mail addresses or phone numbers here; refer to the case.',
  'reidentify.issue': 'Jira issue (optional)',
  'reidentify.issueHint': 'For example DEV-123',
  'reidentify.submit': 'Re-identify',
  'reidentify.result': 'Result',
  'reidentify.tokens': 'Tokens',
  'reidentify.withheld': '{count} token(s) gave no value.',
  'reidentify.forget':
    'The values are not stored in the browser. Press Clear, or leave the page, when you are done.',
  'reidentify.noGrant':
    'You hold no valid re-identifier grant. An attempt is refused and recorded; repeated refusals block you.',

  'audit.title': 'Audit',
  'audit.intact': 'The audit log is intact: {count} records, the chain is unbroken.',
  'audit.broken': 'The audit log is broken at {id} ({reason}).',
  'audit.search': 'Search the audit log',
  'audit.searchButton': 'Search',
  'audit.since': 'From',
  'audit.until': 'Until',
  'audit.any': 'Any',
  'audit.records': 'Records ({count}), newest first',
  'audit.more': 'The period has more records than the {count} oldest shown here.',
  'audit.moreButton': 'Load more',
  'outcome.granted': 'granted',
  'outcome.denied': 'denied',

  'seen.title': "Who has seen this citizen's data?",
  'seen.hint':
    "Give a CPR number, name, e-mail or phone. The lookup is itself a use of the citizen's data and is recorded (with tokens, never the values).",
  'seen.cpr': 'CPR number',
  'seen.name': 'Name',
  'seen.email': 'E-mail',
  'seen.phone': 'Phone',
  'seen.submit': 'Look up',
  'seen.nothing': 'Give at least one of CPR number, name, e-mail or phone.',
  'seen.rows': "Uses of the citizen's tokens ({count})",
  'seen.seen': 'Saw the value',

  'access.title': 'Access',
  'access.lead':
    'The half-yearly review: every grant with its expiry and last use. Grants unused for 90 days and re-attestations that are due are flagged.',
  'access.grants': 'Grants ({count})',
  'access.unused': 'unused 90 days',
  'access.due': 're-attestation due',
  'access.reattest': 'Re-attest',
  'access.revoke': 'Revoke',
  'access.confirmRevoke': 'Revoke the grant {what}?',
  'access.changed': 'Changed and recorded.',
  'access.add': 'Give a grant',
  'access.addButton': 'Give grant',
  'access.userHint': "The person's user id (sub) at the identity provider",
  'access.blocks': 'Blocked users',
  'access.blocked': 'Blocked ({count})',
  'access.blockedAt': 'Blocked',
  'access.denials': 'Refusals',
  'access.unblock': 'Unblock',

  'outbox.title': 'Outbox',
  'outbox.lead': 'What developers would see in Jira: the tickets as the proxy sanitized them.',
  'outbox.none': 'Tickets go to Jira; there is no local outbox.',
  'outbox.empty': 'The outbox is empty. Send a ticket with  npx ticket-proxy send',
  'outbox.source': 'Source',
  'outbox.expires': 'Deleted',
  'outbox.comment': 'Comment',
  'outbox.attachments': 'Attachments',

  'col.time': 'Time',
  'col.user': 'User',
  'col.action': 'Action',
  'col.tenant': 'Tenant',
  'col.token': 'Token',
  'col.tokens': 'Tokens',
  'col.kind': 'Kind',
  'col.value': 'Value',
  'col.purpose': 'Purpose',
  'col.outcome': 'Outcome',
  'col.record': 'Record',
  'col.role': 'Role',
  'col.expires': 'Expires',
  'col.lastUsed': 'Last used',
  'col.attested': 'Re-attested',
  'col.status': 'Status',
  'col.actions': 'Actions',

  'role.reidentifier': 're-identifier',
  'role.dpo': 'data protection officer',
  'role.admin': 'administrator',

  'refusal.USER_BLOCKED':
    'You are blocked after repeated refused attempts; an administrator can unblock you.',
  'refusal.NO_MFA': 'Your login has no second factor (MFA). Log in again with two factors.',
  'refusal.NO_GRANT': 'You hold no grant for this.',
  'refusal.GRANT_EXPIRED': 'Your grant has expired; an administrator must re-attest it.',
  'refusal.NO_GROUP': 'Your identity provider does not put you in the group for this role and tenant.',
  'refusal.PURPOSE_MISSING': 'State the purpose in at least a sentence (10 characters, 2 words).',
  'refusal.PURPOSE_HAS_PERSONAL_DATA':
    'The purpose holds a CPR number, e-mail address or phone number, which the audit log must not keep. Refer to the case.',
  'refusal.TOO_MANY_TOKENS': 'Too many tokens in one request.',
  'refusal.OWN_ACCESS': 'No one changes their own access: ask another administrator.',
  'refusal.BAD_EXPIRY': 'A grant runs from 1 day to 12 months.',
  'refusal.NOT_FOUND': 'Not found.',

  'tokenError.UNKNOWN_TOKEN': 'unknown or expired',
  'tokenError.OTHER_TENANT': "another tenant's",
  'tokenError.SECRET_TOKEN': 'secrets are never stored',
  'tokenError.NOT_A_TOKEN': 'not a token',
  'tokenError.VALUE_UNREADABLE': 'the value could not be read',
  'login.refusedByProvider': 'the identity provider refused the login',
  'login.codeRefused': 'the code from the identity provider was not accepted',
  'reidentify.noToken': 'The text holds no token (such as CPR_… or NAME_…): there is nothing to re-identify.',
  'view.notAllowed': 'You have no access to that page.',

  'action.reidentify': 're-identification',
  'action.write-back': 'write-back',
  'action.grant.add': 'grant given',
  'action.grant.revoke': 'grant revoked',
  'action.grant.reattest': 'grant re-attested',
  'action.user.block': 'user blocked',
  'action.user.unblock': 'user unblocked',
  'action.retention.delete': 'deleted (retention)',
  'action.dpo.lookup': 'lookup: who has seen',
  'action.audit.read': 'audit log read',

  'reason.NO_TOKENS': 'the text held no token',
  'reason.NO_VALUE': 'none of the tokens gave a value',
  'reason.UNKNOWN_TOKEN': 'unknown or expired token',
  'reason.OTHER_TENANT': "another tenant's token",
  'reason.SECRET_TOKEN': 'secrets are never stored',
  'reason.NOT_A_TOKEN': 'not a token',
  'reason.USER_BLOCKED': 'user blocked',
  'reason.NO_MFA': 'no second factor',
  'reason.NO_GRANT': 'no grant',
  'reason.GRANT_EXPIRED': 'grant expired',
  'reason.NO_GROUP': 'not in the group',
  'reason.PURPOSE_MISSING': 'no purpose',
  'reason.PURPOSE_HAS_PERSONAL_DATA': 'personal data in the purpose',
  'reason.TOO_MANY_TOKENS': 'too many tokens',
  'reason.OWN_ACCESS': 'own access',
};

export const DICTIONARIES = { da, en };
const KEY = 'ticket-proxy.language';

export function language() {
  const chosen = localStorage.getItem(KEY);
  return chosen === 'en' ? 'en' : 'da';
}

export function setLanguage(lang) {
  localStorage.setItem(KEY, lang === 'en' ? 'en' : 'da');
}

/** The text for `key` in the chosen language, with `{name}` filled in; `fallback` when there is none. */
export function t(key, params = {}, fallback = key) {
  const text = DICTIONARIES[language()][key];
  // A fallback may come from the server: it is shown as it is, never filled in.
  if (text === undefined) return fallback;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

/** Translates the static page: `data-i18n` sets text, `data-i18n-aria-label` an accessible name. */
export function applyTranslations(root) {
  document.documentElement.lang = language();
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  }
}
