import { da } from '@faker-js/faker';
import names from '../../lib/detect/data/names.json' with { type: 'json' };
import { CPR_FORMS, randomCpr, seededRandom } from './cpr.ts';
import { topdeskMapping } from './payloads.ts';
import { CPR_CONTEXTS } from './tickets.ts';

// Generated webhooks for the leak canary: every servicedesk adapter, Danish personal data in every
// written form the README says is found, in the parts each adapter reads and in parts it does not.
// All of it invented; CPR numbers have existing, past birth dates.

export type ValueKind = 'CPR' | 'NAME' | 'EMAIL' | 'PHONE';
export const VALUE_KINDS: readonly ValueKind[] = ['CPR', 'NAME', 'EMAIL', 'PHONE'];

/** The personal values one delivery carries. CPR numbers as 10 digits, phones as 8; names and e-mails as written. */
export interface Planted {
  cpr: string[];
  names: string[];
  emails: string[];
  phones: string[];
}

export type AdapterName = 'generic' | 'jsm' | 'zendesk' | 'mapped';

/** One webhook to send. Headers are made when it is sent, since signatures carry the time. */
export interface Delivery {
  adapter: AdapterName;
  tenant: string;
  ticketId: string;
  body: Buffer;
  planted: Planted;
  /** The status the proxy should answer: 202 for a ticket it takes, 4xx for a deliberately bad one. */
  expect: number;
  /** What is wrong with a bad delivery, for reports. */
  flaw?: string;
  /** Signed or authenticated with a secret the tenant does not have. */
  wrongSecret?: boolean;
}

/** The tenants of the canary: one per servicedesk adapter, each with local write-back. */
export const CANARY_TENANTS = {
  ballerup: {
    servicedesk: { type: 'generic' },
    jira: { projectKey: 'BAL', includeInternalComments: true },
    ticketUrl: 'https://sd.ballerup.example.dk/tickets/{id}',
    writeBack: { type: 'local' },
  },
  egedal: {
    servicedesk: { type: 'jsm', includeCustomFields: { customfield_10010: 'kommune' } },
    jira: { projectKey: 'EGE', retentionDateField: 'customfield_10050' },
    writeBack: { type: 'local' },
  },
  furesoe: {
    servicedesk: { type: 'zendesk' },
    jira: { projectKey: 'FUR', includeInternalComments: true },
    writeBack: { type: 'local' },
  },
  gladsaxe: {
    servicedesk: { type: 'mapped', ...(topdeskMapping as object) },
    jira: { projectKey: 'GLA' },
    writeBack: { type: 'local' },
  },
} as const;

export const TENANT_OF: Record<AdapterName, keyof typeof CANARY_TENANTS> = {
  generic: 'ballerup',
  jsm: 'egedal',
  zendesk: 'furesoe',
  mapped: 'gladsaxe',
};

// Names: faker's Danish first names and surnames that the gazetteer knows as names and not as words
// (a name that is also a word, `Holm`, would make the canary's word search find ordinary text).
const gazetteer = names as unknown as Record<'firstNames' | 'surnames' | 'ambiguous', string>;
const lines = (s: string) => new Set(s.split('\n'));
const knownFirst = lines(gazetteer.firstNames);
const knownLast = lines(gazetteer.surnames);
const ambiguous = lines(gazetteer.ambiguous);
/** Words the proxy or the local server print themselves (`alice` in the start-up banner). */
const STOP = new Set(['Alice']);
const person = da.person as {
  first_name?: { female?: string[]; male?: string[] };
  last_name?: { generic?: string[] };
};
const usable = (list: string[], known: Set<string>) =>
  [...new Set(list)].filter(
    (n) => n.split('-').every((part) => known.has(part) && !ambiguous.has(part)) && !STOP.has(n),
  );
export const FIRST_NAMES = usable(
  [...(person.first_name?.female ?? []), ...(person.first_name?.male ?? [])],
  knownFirst,
);
export const SURNAMES = usable(person.last_name?.generic ?? [], knownLast);

