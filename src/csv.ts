/**
 * CSV as spreadsheets on French desktops read and write it: `;` separators, quoted fields, and
 * cells that a spreadsheet would run as a formula (=, +, -, @) neutralised with a leading quote.
 */

/** Lower case, no accents, letters and digits only: "N° de série" → "ndeserie". */
export const simplifyHeader = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');

/** The separator the header line uses most, outside quotes. */
export function detectDelimiter(text: string): string {
  const firstLine = text.split(/\r?\n/, 1)[0]!.replace(/"[^"]*"/g, '');
  const counts = [';', ',', '\t'].map((delimiter) => ({ delimiter, count: firstLine.split(delimiter).length - 1 }));
  return counts.sort((a, b) => b.count - a.count)[0]!.count > 0 ? counts[0]!.delimiter : ';';
}

/** One cell: a formula-looking text is prefixed with ' (OWASP's advice on CSV injection), then quoted if needed. */
export function csvCell(value: string | number | null | undefined, delimiter = ';'): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return safe.includes(delimiter) || /["\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A whole file: header and rows, CRLF line ends, UTF-8 BOM so Excel reads accents right. */
export function csvDocument(header: string[], rows: (string | number | null | undefined)[][], delimiter = ';'): string {
  return `\uFEFF${[header, ...rows].map((row) => row.map((cell) => csvCell(cell, delimiter)).join(delimiter)).join('\r\n')}\r\n`;
}
