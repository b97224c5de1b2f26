import { parse } from 'csv-parse/sync';
import { withoutAccents } from './text.ts';

/**
 * CSV as spreadsheets on French desktops read and write it: `;` separators, quoted fields, and
 * cells that a spreadsheet would run as a formula (=, +, -, @) neutralised with a leading quote.
 */

/** Lower case, no accents, letters and digits only: "N° de série" → "ndeserie". */
export const simplifyHeader = (text: string) =>
  withoutAccents(text)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');

/** The separator the header line uses most, outside quotes. */
export function detectDelimiter(text: string): string {
  const firstLine = text.split(/\r?\n/, 1)[0]!.replace(/"[^"]*"/g, '');
  const counts = [';', ',', '\t'].map((delimiter) => ({ delimiter, count: firstLine.split(delimiter).length - 1 }));
  return counts.sort((a, b) => b.count - a.count)[0]!.count > 0 ? counts[0]!.delimiter : ';';
}

const isBlank = (byte: number) => byte === 0x0a || byte === 0x0d || byte === 0x20 || byte === 0x09;

/** A line ends with LF, CRLF, or a lone CR (old Mac exports). */
const endsLine = (bytes: Buffer, index: number) => bytes[index] === 0x0a || (bytes[index] === 0x0d && bytes[index + 1] !== 0x0a);

function countNewlines(bytes: Buffer, from: number, to: number): number {
  let count = 0;
  for (let index = from; index < to; index++) if (endsLine(bytes, index)) count += 1;
  return count;
}

/** `line` is where the record starts in the file (a text editor's count); `row` is the spreadsheet row. */
export type CsvRow = { line: number; row: number; record: string[] };

/**
 * A spreadsheet export read as a header and its rows, each with where it starts, so every problem
 * can be reported where the person will look for it. Empty rows (;;;; or spaces, which spreadsheets
 * export for formatted blank rows) are skipped, their lines still counted.
 */
export function readCsvTable(content: string): { ok: true; header: string[]; rows: CsvRow[] } | { ok: false; reason: string } {
  const text = content.replace(/^\uFEFF/, '');
  let records: { record: string[]; info: { bytes: number } }[];
  try {
    records = parse(text, { delimiter: detectDelimiter(text), info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (error) {
    return { ok: false, reason: `The file cannot be read as CSV: ${(error as Error).message}` };
  }
  const [header, ...entries] = records;
  if (!header) return { ok: false, reason: 'The file is empty.' };
  // csv-parse's own line count is off after a quoted CRLF; its byte offsets are exact, so lines are counted from them.
  const bytes = Buffer.from(text, 'utf8');
  let offset = header.info.bytes;
  let line = 1 + countNewlines(bytes, 0, offset);
  // Line breaks inside quoted cells: a text editor counts them as lines, a spreadsheet not as rows.
  let breaksInsideCells = 0;
  const rows = entries.flatMap((entry): CsvRow[] => {
    let start = offset;
    while (start < entry.info.bytes && isBlank(bytes[start]!)) {
      if (endsLine(bytes, start)) line += 1;
      start += 1;
    }
    const position = { line, row: line - breaksInsideCells };
    const breaks = countNewlines(bytes, start, entry.info.bytes);
    const endsWithBreak = bytes[entry.info.bytes - 1] === 0x0a || bytes[entry.info.bytes - 1] === 0x0d;
    breaksInsideCells += Math.max(0, breaks - (endsWithBreak ? 1 : 0));
    line += breaks;
    offset = entry.info.bytes;
    return entry.record.every((cell) => cell.trim() === '') ? [] : [{ ...position, record: entry.record }];
  });
  return { ok: true, header: header.record, rows };
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