/** The CPR forms of test/support/cpr.ts and the others the README lists as found. */
export const CANARY_CPR_FORMS: Record<string, (cpr: string) => string> = {
  ...CPR_FORMS,
  pairs: (c) => `${c.slice(0, 2)} ${c.slice(2, 4)} ${c.slice(4, 6)} ${c.slice(6)}`,
  spacedDash: (c) => `${c.slice(0, 6)} – ${c.slice(6)}`,
  fullWidth: (c) => `${c.slice(0, 6)}-${c.slice(6)}`.replace(/\d/g, (d) => String.fromCodePoint(0xff10 + +d)),
  dashedPairs: (c) => `${c.slice(0, 2)}–${c.slice(2, 4)}–${c.slice(4, 6)}–${c.slice(6)}`,
};
const CPR_WRITERS = Object.values(CANARY_CPR_FORMS);

const PHONE_WRITERS: ((p: string) => string)[] = [
  (p) => p.replace(/(\d\d)(?=\d)/g, '$1 '),
  (p) => `+45 ${p}`,
  (p) => `${p.slice(0, 4)} ${p.slice(4)}`,
  (p) => p,
  (p) => `0045 ${p}`,
  (p) => p.replace(/(\d\d)(?=\d)/g, '$1-'),
];

const ASCII: Record<string, string> = { æ: 'ae', ø: 'oe', å: 'aa', é: 'e', ü: 'u', ö: 'o', ä: 'a' };
const asciiFold = (s: string) => s.toLowerCase().replace(/[æøåéüöä]/g, (c) => ASCII[c] ?? c);
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

interface People {
  citizen: string;
  staff: string;
  other: string;
  relative: string;
  citizenEmail: string;
  staffEmail: string;
  otherEmail: string;
  relativeEmail: string;
  c1: string;
  c2: string;
  phone: string;
  phone2: string;
  /** The i-th written form of a CPR number, shifted per ticket so every form meets every place. */
  cpr: (k: number, digits: string) => string;
  tel: (k: number, digits: string) => string;
}

/**
 * Generated deliveries: `count` tickets spread over the four adapters, about one in ten followed by a
 * second event of the same ticket, and one in twenty replaced by a deliberately bad delivery (an
 * unknown field holding a CPR number, personal data in an id or a property name, a wrong secret,
 * broken JSON…) that must be refused without quoting what it holds.
 */
export function canaryDeliveries(count: number, seed = 1): { first: Delivery[]; updates: Delivery[] } {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const name = () => {
    const first = pick(FIRST_NAMES);
    const middle = random() < 0.15 ? ` ${pick(FIRST_NAMES)}` : '';
    return `${first}${middle} ${pick(SURNAMES)}`;
  };
  const email = (who: string, i: number, domain: string) => {
    const parts = who.split(' ');
    // Some local parts keep their Danish letters: the README says any Unicode form is found.
    const local = random() < 0.2 ? (parts[0] ?? '').toLowerCase() : parts.map(asciiFold).join('.');
    return `${local}.${i}@${domain}`;
  };
  // Eight digits from 40 on: a valid Danish number that no date (DDMMYYYY, YYYYMMDD) can be.
  const phone = () => String(40_000_000 + Math.floor(random() * 59_999_999));
  const first: Delivery[] = [];
  const updates: Delivery[] = [];
  for (let i = 0; i < count; i++) {
    const adapter = (['generic', 'jsm', 'zendesk', 'mapped'] as const)[i % 4] as AdapterName;
    const citizen = name();
    const staff = name();
    const other = name();
    const relative = name();
    const p: People = {
      citizen,
      staff,
      other,
      relative,
      citizenEmail: email(citizen, i, 'borger.example.dk'),
      staffEmail: email(staff, i, 'kommune.example.dk'),
      otherEmail: email(other, i, 'kommune.example.dk'),
      relativeEmail: email(relative, i, 'mail.example.com'),
      c1: randomCpr(random, { substitute: i % 9 === 4 }),
      c2: randomCpr(random),
      phone: phone(),
      phone2: phone(),
      cpr: (k, digits) => (CPR_WRITERS[(i + k) % CPR_WRITERS.length] as (c: string) => string)(digits),
      tel: (k, digits) => (PHONE_WRITERS[(i + k) % PHONE_WRITERS.length] as (c: string) => string)(digits),
    };
    const planted: Planted = {
      cpr: [p.c1, p.c2],
      names: [citizen, staff, other, relative],
      emails: [p.citizenEmail, p.staffEmail, p.otherEmail, p.relativeEmail],
      phones: [p.phone, p.phone2],
    };
    const tenant = TENANT_OF[adapter];
    if (i % 20 === 19) {
      first.push(badDelivery(Math.floor(i / 20), i, p, planted));
      continue;
    }
    const made = MAKERS[adapter](i, p);
    first.push({
      adapter,
      tenant,
      ticketId: made.ticketId,
      body: made.body,
      planted: present(planted, made.body),
      expect: 202,
    });
    if (i % 10 === 5) {
      const phone3 = phone();
      const update = made.update(phone3);
      updates.push({
        adapter,
        tenant,
        ticketId: made.ticketId,
        body: update,
        planted: present({ ...planted, phones: [...planted.phones, phone3] }, update),
        expect: 202,
      });
    }
  }
  return { first, updates };
}

