/**
 * The line grammar of nwipe's log, every era (FORMAT.md = tests/fixtures/nwipe/FORMAT.md):
 * timestamped messages with their continuation lines (§2), and the summary tables nwipe prints
 * without timestamps (§3). What the lines mean for a wipe is decided in nwipe-log.ts.
 */

/**
 * `2024-08-13T14:23:36`: the wall clock of the machine that wiped. nwipe logs local time with no
 * zone and no sub-second part (FORMAT.md §2, "Timestamp").
 */
export type LocalDateTime = string;

export type LogLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'fatal' | 'sanity';

/** The line prefix tells the era (FORMAT.md §2, table): `nwipe: notice: `, `notice: `, ` notice: `. */
export type LogEra = '<=0.28' | '0.29' | '>=0.30';

export type LogMessage = {
  kind: 'message';
  lineNumber: number;
  at: LocalDateTime;
  level: LogLevel;
  /** Undefined when the label cannot tell (`warning` is 7 characters, never padded). */
  era?: LogEra;
  /** The first physical line of the message: what every rule reads. */
  text: string;
  /** Following lines of the same message (OS info wrap, embedded `\n`), kept for display only. */
  continuation: string;
};

export type DriveStatusRow = { name: string; status: string; durationSeconds: number; model: string; serial: string };
export type ErrorSummaryRow = { name: string; passErrors: number; verifyErrors: number; fdatasyncErrors: number };
export type ErasureSummaryRow = { name: string; flagged: boolean; bytesErased: number; bytesTotal: number; percentage: string };

/** `wideDeviceColumn`: the `!   Device` header of v0.34+; before, names were cut to their last 6 characters (FORMAT.md §3c). */
type TableOf<Kind extends string, Row> = { kind: Kind; lineNumber: number; wideDeviceColumn: boolean; rows: Row[] };
export type LogTable = TableOf<'drive_status', DriveStatusRow> | TableOf<'error_summary', ErrorSummaryRow> | TableOf<'erasure_summary', ErasureSummaryRow>;

/** `[2020/06/17 19:31:37] Total Throughput 480 MB/s, Zero Fill, 1R+B+VL` (FORMAT.md §3c, "Footer"). */
export type SummaryFooter = {
  kind: 'footer';
  lineNumber: number;
  at: LocalDateTime;
  method: string;
  rounds: number;
  blanking: boolean;
  verify: 'NV' | 'VL' | 'VA';
};

export type LogRecord = LogMessage | LogTable | SummaryFooter;

const timestamp = String.raw`\[(\d{4})/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d)\]`;
// FORMAT.md §2: the regex that covers all eras, with the prefix and the padding captured.
const messageLine = new RegExp(`^${timestamp} (nwipe: )?( *)(debug|info|notice|warning|error|fatal|sanity): (.*)$`);
const footerLine = new RegExp(`^${timestamp} Total Throughput .+?/s, (.+), (\\d+)R\\+(B|NB)\\+(NV|VL|VA)\\s*$`);
const tableHeader = /^!\s*Device \|(.*)$/;
const border = /^(?:\*+(?: [A-Za-z ]+ \*+)?|-+)\s*$/;
// FORMAT.md §3 row formats; the flag column is optional because pasted logs often lose leading spaces.
const rowPatterns = {
  // "%s %s |%s| %s/s | %02i:%02i:%02i | %s/%s": status is exactly 8 characters.
  drive_status: /^!? *(\S+) \|(.{8})\| *.+?\/s \| *(\d+):(\d\d):(\d\d) \| ?(.*)$/,
  // "%s %s |  %10llu |           %10llu |           %10llu"; 3 columns ending in "|" before PR #339.
  error_summary: /^!? *(\S+) \| +(\d+) \| +(\d+) \|(?: +(\d+))? *$/,
  // "%s %s | %17llu | %16llu | %17s"
  erasure_summary: /^(!)? *(\S+) \| +(\d+) \| +(\d+) \| +(\S+) *$/,
};
/** `/proc/version` is wrapped at 48 characters, each piece indented 31 spaces (FORMAT.md §2, `OS_info_Line_offset`). */
const osInfoIndent = ' '.repeat(31);

