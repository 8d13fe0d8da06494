import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultDetectors, detect, detectSpans, readsAs } from '../../lib/detect/detect.ts';
import { knownValuesDetector } from '../../lib/detect/known-values.ts';
import type { Detector } from '../../lib/detect/span.ts';
import { TokenKind } from '../../lib/pseudonymize/token.ts';

const text = (t: string, detectors = defaultDetectors) =>
  detectSpans(t, detectors).map((s) => t.slice(s.start, s.end));

describe('detectSpans', () => {
  it('returns spans in text order', () => {
    expect(text('b@example.dk og 0101901234 og a@example.dk')).toEqual([
      'b@example.dk',
      '0101901234',
      'a@example.dk',
    ]);
  });

  it('leaves existing tokens alone, so sanitizing twice changes nothing', () => {
    const token = 'CPR_ABCDEFGHIJ234567';
    const insideToken: Detector = {
      name: 'inside',
      detect: () => [{ kind: TokenKind.NAME, start: 6, end: 12, confidence: 1 }],
    };
    expect(text(`x ${token}`, [insideToken])).toEqual([]);
    expect(text('EMAIL_ABCDEFGHIJKLMNOP og CPR_ABCDEFGHIJ234567')).toEqual([]);
  });

  it('does not mistake an address for a token: a span reaching beyond a token-shaped word wins', () => {
    expect(text('Kontakt METTE_FREDERIKSEN@FT.DK i dag')).toEqual(['METTE_FREDERIKSEN@FT.DK']);
  });

  it('merges overlapping spans into their union, of the most confident kind', () => {
    const span = (
      start: number,
      end: number,
      confidence: number,
      kind: TokenKind = TokenKind.NAME,
    ): Detector => ({
      name: `${start}-${end}`,
      detect: () => [{ kind, start, end, confidence }],
    });
    expect(text('abcdefghij', [span(0, 4, 0.5), span(2, 8, 0.9)])).toEqual(['abcdefgh']);
    const merged = detectSpans('abcdefghij', [
      span(0, 4, 0.5),
      span(2, 8, 0.9, TokenKind.EMAIL),
      span(9, 10, 1),
    ]);
    expect(merged.map((s) => [s.kind, s.start, s.end])).toEqual([
      [TokenKind.EMAIL, 0, 8],
      [TokenKind.NAME, 9, 10],
    ]);
  });

  it('never leaves part of an address readable when a known name is inside it', () => {
    const known = knownValuesDetector([
      { kind: TokenKind.NAME, value: 'Jens Hansen' },
      { kind: TokenKind.EMAIL, value: 'hansen@kommune.dk' },
    ]);
    const found = text('Skriv til jens.hansen@kommune.dk eller lise.hansen@kommune.dk', [
      ...defaultDetectors,
      known,
    ]);
    expect(found).toEqual(['jens.hansen@kommune.dk', 'lise.hansen@kommune.dk']);
  });
});

/** Each span replaced by a token of its kind, with the body given (16 characters of A–Z, 2–7). */
function writeIn(t: string, spans: readonly { kind: string; start: number; end: number }[], body: string) {
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += `${t.slice(at, s.start)}${s.kind}_${body}`;
    at = s.end;
  }
  return out + t.slice(at);
}

describe('detect: the reading that proves the fixpoint', () => {
  it('is the text with each span masked, which a sanitized text reads as whatever its tokens', () => {
    const t = 'Borger 010190-1234, tlf. 20 30 40 50';
    const { spans, clean } = detect(t, defaultDetectors);
    expect(spans.map((s) => s.kind)).toEqual([TokenKind.CPR, TokenKind.PHONE]);
    expect(readsAs(writeIn(t, spans, 'QRSTUVWXYZ234567'), clean)).toBe(true);
    // Not as the text itself, nor with a token of another kind, nor with a value left in.
    expect(readsAs(t, clean)).toBe(false);
    expect(readsAs(writeIn(t, spans, 'QRSTUVWXYZ234567').replace('PHONE_', 'EMAIL_'), clean)).toBe(false);
    expect(readsAs(t.replace('010190-1234', 'CPR_QRSTUVWXYZ234567'), clean)).toBe(false);
    // A text with nothing in it reads as itself.
    expect(readsAs('Intet her', detect('Intet her', defaultDetectors).clean)).toBe(true);
  });

  it('is given only when the last round found nothing, and then the sanitized text holds nothing', () => {
    const pieces = [
      'Per Skov',
      'Hej Mette',
      '010190-1234',
      '0101901234',
      'tlf. 20 30 40 50',
      '+4520304050',
      'jens@example.dk',
      'Vestergade 12, 2750 Ballerup',
      'password: hunter2',
      'CPR_ABCDEFGHIJ234567',
      'Mvh\nAnne Marie Hansen',
      'sagsnr 2024-10',
      '_',
    ];
    const text = fc
      .array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 12 })), { maxLength: 8 })
      .chain((parts) =>
        fc
          .array(fc.constantFrom(' ', '\n', '', '. ', ', ', ':'), {
            minLength: parts.length,
            maxLength: parts.length,
          })
          .map((gaps) => parts.map((p, i) => `${p}${gaps[i]}`).join('')),
      );
    let proven = 0;
    fc.assert(
      fc.property(
        text,
        fc.constantFrom('QRSTUVWXYZ234567', 'AAAAAAAAAAAAAAAA', '2222222222222222'),
        (t, body) => {
          const { spans, clean } = detect(t, defaultDetectors);
          const out = writeIn(t, spans, body);
          if (!readsAs(out, clean)) return;
          proven++;
          expect(detectSpans(out, defaultDetectors)).toEqual([]);
        },
      ),
      { numRuns: 400 },
    );
    expect(proven).toBeGreaterThan(200);
  });
});
