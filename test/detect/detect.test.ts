import { describe, expect, it } from 'vitest';
import { defaultDetectors, detectSpans } from '../../lib/detect/detect.ts';
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
