/**
 * CSV as spreadsheets read it (RFC 4180, CRLF, a UTF-8 byte order mark for Excel). A cell that a
 * spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR at its start) gets a leading `'`:
 * a purpose typed by a user must not become a formula on the data protection officer's machine.
 */
export function toCsv(
  header: readonly string[],
  rows: readonly (readonly (string | number | boolean | undefined)[])[],
): string {
  const lines = [header, ...rows].map((row) => row.map(cell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function cell(value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
