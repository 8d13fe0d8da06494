/** Writes to stdout and waits until it is flushed (a pipe may be slow; the process may exit next). */
export function write(text: string): Promise<void> {
  return new Promise((resolve, reject) =>
    process.stdout.write(text, (error) => (error ? reject(error) : resolve())),
  );
}

/** Stored text is shown, not obeyed: control characters (terminal escapes, line breaks) become spaces. */
export const cell = (value: string | undefined) => (value ?? '-').replace(/\p{Cc}/gu, ' ') || '-';

/** Columns padded to their widest cell; the last one runs free. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0))) ?? [];
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  '))
    .join('\n')
    .concat('\n');
}

export const printTable = (header: readonly string[], rows: readonly (readonly (string | undefined)[])[]) =>
  write(table([header, ...rows.map((r) => r.map(cell))]));
