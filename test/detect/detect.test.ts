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
    const digitsOnlyBody = 'CPR_2222222222222222';
    const always: Detector = {
      name: 'everything',
      detect: (t) => [{ kind: TokenKind.NAME, start: 0, end: t.length, confidence: 1 }],
    };
    expect(text(`x ${digitsOnlyBody}`, [always])).toEqual([]);
    expect(text('EMAIL_ABCDEFGHIJKLMNOP og CPR_ABCDEFGHIJ234567')).toEqual([]);
  });

  it('lets the more confident span win an overlap, then the longer one', () => {
    const spans = (start: number, end: number, confidence: number): Detector => ({
      name: `${start}-${end}`,
      detect: () => [{ kind: TokenKind.NAME, start, end, confidence }],
    });
    expect(text('abcdefghij', [spans(0, 4, 0.5), spans(2, 8, 0.9)])).toEqual(['cdefgh']);
    expect(text('abcdefghij', [spans(0, 4, 0.9), spans(0, 8, 0.9)])).toEqual(['abcdefgh']);
  });

  it('finds values known from structured fields, in any case and spacing', () => {
    const known = knownValuesDetector([
      { kind: TokenKind.NAME, value: 'Jens Hansen' },
      { kind: TokenKind.NAME, value: 'B' },
    ]);
    expect(text('Hej JENS  HANSEN. Mvh Jens\nHansen. Jens Hansens søn. Bo', [known])).toEqual([
      'JENS  HANSEN',
      'Jens\nHansen',
    ]);
  });
});
