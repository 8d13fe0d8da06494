import { describe, expect, it } from 'vitest';
import { textToAdf } from '../../lib/tracker/adf.ts';

describe('textToAdf', () => {
  it('makes paragraphs from blank lines and hard breaks from newlines', () => {
    expect(textToAdf('a\nb\r\n\r\nc\n\n\n')).toEqual({
      type: 'doc',
      version: 1,
      content: [
        {
          type: 'paragraph',
          content: [{ type: 'text', text: 'a' }, { type: 'hardBreak' }, { type: 'text', text: 'b' }],
        },
        { type: 'paragraph', content: [{ type: 'text', text: 'c' }] },
      ],
    });
  });

  it('writes no empty text nodes, which Jira rejects', () => {
    expect(JSON.stringify(textToAdf('\n\n  \n'))).toBe('{"type":"doc","version":1,"content":[]}');
  });
});