/**
 * The values a body really holds, in one of the forms they were written in: the canary's control
 * search must find each of them in what was sent, or finding nothing afterwards proves nothing.
 */
function present(planted: Planted, body: Buffer): Planted {
  const raw = body.toString('utf8');
  const any = (forms: readonly ((v: string) => string)[]) => (v: string) =>
    raw.includes(v) || forms.some((write) => raw.includes(write(v)));
  return {
    cpr: planted.cpr.filter(any(CPR_WRITERS)),
    names: planted.names.filter((n) => raw.includes(n)),
    emails: planted.emails.filter((e) => raw.includes(e)),
    phones: planted.phones.filter(any(PHONE_WRITERS)),
  };
}

interface Made {
  ticketId: string;
  body: Buffer;
  /** A second event of the same ticket, mentioning a new phone number. */
  update: (phone3: string) => Buffer;
}

const firstName = (full: string) => full.split(' ')[0] ?? full;

function genericTicket(i: number, p: People, extra: object[] = []) {
  const created = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  return {
    tenant: 'ballerup',
    id: `SD-${100_000 + i}`,
    summary: `Borger ${p.cpr(0, p.c1)} kan ikke se sin plan i Nexus`,
    description: [
      `Borgeren ${p.citizen} (CPR ${p.cpr(1, p.c1)}) får fejl 500 ved login.`,
      (CPR_CONTEXTS[i % CPR_CONTEXTS.length] as (v: string) => string)(p.cpr(2, p.c2)),
      `Pårørende skrev fra ${p.citizenEmail} og bad om svar på tlf. ${p.tel(0, p.phone)}.`,
      `Mvh ${p.staff}`,
    ].join('\n'),
    reporter: { name: p.staff, email: p.staffEmail },
    status: 'open',
    priority: 'high',
    created,
    comments: [
      {
        id: 'c1',
        author: { name: p.staff, email: p.staffEmail },
        body: `Samme fejl for ${p.cpr(3, p.c2)}. Mvh ${firstName(p.staff)}`,
        created,
      },
      {
        id: 'c2',
        author: { name: p.other, email: p.otherEmail },
        body: `Intern note: ${p.citizen} ringede fra ${p.tel(1, p.phone2)}. Søster ${p.relative} (${p.relativeEmail}).`,
        internal: true,
      },
      ...extra,
    ],
    attachments: [
      {
        id: 'a1',
        filename: 'nexus.log',
        mimeType: 'text/plain; charset=utf-8',
        contentBase64: b64(
          `INFO lookup cpr=${p.c1} for ${p.citizenEmail}\nWARN bruger ${p.citizen} tlf. ${p.tel(2, p.phone)}\n`,
        ),
      },
      {
        id: 'a2',
        filename: 'scan.pdf',
        mimeType: 'application/pdf',
        contentBase64: b64(Buffer.concat([Buffer.from('%PDF-1.7 \u0000\u00ff'), Buffer.from(p.c1)])),
      },
    ],
    labels: ['nexus'],
    fields: { kommune: 'Ballerup', borger: p.cpr(4, p.c2) },
  };
}

