import type { GenericTicket } from '../../lib/ticket/generic-ticket.ts';
import { CPR_FORMS, randomCpr, seededRandom } from './cpr.ts';

export interface PlantedTicket {
  ticket: GenericTicket;
  /** Every personal value planted, exactly as written in the ticket. */
  planted: string[];
  /** The same CPR numbers as ten digits, for searching stored bytes. */
  cprDigits: string[];
  emails: string[];
}

const FIRST = ['Jens', 'Mette', 'Ahmed', 'Fatima', 'Søren', 'Anne Marie', 'Mikkel', 'Aisha', 'Lars', 'Ida'];
const LAST = ['Hansen', 'Nielsen', 'Jørgensen', 'Yilmaz', 'Holm', 'Lund-Pedersen', 'Andersen', 'Khan'];
/** Where a CPR number turns up in a ticket's text. */
export const CPR_CONTEXTS: ((v: string) => string)[] = [
  (v) => `Borgeren med CPR ${v} kan ikke logge ind.`,
  (v) => `https://nexus.example.dk/borger?cpr=${v}&view=plan`,
  (v) => `{"cpr":"${v}","status":"aktiv"}`,
  (v) => `navn;cpr;kommune\nX;${v};Ballerup`,
  (v) => `| borger | ${v} | aktiv |`,
  (v) => `2026-11-20T08:15:00Z ERROR PatientService lookup failed for ${v}`,
  (v) => `\tat dk.nexus.Lookup.find(Lookup.java:42) cpr=${v}`,
  (v) => `cpr:${v}`,
  (v) => `CPR-nr.${v}`,
];

/** Deterministic tickets with CPR numbers in every form and context, e-mail addresses and names. */
export function plantedTickets(count: number, seed = 1, tenant = 'ballerup'): PlantedTicket[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const forms = Object.values(CPR_FORMS);
  return Array.from({ length: count }, (_, i) => {
    const cprs = [randomCpr(random), randomCpr(random), randomCpr(random, { substitute: i % 5 === 0 })];
    const written = cprs.map((c, j) => (forms[(i + j) % forms.length] as (c: string) => string)(c));
    const name = `${pick(FIRST)} ${pick(LAST)}`;
    const email = `${name.split(' ')[0]?.toLowerCase()}.${i}@example.dk`.replace('ø', 'oe');
    const relative = `paaroerende${i}@borger.example.dk`;
    const digits = String(20_000_000 + Math.floor(random() * 79_999_999));
    const phone = i % 2 === 0 ? digits.replace(/(\d\d)(?=\d)/g, '$1 ') : `+45 ${digits}`;
    const ticket: GenericTicket = {
      tenant,
      id: `SD-${10_000 + i}`,
      summary: `Fejl for borger ${written[0]}`,
      description: [
        (CPR_CONTEXTS[i % CPR_CONTEXTS.length] as (v: string) => string)(written[1] as string),
        `Pårørende skriver fra ${relative}, ring på ${phone}.`,
      ].join('\n'),
      reporter: { name, email },
      status: 'open',
      comments: [
        { id: 'c1', author: { name, email }, body: `Også ${written[2]}. Mvh ${name}`, internal: false },
      ],
      labels: ['nexus'],
      fields: { kommune: 'Ballerup', borger: written[2] as string },
    };
    return {
      ticket,
      planted: [...written, name, email, relative],
      cprDigits: cprs,
      emails: [email, relative],
    };
  });
}