const localTime = (m: RegExpMatchArray): LocalDateTime => `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;

function eraOf(nwipePrefix: string | undefined, padding: string, label: string): LogEra | undefined {
  if (nwipePrefix) return '<=0.28';
  if (padding) return '>=0.30';
  return label.length < 7 ? '0.29' : undefined;
}

function tableKind(columns: string): LogTable['kind'] | undefined {
  if (columns.includes('Status')) return 'drive_status';
  if (columns.includes('Pass Errors')) return 'error_summary';
  if (columns.includes('Bytes Erased')) return 'erasure_summary';
  return undefined;
}

function readRow(table: LogTable, line: string): boolean {
  if (table.kind === 'drive_status') {
    const m = line.match(rowPatterns.drive_status);
    if (!m) return false;
    // The model is cut to 17 characters and joined to the serial by "/": split at the last one.
    const modelAndSerial = m[6]!.trimEnd();
    const slash = modelAndSerial.lastIndexOf('/');
    table.rows.push({
      name: m[1]!,
      status: m[2]!,
      durationSeconds: Number(m[3]) * 3600 + Number(m[4]) * 60 + Number(m[5]),
      model: (slash < 0 ? modelAndSerial : modelAndSerial.slice(0, slash)).trim(),
      serial: slash < 0 ? '' : modelAndSerial.slice(slash + 1).trim(),
    });
    return true;
  }
  if (table.kind === 'error_summary') {
    const m = line.match(rowPatterns.error_summary);
    if (!m) return false;
    table.rows.push({ name: m[1]!, passErrors: Number(m[2]), verifyErrors: Number(m[3]), fdatasyncErrors: Number(m[4] ?? 0) });
    return true;
  }
  const m = line.match(rowPatterns.erasure_summary);
  if (!m) return false;
  table.rows.push({ name: m[2]!, flagged: m[1] === '!', bytesErased: Number(m[3]), bytesTotal: Number(m[4]), percentage: m[5]! });
  return true;
}

/**
 * Splits a log into records. Lines that are neither log lines, table lines nor continuations
 * (console output printed around a GUI run, a pasted header) are skipped: FORMAT.md §1 shows
 * pasted logs that start with Gtk warnings and `Waiting for wipe thread to cancel`.
 */
export function readLogRecords(text: string): LogRecord[] {
  const records: LogRecord[] = [];
  let message: LogMessage | undefined;
  let table: LogTable | undefined;
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const lineNumber = index + 1;
    // Logs quoted in Markdown keep their "> " (fixture failure-2.log).
    const line = rawLine.replace(/^> ?/, '');
    if (table) {
      if (readRow(table, line)) return;
      const closes = table.rows.length > 0 || !/^-+\s*$/.test(line);
      if (closes) table = undefined;
      if (!closes || border.test(line)) return;
    }
    const header = line.match(tableHeader);
    const kind = header && tableKind(header[1]!);
    if (kind) {
      table = { kind, lineNumber, wideDeviceColumn: /^!\s{3}Device/.test(line), rows: [] } as LogTable;
      records.push(table);
      message = undefined;
      return;
    }
    const footer = line.match(footerLine);
    if (footer) {
      const [method, rounds, blank, verify] = footer.slice(7);
      records.push({
        kind: 'footer',
        lineNumber,
        at: localTime(footer),
        method: method!,
        rounds: Number(rounds),
        blanking: blank === 'B',
        verify: verify as SummaryFooter['verify'],
      });
      message = undefined;
      return;
    }
    const m = line.match(messageLine);
    if (m) {
      const [nwipePrefix, padding, level, body] = m.slice(7);
      message = {
        kind: 'message',
        lineNumber,
        at: localTime(m),
        level: level as LogLevel,
        era: eraOf(nwipePrefix, padding!, level!),
        text: body!,
        continuation: '',
      };
      records.push(message);
      return;
    }
    // FORMAT.md §2: continuation lines do not start with "[". The OS info wrap is indented 31
    // spaces and joins without a separator; other embedded newlines (HPA's " on /dev/sda") keep theirs.
    if (message && line.trim() !== '' && !line.startsWith('[') && !border.test(line)) {
      message.continuation += line.startsWith(osInfoIndent) ? line.slice(osInfoIndent.length) : `\n${line}`;
      return;
    }
    message = undefined;
  });
  return records;
}