const text = (value: string, ...marks: object[]) => ({
  type: 'text',
  text: value,
  ...(marks.length > 0 && { marks }),
});
const para = (...content: object[]) => ({ type: 'paragraph', content });
const cell = (value: string) => ({ type: 'tableCell', content: [para(text(value))] });

function jsmIssue(i: number, p: People) {
  const key = `SD-${200_000 + i}`;
  const split = p.cpr(5, p.c1);
  const account = (n: number) => `712020:00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const staff = { accountId: account(1), displayName: p.staff, emailAddress: p.staffEmail };
  return {
    key,
    staff,
    payload: {
      timestamp: Date.now(),
      webhookEvent: 'jira:issue_created',
      // Parts the adapter does not read: they must not reach Jira either.
      user: staff,
      issue: {
        id: String(10_000 + i),
        key,
        fields: {
          summary: `Borger kan ikke logge ind på Min Side – CPR ${p.cpr(0, p.c1)}`,
          description: {
            type: 'doc',
            version: 1,
            content: [
              para(
                text('Borgeren '),
                text(p.citizen, { type: 'strong' }),
                // The CPR number split over two marks.
                text(` (CPR ${split.slice(0, 4)}`),
                text(split.slice(4), { type: 'em' }),
                text(') kan ikke logge ind på Min Side.'),
              ),
              para(
                text(`Ring på ${p.tel(0, p.phone)}`),
                { type: 'hardBreak' },
                text('eller skriv til '),
                text(p.citizenEmail, { type: 'link', attrs: { href: `mailto:${p.citizenEmail}` } }),
              ),
              {
                type: 'table',
                attrs: { isNumberColumnEnabled: false, layout: 'default' },
                content: [
                  { type: 'tableRow', content: [cell('Navn'), cell(p.citizen)] },
                  { type: 'tableRow', content: [cell('Telefon'), cell(p.phone2)] },
                ],
              },
              para(
                { type: 'mention', attrs: { id: account(2), text: `@${p.other}`, accessLevel: '' } },
                text(' kan du kigge på det?'),
              ),
              {
                type: 'blockCard',
                attrs: { url: `https://nexus.example.dk/borger?cpr=${p.c2}&view=plan` },
              },
            ],
          },
          reporter: staff,
          creator: staff,
          assignee: { accountId: account(3), displayName: p.relative, emailAddress: p.relativeEmail },
          status: { name: 'Åben' },
          priority: { name: 'Høj' },
          labels: ['min-side'],
          created: '2026-09-01T09:00:00.000+0200',
          updated: '2026-09-01T09:30:00.000+0200',
          customfield_10010: 'Egedal',
          customfield_10099: `CPR ${p.cpr(1, p.c1)}`,
          comment: {
            comments: [
              {
                id: '10001',
                author: staff,
                body: {
                  type: 'doc',
                  version: 1,
                  content: [para(text(`Samme fejl for ${p.cpr(2, p.c2)}. Mvh ${p.staff}`))],
                },
                created: '2026-09-01T09:10:00.000+0200',
                jsdPublic: true,
              },
              {
                id: '10002',
                author: { accountId: account(2), displayName: p.other, emailAddress: p.otherEmail },
                body: `Intern: ${p.citizen} ringede fra ${p.tel(1, p.phone)}`,
                created: '2026-09-01T09:20:00.000+0200',
                jsdPublic: false,
              },
            ],
          },
        },
      },
    },
  };
}

function zendeskTicket(i: number, p: People, extra: object[] = []) {
  const id = 35_000 + i;
  const description = `Vi kan ikke åbne medicinlisten for borgeren ${p.citizen}, CPR ${p.cpr(1, p.c1)}, i Nexus. Kontakt mig på ${p.tel(0, p.phone)} eller ${p.staffEmail}.`;
  return {
    id,
    payload: {
      ticket: {
        id,
        subject: `Hjemmeplejen kan ikke se borgerens medicinliste (CPR ${p.cpr(0, p.c1)})`,
        description,
        status: 'open',
        priority: 'high',
        tags: ['nexus', 'medicin'],
        created_at: '2026-09-03T07:12:44Z',
        updated_at: '2026-09-03T08:01:09Z',
        requester: { name: p.staff, email: p.staffEmail },
        comments: [
          {
            id: id * 10 + 1,
            author: { name: p.staff, email: p.staffEmail },
            body: description,
            public: true,
            created_at: '2026-09-03T07:12:44Z',
          },
          {
            id: id * 10 + 2,
            author: { name: p.other, email: p.otherEmail },
            plain_body: `Intern: borgerens søn ${p.relative} (${p.relativeEmail}, ${p.tel(1, p.phone2)}) har fuldmagt. Hans CPR er ${p.cpr(2, p.c2)}.`,
            public: false,
            created_at: '2026-09-03T08:01:09Z',
          },
          ...extra,
        ],
      },
    },
  };
}

