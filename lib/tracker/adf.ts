/** The subset of Atlassian Document Format this project writes: paragraphs of text and line breaks. */
// Type aliases, not interfaces: jira.js expects a plain record type.
export type AdfDoc = {
  type: 'doc';
  version: 1;
  content: AdfParagraph[];
};
type AdfParagraph = {
  type: 'paragraph';
  content: ({ type: 'text'; text: string } | { type: 'hardBreak' })[];
};

/** Plain text to ADF: blank lines separate paragraphs, single newlines become hard breaks. */
export function textToAdf(text: string): AdfDoc {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .filter((block) => block.trim() !== '')
    .map(
      (block): AdfParagraph => ({
        type: 'paragraph',
        content: block.split('\n').flatMap((line, i) => {
          const parts: AdfParagraph['content'] = i > 0 ? [{ type: 'hardBreak' }] : [];
          // ADF rejects empty text nodes.
          return line === '' ? parts : [...parts, { type: 'text', text: line }];
        }),
      }),
    );
  return { type: 'doc', version: 1, content: paragraphs };
}
