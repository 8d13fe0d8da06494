import { describe, expect, it } from 'vitest';
import { columnsDetector } from '../../lib/detect/columns.ts';
import { detectSpans } from '../../lib/detect/detect.ts';

const found = (text: string) =>
  detectSpans(text, [columnsDetector]).map((s) => [s.kind, text.slice(s.start, s.end)]);

describe('columns detector', () => {
  it('reads a Jira table by its header', () => {
    expect(
      found('||Elev||Unilogin||Kode||\n|Alfred Nyborg|alfr7324|pære42kat|\n|Mille Sand|mill9046|ko58sky|'),
    ).toEqual([
      ['NAME', 'Alfred Nyborg'],
      ['SECRET', 'pære42kat'],
      ['NAME', 'Mille Sand'],
      ['SECRET', 'ko58sky'],
    ]);
  });

  it('reads a CSV export, quoted or not, and stops where the table ends', () => {
    const csv =
      'fornavn;efternavn;cpr;mobil\n"Kristina";"Petrauskaitė";x;20304050\nAya;Haddad;y;\n\nTak for hjælpen, Skov';
    expect(found(csv)).toEqual([
      ['NAME', 'Kristina'],
      ['NAME', 'Petrauskaitė'],
      ['PHONE', '20304050'],
      ['NAME', 'Aya'],
      ['NAME', 'Haddad'],
    ]);
  });

  it('reads a Markdown table and a semicolon list of door codes', () => {
    expect(found('| Navn | Rolle |\n|---|---|\n| Jens Hansen | Leder |')).toEqual([['NAME', 'Jens Hansen']]);
    expect(found('adresse;placering;nøglekode\nElmevej 3;hoveddør;1942')).toEqual([
      ['ADDR', 'Elmevej 3'],
      ['SECRET', '1942'],
    ]);
  });

  it('reads compound headers by their last word', () => {
    expect(found('elev_navn;forælder_mobil;contactEmail\nAya Haddad;27 45 10 93;x@y.dk')).toEqual([
      ['NAME', 'Aya Haddad'],
      ['PHONE', '27 45 10 93'],
      ['EMAIL', 'x@y.dk'],
    ]);
  });

  it('reads JSON keys that say what their value is', () => {
    expect(
      found('{"firstName": "Faadumo", "last_name":"Hussein", "status":"aktiv", "kode": "****"}'),
    ).toEqual([
      ['NAME', 'Faadumo'],
      ['NAME', 'Hussein'],
    ]);
  });

  it('reads a label that says a name follows, up to the end of the value', () => {
    expect(found('Ejer 1: Shirwan Barzani, 101273-3719\nPårørende:Jens Hansen (søn)')).toEqual([
      ['NAME', 'Shirwan Barzani'],
      ['NAME', 'Jens Hansen'],
    ]);
  });

  it('leaves tables without such a header alone', () => {
    expect(found('tid;skranke;status\n09:15;2;OK\n09:30;3;Venter')).toEqual([]);
    expect(found('Rolle: Leder, Afdeling: Drift')).toEqual([]);
  });
});