function topdeskIncident(i: number, p: People, extra: object[] = []) {
  const id = `TD-${300_000 + i}`;
  return {
    id,
    payload: {
      id,
      status: 'firstLine',
      number: `I 2609 ${String(i).padStart(4, '0')}`,
      request: `03-09-2026 09:14 ${p.staff}:\nBorgeren ${p.citizen}, CPR ${p.cpr(0, p.c1)}, får fejl ved ansøgning om boligstøtte på Borger.dk. Hun kan kontaktes på ${p.tel(0, p.phone)} eller ${p.citizenEmail}.`,
      briefDescription: `Fejl i ansøgning om boligstøtte - ${p.citizen}`,
      caller: {
        id: 'c7d1e2f3-0a4b-4c5d-8e9f-1a2b3c4d5e6f',
        dynamicName: p.staff,
        email: p.staffEmail,
        // Read by no expression of the mapping: must not leak either.
        phoneNumber: p.tel(1, p.phone2),
        mobileNumber: p.phone2,
        branch: { id: 'b1', name: 'Gladsaxe Rådhus' },
        department: { id: 'd1', name: 'Borgerservice' },
      },
      category: { id: 'cat-0007', name: 'Selvbetjening' },
      subcategory: { id: 'sub-0031', name: 'Boligstøtte' },
      priority: { id: 'pri-0002', name: 'P2 Høj' },
      processingStatus: { id: 'ps-0003', name: 'Under behandling' },
      operator: { id: 'op-0112', name: p.other },
      callDate: '2026-09-03T09:14:00.000+0200',
      modificationDate: '2026-09-03T10:02:47.000+0200',
      closedDate: null,
      optionalFields1: { text1: `Sagsbehandler: ${p.relative}`, text2: `CPR ${p.cpr(1, p.c2)}` },
      actions: [
        {
          id: `a-${i}-1`,
          memoText: `Borgeren har prøvet igen med samme fejl. ${p.citizen} ringede fra ${p.tel(2, p.phone)}.`,
          invisibleForCaller: false,
          entryDate: '2026-09-03T09:40:00.000+0200',
          operator: { id: 'op-0112', name: p.other },
          person: null,
        },
        {
          id: `a-${i}-2`,
          memoText: `Intern: borgerens bror ${p.relative} (${p.relativeEmail}) er registreret som værge. CPR ${p.cpr(2, p.c2)}.`,
          invisibleForCaller: true,
          entryDate: '2026-09-03T10:02:00.000+0200',
          operator: { id: 'op-0145', name: p.other },
          person: null,
        },
        ...extra,
      ],
    },
  };
}

