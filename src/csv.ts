import { Readable } from 'node:stream';
import { parse as parseStream } from 'csv-parse';
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

/**
 * The bytes of a file as they stream past, kept from the last position asked about onwards: enough
 * to count the line breaks between two records' offsets without holding the whole file.
 */
function lineBreakCounter() {
  const chunks: Buffer[] = [];
  // The file offset of chunks[0]'s first byte.
  let base = 0;
  const byteAt = (offset: number): number | undefined => {
    let at = offset - base;
    for (const chunk of chunks) {
      if (at < chunk.length) return chunk[at];
      at -= chunk.length;
    }
    return undefined;
  };
  return {
    push: (chunk: Buffer) => chunks.push(chunk),
    byteAt,
    /** Line ends in [from, to) (LF, CRLF, or a lone CR), forgetting the bytes before `to`. */
    breaks(from: number, to: number): number {
      let count = 0;
      for (let offset = from; offset < to; offset++) {
        const byte = byteAt(offset);
        if (byte === 0x0a || (byte === 0x0d && byteAt(offset + 1) !== 0x0a)) count += 1;
      }
      while (chunks.length > 1 && base + chunks[0]!.length <= to) base += chunks.shift()!.length;
      return count;
    },
  };
}

/**
 * The rows of a CSV file read as a stream, header first, each with where it starts as
 * readCsvTable counts it: for files too large to hold in memory at once (the national file of
 * places has some 20,000 lines). The separator is the one the header line uses most.
 */
export async function* streamCsvRows(input: Readable): AsyncGenerator<CsvRow> {
  const counter = lineBreakCounter();
  const source = input[Symbol.asyncIterator]();
  // The header line decides the separator: read until it is whole (or the file ends).
  const head: Buffer[] = [];
  let headText = '';
  while (!/[\r\n]/.test(headText)) {
    const next = await source.next();
    if (next.done) break;
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as string);
    head.push(chunk);
    headText += chunk.toString('utf8');
  }
  async function* bytes() {
    for (const chunk of head) {
      counter.push(chunk);
      yield chunk;
    }
    for (let next = await source.next(); !next.done; next = await source.next()) {
      const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as string);
      counter.push(chunk);
      yield chunk;
    }
  }
  const parser = parseStream({
    delimiter: detectDelimiter(headText.replace(/^\uFEFF/, '')),
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
  });
  const records = Readable.from(bytes()).pipe(parser) as AsyncIterable<{ record: string[]; info: { bytes: number } }>;
  let offset = 0;
  let line = 1;
  let breaksInsideCells = 0;
  let first = true;
  for await (const entry of records) {
    if (first) {
      // The header: a record that may itself hold quoted line breaks.
      line += counter.breaks(0, entry.info.bytes);
      offset = entry.info.bytes;
      first = false;
      yield { line: 1, row: 1, record: entry.record };
      continue;
    }
    let start = offset;
    for (let byte = counter.byteAt(start); start < entry.info.bytes && byte !== undefined && isBlank(byte); byte = counter.byteAt(start)) {
      line += counter.breaks(start, start + 1);
      start += 1;
    }
    const position = { line, row: line - breaksInsideCells };
    const last = counter.byteAt(entry.info.bytes - 1);
    const breaks = counter.breaks(start, entry.info.bytes);
    breaksInsideCells += Math.max(0, breaks - (last === 0x0a || last === 0x0d ? 1 : 0));
    line += breaks;
    offset = entry.info.bytes;
    if (!entry.record.every((cell) => cell.trim() === '')) yield { ...position, record: entry.record };
  }
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
