import { readFileSync } from 'node:fs';

/** Personal data planted in a sample payload, each value exactly as written there. */
export interface PlantedValues {
  cpr: readonly string[];
  names: readonly string[];
  emails: readonly string[];
  phones: readonly string[];
  passwords: readonly string[];
}

export interface SamplePayload {
  /** The file under `test/support/payloads/`. */
  file: string;
  /** The raw bytes, as a servicedesk sends (and signs) them. */
  body: Buffer;
  json: unknown;
  planted: PlantedValues;
  /** Every planted value, flattened: none of them may appear in anything the proxy forwards. */
  all: readonly string[];
}

const read = (file: string) => readFileSync(new URL(`./payloads/${file}`, import.meta.url));

function sample(file: string, planted: PlantedValues): SamplePayload {
  const body = read(file);
  const all = Object.values(planted).flat();
  const text = body.toString('utf8');
  // A list that names a value the file does not hold would make "nothing leaked" prove nothing.
  for (const value of all) {
    if (!text.includes(value)) throw new Error(`${file} does not contain a value listed as planted in it`);
  }
  return { file, body, json: JSON.parse(text), planted, all };
}

/**
 * Realistic webhook bodies with Danish personal data (all of it invented; CPR numbers have valid
 * dates), for end-to-end tests. Values in parts an adapter does not read (the acting user, other
 * custom fields, TOPdesk's caller phone numbers) are planted too: they must not leak either.
 */
export const samplePayloads = {
  /** Jira Cloud `jira:issue_created`: ADF description, an ADF public comment and an internal string one. */
  jsmIssueCreated: sample('jsm-issue-created.json', {
    cpr: ['120378-1457', '1203781457'],
    names: ['Søren Østergaard', 'Mette Rasmussen', 'Jens Thomsen', 'Kirsten Vestergaard'],
    emails: [
      'soren.ostergaard@borger.example.dk',
      'mette.rasmussen@kommune.example.dk',
      'jens.thomsen@kommune.example.dk',
      'kirsten.vestergaard@borger.example.dk',
    ],
    phones: ['41 22 37 58', '41223758', '28 91 45 60'],
    passwords: ['Forår2026!'],
  }),
  /** Jira Cloud `comment_created`: the comment at the top level, a few of the issue's fields. */
  jsmCommentCreated: sample('jsm-comment-created.json', {
    cpr: ['120378-1457'],
    names: ['Mette Rasmussen', 'Søren Østergaard', 'Jens Thomsen'],
    emails: ['jens.thomsen@kommune.example.dk'],
    phones: ['41 22 37 58'],
    passwords: ['Efterår#2026'],
  }),
  /** The Zendesk trigger payload the zendesk adapter reads, with a public comment and an internal note. */
  zendeskTicket: sample('zendesk-ticket.json', {
    cpr: ['071165-4321'],
    names: ['Lars Christensen', 'Signe Bertelsen', 'Rasmus Lauridsen', 'Niels Christensen'],
    emails: [
      'signe.bertelsen@kommune.example.dk',
      'rasmus.lauridsen@kommune.example.dk',
      'niels.christensen@borger.example.dk',
    ],
    phones: ['20 45 67 89', '31 72 90 15'],
    passwords: ['Hjemme!pleje7'],
  }),
  /** A TOPdesk incident with its actions, read with {@link topdeskMapping}. */
  topdeskIncident: sample('topdesk-incident.json', {
    cpr: ['240592-2817'],
    names: ['Ulla Thomsen', 'Bente Madsen', 'Torben Jensen', 'Camilla Christensen', 'Frederik Thomsen'],
    emails: [
      'ulla.thomsen@borger.example.dk',
      'bente.madsen@kommune.example.dk',
      'frederik.thomsen@borger.example.dk',
    ],
    phones: ['53 64 12 90', '44 77 20 13', '30 12 45 78'],
    passwords: ['Bolig2026x'],
  }),
} as const satisfies Record<string, SamplePayload>;

/** The mapped adapter's configuration for {@link samplePayloads.topdeskIncident} (no personal data). */
export const topdeskMapping: unknown = JSON.parse(read('topdesk-mapping.json').toString('utf8'));