const MAKERS: Record<AdapterName, (i: number, p: People) => Made> = {
  generic: (i, p) => {
    const ticket = genericTicket(i, p);
    return {
      ticketId: ticket.id,
      body: json(ticket),
      update: (phone3) =>
        json(
          genericTicket(i, p, [
            {
              id: 'c3',
              author: { name: p.staff },
              body: `Opfølgning: ${p.citizen} har nyt nummer ${phone3}.`,
            },
          ]),
        ),
    };
  },
  jsm: (i, p) => {
    const { key, staff, payload } = jsmIssue(i, p);
    return {
      ticketId: key,
      body: json(payload),
      update: (phone3) =>
        json({
          timestamp: Date.now(),
          webhookEvent: 'comment_created',
          comment: {
            id: '10003',
            author: staff,
            body: {
              type: 'doc',
              version: 1,
              content: [
                para(text(`Opfølgning: ${p.citizen} har nyt nummer `), text(phone3, { type: 'strong' })),
              ],
            },
            created: '2026-09-02T09:00:00.000+0200',
            jsdPublic: true,
          },
          issue: { key, fields: { summary: payload.issue.fields.summary, status: { name: 'Åben' } } },
        }),
    };
  },
  zendesk: (i, p) => {
    const { id, payload } = zendeskTicket(i, p);
    return {
      ticketId: String(id),
      body: json(payload),
      update: (phone3) =>
        json(
          zendeskTicket(i, p, [
            { id: id * 10 + 3, body: `Opfølgning: ${p.citizen} har nyt nummer ${phone3}.`, public: true },
          ]).payload,
        ),
    };
  },
  mapped: (i, p) => {
    const { id, payload } = topdeskIncident(i, p);
    return {
      ticketId: id,
      body: json(payload),
      update: (phone3) =>
        json(
          topdeskIncident(i, p, [
            {
              id: `a-${i}-3`,
              memoText: `Opfølgning: ${p.citizen} har nyt nummer ${p.tel(3, phone3)}.`,
              invisibleForCaller: false,
              entryDate: '2026-09-04T09:00:00.000+0200',
              operator: { id: 'op-0112', name: p.other },
              person: null,
            },
          ]).payload,
        ),
    };
  },
};

/** Bad deliveries, in turn; each holds personal data where the proxy must refuse it without quoting it. */
function badDelivery(n: number, i: number, p: People, planted: Planted): Delivery {
  const bad = (
    adapter: AdapterName,
    ticketId: string,
    body: Buffer,
    expect: number,
    flaw: string,
    wrongSecret = false,
  ): Delivery => ({
    adapter,
    tenant: TENANT_OF[adapter],
    ticketId,
    body,
    planted: present(planted, body),
    expect,
    flaw,
    wrongSecret,
  });
  const generic = genericTicket(i, p);
  switch (n % 10) {
    case 0: {
      const { payload } = zendeskTicket(i, p);
      return bad(
        'zendesk',
        String(payload.ticket.id),
        json({ ticket: { ...payload.ticket, cpr: p.c1 } }),
        400,
        'zendesk: unknown field holding a CPR number',
      );
    }
    case 1:
      return bad(
        'generic',
        generic.id,
        json({ ...generic, comments: [{ id: p.c1, body: 'se id' }] }),
        400,
        'generic: comment id is a CPR number (passed to Jira unchanged)',
      );
    case 2:
      return bad(
        'generic',
        generic.id,
        json({ ...generic, [p.c1]: p.citizen }),
        400,
        'generic: property named by a CPR number',
      );
    case 3:
      return bad(
        'generic',
        generic.id,
        json({ ...generic, fields: { [p.citizenEmail]: p.citizen } }),
        400,
        'generic: custom field named by an e-mail address',
      );
    case 4:
      return bad('generic', generic.id, json(generic), 401, 'generic: signed with another secret', true);
    case 5: {
      const { id, payload } = topdeskIncident(i, p);
      return bad('mapped', id, json(payload), 401, 'mapped: wrong shared secret', true);
    }
    case 6: {
      const { key, payload } = jsmIssue(i, p);
      const whole = JSON.stringify(payload);
      return bad(
        'jsm',
        key,
        Buffer.from(whole.slice(0, Math.floor(whole.length / 2))),
        400,
        'jsm: JSON cut off midway',
      );
    }
    case 7:
      return bad(
        'generic',
        generic.id,
        json({ ...generic, tenant: 'egedal' }),
        400,
        "generic: another tenant's ticket",
      );
    case 8: {
      const { key, payload } = jsmIssue(i, p);
      const fields = { ...payload.issue.fields, created: `${p.c1} ${p.citizen}` };
      return bad(
        'jsm',
        key,
        json({ ...payload, issue: { ...payload.issue, fields } }),
        400,
        'jsm: a timestamp holding a CPR number and a name',
      );
    }
    default: {
      const { payload } = zendeskTicket(i, p);
      const ticket = { ...payload.ticket, id: p.c1 };
      return bad('zendesk', p.c1, json({ ticket }), 400, 'zendesk: ticket id is a CPR number');
    }
  }
}
